"""The export dialog through its widgets: each choice makes the right ExportSettings, the route line says which path
will run and why, the snap button makes a copy possible in one undo step, real exports finish and show the measured
loudness, cancel leaves no file, and the choices are offered again next time."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PySide6.QtCore import QEventLoop, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from shotline.core import commands
from shotline.core.model import BROADCAST_LUFS, WEB_LUFS, Codec, Fit, Shot, Size, Trim
from shotline.core.timeline import film_length_us
from shotline.services.context import AppContext
from shotline.services.importing import import_files
from shotline.services.preferences import save_settings
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.export_dialog import (
    RANGE,
    SELECTED_SHOT,
    WHOLE_FILM,
    ExportDialog,
    default_output,
    time_left,
    with_extension,
)
from shotline.ui.document import ProjectDocument
from tests.clips import ffmpeg_exe, make_clip
from tests.ui.questions import answer_questions

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def context(app_context: AppContext) -> Iterator[AppContext]:
    """The app context with no export choices kept; the settings folder is shared by the session, so the choices a
    test saves are cleared again afterwards."""
    app_context.settings = dataclasses.replace(app_context.settings, export_choices={})
    yield app_context
    save_settings(app_context, dataclasses.replace(app_context.settings, export_choices={}))


def _open(ctx: AppContext, path: Path) -> ProjectDocument:
    return ProjectDocument(ctx, ProjectSession.open(path), Bridge())


@pytest.fixture
def document(qtbot: object, context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = _open(context, project_path)
    yield doc
    doc.close()


@pytest.fixture
def dialog(qtbot, document: ProjectDocument) -> ExportDialog:
    widget = ExportDialog(document, selected_shot=document.project.shots[1].id)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def keyed(qtbot: object, context: AppContext, tmp_path: Path) -> Iterator[ProjectDocument]:
    """Three 2 s H.264 shots at the project's 320x180 and 24 fps, a keyframe every 0.5 s, 48 kHz stereo sound."""
    clips = [
        make_clip(tmp_path / f"keyed{n}.mp4", seconds=2.0, size=(320, 180), fps="24", audio=(48_000, 2), gop=12)
        for n in range(3)
    ]
    path = tmp_path / "keyed.shotline"
    with ProjectSession.create(path, title="Keyed", size=Size(320, 180)) as session:
        import_files(session, clips)
        session.save()
    doc = _open(context, path)
    yield doc
    doc.close()


def _leftovers(folder: Path, target: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name == target.name or p.name.startswith(f".{target.name}.partial")]


def _measure(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file, by ffmpeg's ebur128 filter, independently."""
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])  # type: ignore[index]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)[1])  # type: ignore[index]
    return integrated, peak


def _route(qtbot, dialog: ExportDialog) -> str:  # type: ignore[no-untyped-def]
    """The route line once the latest check (run off the GUI thread) has come back."""
    qtbot.waitUntil(lambda: not dialog.route_pending, timeout=30_000)
    return dialog.route_label.text()


def _shown_loudness(dialog: ExportDialog) -> tuple[float, float]:
    """The loudness the dialog shows once its meter (a step after the export) has reported."""
    pattern = re.compile(r"loudness (-?[\d.]+) LUFS, peaks at (-?[\d.]+) dB")
    deadline = time.monotonic() + 30
    while not (match := pattern.search(dialog.measured.text())) and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)
    assert match, dialog.measured.text()
    return float(match[1]), float(match[2])


# ---------------------------------------------------------------------------------------------- choices


def test_each_choice_makes_the_matching_export_settings(dialog: ExportDialog, document: ProjectDocument) -> None:
    project = document.project
    settings = dialog.settings()
    assert (settings.size, settings.fps) == (project.settings.size, project.settings.fps)  # Source is first
    assert (settings.fit, settings.codec, settings.loudness_lufs) == (Fit.FIT, Codec.H264, WEB_LUFS)
    assert settings.hardware is False and settings.lossless is True
    dialog.choose(dialog.scope_combo, WHOLE_FILM)
    assert dialog.settings().range is None

    expected_sizes = {
        "2160p 16:9": Size(3840, 2160),
        "1080p 16:9": Size(1920, 1080),
        "720p 16:9": Size(1280, 720),
        "1080×1920 9:16": Size(1080, 1920),
        "1080×1080 1:1": Size(1080, 1080),
    }
    for name, size in expected_sizes.items():
        dialog.select_preset(name)
        assert dialog.settings().size == size, name
        assert f"{size.width}×{size.height}" in dialog.summary.text()
    for fit in (Fit.FILL, Fit.PAD, Fit.FIT):
        dialog.choose(dialog.fit_combo, fit)
        assert dialog.settings().fit is fit
    dialog.choose(dialog.loudness_combo, "broadcast")
    assert dialog.settings().loudness_lufs == BROADCAST_LUFS
    dialog.choose(dialog.loudness_combo, "off")
    assert dialog.settings().loudness_lufs is None
    dialog.hardware_check.setChecked(True)
    assert dialog.settings().hardware is True
    for codec in (Codec.H265, Codec.PRORES, Codec.WAV, Codec.M4A, Codec.H264):
        dialog.choose(dialog.format_combo, codec)
        assert dialog.settings().codec is codec
        assert Path(dialog.path_edit.text()).suffix == codec.extensions[0]
    dialog.choose(dialog.format_combo, Codec.WAV)
    assert not dialog.preset_combo.isEnabled() and "sound only" in dialog.summary.text()


