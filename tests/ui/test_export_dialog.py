"""The export dialog renders a real project with the chosen preset, cancels cleanly and explains failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from shotline.core import commands
from shotline.core.model import Shot
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.export_dialog import ExportDialog, default_output, time_left
from shotline.ui.document import ProjectDocument

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def dialog(qtbot, document: ProjectDocument) -> ExportDialog:
    widget = ExportDialog(document)
    qtbot.addWidget(widget)
    return widget


def _leftovers(folder: Path, target: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name == target.name or p.name.startswith(f".{target.name}.partial")]


def test_exports_the_film_at_the_chosen_preset(qtbot, dialog: ExportDialog, document, tmp_path, monkeypatch) -> None:
    target = tmp_path / "out" / "film.mp4"
    target.parent.mkdir()
    dialog.path_edit.setText(str(target))
    dialog.select_preset("720p draft")
    assert "3 shots" in dialog.summary.text() and "1280×720" in dialog.summary.text()
    dialog.export_button.click()
    assert dialog.is_exporting and not dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=60_000)
    assert dialog.status.text().startswith("Exported film.mp4 in "), dialog.status.text()
    assert dialog.progress.value() == dialog.progress.maximum()
    expected_us = sum(shot.picked_take.trim.duration_us for shot in document.project.shots if shot.picked_take)
    with av.open(str(target)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        assert container.duration is not None
        assert abs(container.duration - expected_us) < 100_000  # container duration is in µs
        assert container.streams.audio
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert dialog.show_button.isVisibleTo(dialog)
    dialog.show_button.click()
    assert [Path(url.toLocalFile()) for url in opened] == [target.parent]


def test_cancel_stops_the_render_and_leaves_no_file(qtbot, dialog: ExportDialog, tmp_path) -> None:
    target = tmp_path / "film.mp4"
    dialog.path_edit.setText(str(target))
    dialog.select_preset("1080p 16:9")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0 or not dialog.is_exporting, timeout=30_000)
    assert dialog.is_exporting, "the render finished before it could be cancelled"
    assert dialog.cancel_button.text() == "Cancel export"
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=10_000)
    assert dialog.status.text().startswith("Export cancelled")
    assert dialog.export_button.isEnabled() and dialog.cancel_button.text() == "Close"
    qtbot.waitUntil(lambda: _leftovers(tmp_path, target) == [], timeout=10_000)
    assert not target.exists()


def test_a_shot_without_a_take_is_explained_in_the_dialog(qtbot, dialog: ExportDialog, document, tmp_path) -> None:
    assert document.execute(commands.add_shot(Shot(id="new-shot", prompt="A gull lands", title="Gull")))
    dialog.path_edit.setText(str(tmp_path / "film.mp4"))
    dialog.export_button.click()
    assert not dialog.is_exporting
    assert "Shot 4 (Gull) has no take yet" in dialog.status.text()
    assert not (tmp_path / "film.mp4").exists()


def test_missing_media_is_explained_in_the_dialog(qtbot, dialog: ExportDialog, document, tmp_path) -> None:
    take = document.project.shots[1].picked_take
    assert take is not None
    document.session.bundle.resolve(take.media).unlink()
    dialog.path_edit.setText(str(tmp_path / "film.mp4"))
    dialog.export_button.click()
    assert "is missing" in dialog.status.text() and "Relink" in dialog.status.text()


def test_a_missing_folder_fails_with_a_message_not_a_traceback(qtbot, dialog: ExportDialog, tmp_path) -> None:
    dialog.path_edit.setText(str(tmp_path / "no" / "such" / "film"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=10_000)
    assert dialog.path_edit.text().endswith("film.mp4")  # the extension is added for the creator
    assert "does not exist" in dialog.status.text() and "Traceback" not in dialog.status.text()


def test_defaults_and_time_left(document) -> None:
    assert default_output(document) == document.path.parent / "Test film.mp4"
    assert time_left(10.0, 0.01) is None
    assert time_left(10.0, 0.25) == pytest.approx(30.0)
    assert time_left(8.0, 1.0) == 0.0