def test_what_to_export_the_selected_shot_or_a_range(dialog: ExportDialog, document: ProjectDocument) -> None:
    first, second = document.project.shots[:2]
    assert dialog.scope_combo.currentData() == WHOLE_FILM  # a shot was selected, and still the whole film is first
    assert dialog.settings().range is None
    dialog.choose(dialog.scope_combo, SELECTED_SHOT)
    assert dialog.settings().range == Trim(first.duration_us, first.duration_us + second.duration_us)
    assert not dialog.range_widget.isVisibleTo(dialog)
    dialog.choose(dialog.scope_combo, RANGE)
    assert dialog.range_widget.isVisibleTo(dialog)
    dialog.from_spin.setValue(0.5)
    dialog.to_spin.setValue(1.25)
    assert dialog.settings().range == Trim(500_000, 1_250_000)
    # the range reads in timecode (the default clock), as the window does: 0.5 s and 1.25 s at 24 fps
    assert "00:00:00:12–00:00:01:06" in dialog.summary.text()
    assert (dialog.from_spin.text(), dialog.to_spin.text()) == ("00:00:00:12", "00:00:01:06")


def test_without_a_selected_shot_the_whole_film_is_offered(qtbot, document: ProjectDocument) -> None:
    dialog = ExportDialog(document)
    qtbot.addWidget(dialog)
    assert dialog.scope_combo.currentData() == WHOLE_FILM
    assert not dialog.scope_combo.model().item(1).isEnabled()  # type: ignore[attr-defined]
    assert dialog.settings().range is None


def test_file_names_follow_the_format() -> None:
    assert with_extension(Path("a/film.mp4"), Codec.PRORES) == Path("a/film.mov")
    assert with_extension(Path("a/film.mov"), Codec.H264) == Path("a/film.mov")  # H.264 may live in a MOV
    assert with_extension(Path("a/film.mov"), Codec.WAV) == Path("a/film.wav")
    assert with_extension(Path("a/film"), Codec.M4A) == Path("a/film.m4a")
    assert with_extension(Path("a/film.v2"), Codec.H264) == Path("a/film.v2.mp4")


# ---------------------------------------------------------------------------------------------- route and snap


def test_the_route_line_says_lossless_or_why_not(qtbot, keyed: ProjectDocument) -> None:
    dialog = ExportDialog(keyed)
    qtbot.addWidget(dialog)
    dialog.choose(dialog.loudness_combo, "off")
    assert _route(qtbot, dialog).startswith("Lossless copy"), _route(qtbot, dialog)
    assert not dialog.snap_button.isVisibleTo(dialog)
    dialog.choose(dialog.loudness_combo, "web")
    assert _route(qtbot, dialog).startswith("Picture copied, sound mixed and encoded"), _route(qtbot, dialog)
    assert "Loudness" in _route(qtbot, dialog)
    dialog.choose(dialog.loudness_combo, "off")
    dialog.select_preset("720p 16:9")
    assert _route(qtbot, dialog).startswith("Re-encode") and "1280x720" in _route(qtbot, dialog)
    dialog.select_preset("Source")
    dialog.choose(dialog.format_combo, Codec.PRORES)
    assert _route(qtbot, dialog).startswith("Re-encode") and "ProRes" in _route(qtbot, dialog)
    dialog.choose(dialog.format_combo, Codec.H264)
    assert _route(qtbot, dialog).startswith("Lossless copy")
    shot = keyed.project.shots[0]
    assert keyed.execute(commands.set_shot_sound(shot.id, gain_db=-3.0))  # the project changing refreshes it too
    assert _route(qtbot, dialog).startswith("Picture copied") and "down 3 dB" in _route(qtbot, dialog)


def test_snapping_cuts_to_keyframes_makes_it_lossless_in_one_undo_step(qtbot, keyed: ProjectDocument) -> None:
    dialog = ExportDialog(keyed)
    qtbot.addWidget(dialog)
    dialog.choose(dialog.loudness_combo, "off")
    second = keyed.project.shots[1]
    assert keyed.execute(commands.trim_shot(second.id, 250_000, 2_000_000))  # in between keyframes 0 and 0.5 s
    keyed.seal()
    trimmed = keyed.project
    assert _route(qtbot, dialog).startswith("Re-encode")
    assert "between keyframes" in _route(qtbot, dialog)
    assert dialog.snap_button.isVisibleTo(dialog)
    dialog.snap_button.click()
    assert keyed.project.shot(second.id).picked_take.trim == Trim(500_000, 2_000_000)  # type: ignore[union-attr]
    assert _route(qtbot, dialog).startswith("Lossless copy"), _route(qtbot, dialog)
    assert not dialog.snap_button.isVisibleTo(dialog)
    assert "Moved 1 cut onto keyframes" in dialog.status.text()
    keyed.undo()
    assert keyed.project == trimmed
    assert _route(qtbot, dialog).startswith("Re-encode") and dialog.snap_button.isVisibleTo(dialog)


# ---------------------------------------------------------------------------------------------- real exports


def test_exports_the_film_and_shows_its_measured_loudness(
    qtbot, dialog: ExportDialog, document, tmp_path, monkeypatch
) -> None:
    target = tmp_path / "out" / "film.mp4"
    target.parent.mkdir()
    dialog.path_edit.setText(str(target))
    dialog.choose(dialog.scope_combo, WHOLE_FILM)
    dialog.select_preset("720p 16:9")
    assert "3 shots" in dialog.summary.text() and "1280×720" in dialog.summary.text()
    dialog.export_button.click()
    assert dialog.is_exporting and not dialog.export_button.isEnabled() and not dialog.format_combo.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=60_000)
    assert dialog.status.text().startswith("Exported film.mp4 in "), dialog.status.text()
    assert dialog.progress.value() == dialog.progress.maximum()
    with av.open(str(target)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        assert container.duration is not None
        assert abs(container.duration - film_length_us(document.project)) < 100_000  # container duration is in µs
        assert container.streams.audio
    shown_lufs, shown_peak = _shown_loudness(dialog)
    measured_lufs, measured_peak = _measure(target)
    assert shown_lufs == pytest.approx(measured_lufs, abs=0.3)
    assert shown_lufs == pytest.approx(WEB_LUFS, abs=0.5) and shown_peak <= -1.0 + 0.05
    assert measured_peak <= -1.0 + 0.3  # sample peak sits at or under the true peak
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert dialog.show_button.isVisibleTo(dialog) and dialog.play_button.isVisibleTo(dialog)
    dialog.show_button.click()
    dialog.play_button.click()  # the film itself, in the creator's own player
    assert [Path(url.toLocalFile()) for url in opened] == [target.parent, target]


def test_sound_only_export_of_one_shot_is_remembered_for_next_time(
    qtbot, dialog: ExportDialog, document: ProjectDocument, context: AppContext, tmp_path
) -> None:
    dialog.choose(dialog.scope_combo, SELECTED_SHOT)
    dialog.choose(dialog.format_combo, Codec.WAV)
    dialog.choose(dialog.loudness_combo, "broadcast")
    dialog.choose(dialog.fit_combo, Fit.FILL)
    dialog.hardware_check.setChecked(True)
    target = tmp_path / "shot2.wav"
    dialog.path_edit.setText(str(target))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=60_000)
    assert dialog.status.text().startswith("Exported shot2.wav"), dialog.status.text()
    with av.open(str(target)) as container:
        assert not container.streams.video and container.streams.audio[0].codec_context.name.startswith("pcm_")
        seconds = Fraction(container.duration or 0, 1_000_000)
    assert abs(seconds - Fraction(document.project.shots[1].duration_us, 1_000_000)) < Fraction(1, 20)
    shown_lufs, _ = _shown_loudness(dialog)
    assert shown_lufs == pytest.approx(_measure(target)[0], abs=0.3)
    assert shown_lufs == pytest.approx(BROADCAST_LUFS, abs=0.5)

    again = ExportDialog(document)  # next time: the same choices, from the saved settings
    qtbot.addWidget(again)
    assert context.settings_store.load().export_choices["codec"] == Codec.WAV.value
    settings = again.settings()
    assert (settings.codec, settings.loudness_lufs, settings.fit, settings.hardware) == (
        Codec.WAV,
        BROADCAST_LUFS,
        Fit.FILL,
        True,
    )
    assert again.path_edit.text().endswith(".wav")


def test_cancel_stops_the_render_and_leaves_no_file(qtbot, dialog: ExportDialog, tmp_path) -> None:
    target = tmp_path / "film.mp4"
    dialog.path_edit.setText(str(target))
    dialog.choose(dialog.scope_combo, WHOLE_FILM)
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
    assert not target.exists() and not dialog.measured.isVisibleTo(dialog)


# ---------------------------------------------------------------------------------------------- refusals


def test_a_shot_without_a_take_is_explained_in_the_dialog(qtbot, dialog: ExportDialog, document, tmp_path) -> None:
    assert document.execute(commands.add_shot(Shot(id="new-shot", prompt="A gull lands", title="Gull")))
    dialog.choose(dialog.scope_combo, WHOLE_FILM)
    assert "Shot 4 (Gull) has no take yet" in _route(qtbot, dialog)
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


def test_a_failed_render_names_the_film_in_plain_words(qtbot, dialog: ExportDialog, document, tmp_path) -> None:
    take = document.project.shots[1].picked_take
    assert take is not None
    document.session.bundle.resolve(take.media).write_bytes(b"\x00garbage" * 1000)  # broken, though still there
    dialog.choose(dialog.scope_combo, WHOLE_FILM)
    dialog.path_edit.setText(str(tmp_path / "film.mp4"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=60_000)
    shown = dialog.status.text()
    assert shown.startswith("The export failed") and "film.mp4" in shown, shown
    assert not re.search(r"\.partial|Errno|error code|0x[0-9a-f]{6,}|-\d{6,}", shown), "no temp file, address, errno"
    assert "media/" not in shown and "shot 2's take from animatic" in shown, "the broken clip as the creator knows it"
    assert not (tmp_path / "film.mp4").exists()


def test_a_missing_folder_fails_with_a_message_not_a_traceback(qtbot, dialog: ExportDialog, tmp_path) -> None:
    dialog.path_edit.setText(str(tmp_path / "no" / "such" / "film"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=10_000)
    assert dialog.path_edit.text().endswith("film.mp4")  # the extension is added for the creator
    assert "does not exist" in dialog.status.text() and "Traceback" not in dialog.status.text()


def test_an_existing_file_is_replaced_only_when_the_creator_says_so(
    qtbot, dialog: ExportDialog, document: ProjectDocument, tmp_path, monkeypatch
) -> None:
    no, yes = QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes
    asked = answer_questions(monkeypatch, no, yes, no)
    target = tmp_path / "film.mp4"
    target.write_bytes(b"last week's export")
    dialog.choose(dialog.scope_combo, SELECTED_SHOT)
    dialog.path_edit.setText(str(target))  # typed (or remembered): no file chooser asked about it
    dialog.export_button.click()
    assert len(asked) == 1 and "film.mp4 already exists" in asked[0]
    assert not dialog.is_exporting and "left as it was" in dialog.status.text()
    assert target.read_bytes() == b"last week's export"

    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=60_000)
    assert len(asked) == 2 and dialog.status.text().startswith("Exported film.mp4"), dialog.status.text()
    assert target.read_bytes()[4:8] == b"ftyp"
    assert not dialog.measured.isHidden() and dialog.progress.value() == dialog.progress.maximum()

    dialog.export_button.click()  # and once more, declined: the last export's bar and loudness are not left under it
    assert len(asked) == 3 and "left as it was" in dialog.status.text()
    assert dialog.measured.isHidden() and dialog.progress.isHidden() and dialog.show_button.isHidden()


def test_a_file_the_project_uses_is_never_written_over(
    qtbot, dialog: ExportDialog, document: ProjectDocument, tmp_path, monkeypatch
) -> None:
    answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    take = document.project.shots[0].picked_take
    assert take is not None
    used = document.session.bundle.resolve(take.media)
    before = used.read_bytes()
    for target in (used, document.path / "film.mp4"):
        dialog.path_edit.setText(str(target))
        dialog.export_button.click()
        assert not dialog.is_exporting and "inside the project film.shotline" in dialog.status.text()
    linked = tmp_path / "linked.mp4"
    linked.hardlink_to(used)
    dialog.path_edit.setText(str(linked))
    dialog.export_button.click()
    assert not dialog.is_exporting and "which this project uses" in dialog.status.text(), dialog.status.text()
    assert used.read_bytes() == before and not (document.path / "film.mp4").exists()


def test_defaults_and_time_left(document) -> None:
    assert default_output(document) == document.path.parent / "Test film.mp4"
    assert default_output(document, Codec.PRORES) == document.path.parent / "Test film.mov"
    assert time_left(10.0, 0.01) is None
    assert time_left(10.0, 0.25) == pytest.approx(30.0)
    assert time_left(8.0, 1.0) == 0.0
