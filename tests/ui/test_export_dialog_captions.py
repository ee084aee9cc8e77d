"""The export dialog's caption choices: offered once the film has captions (else it says where they are made), files
only for a sound-only export, the style for burned-in ones; they make the export's settings, the route line says
burning re-encodes, and they are offered again next time."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.caption_style import NO_CAPTIONS, CaptionExport, CaptionPlace, CaptionStyle
from shotline.core.model import Caption, Codec
from shotline.services.context import AppContext
from shotline.services.preferences import save_settings
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.export_captions import NO_CAPTIONS_YET
from shotline.ui.dialogs.export_choices import ExportChoices
from shotline.ui.dialogs.export_dialog import ExportDialog
from shotline.ui.document import ProjectDocument

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    app_context.settings = dataclasses.replace(app_context.settings, export_choices={})
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()
    save_settings(app_context, dataclasses.replace(app_context.settings, export_choices={}))


def _dialog(qtbot, document: ProjectDocument) -> ExportDialog:
    dialog = ExportDialog(document)
    qtbot.addWidget(dialog)
    return dialog


def _caption(document: ProjectDocument) -> None:
    document.execute(commands.set_captions((Caption("c1", 200_000, 1_200_000, "Where is the boat?", "Mara"),)))


def test_before_the_film_has_captions_none_are_offered_and_the_row_says_where_they_are_made(
    qtbot, document: ProjectDocument
) -> None:
    dialog = _dialog(qtbot, document)
    row = dialog.captions
    assert not any(box.isEnabled() for box in row.boxes.values())
    assert not row.note.isHidden() and row.note.text() == NO_CAPTIONS_YET
    assert dialog.settings().captions == NO_CAPTIONS


def test_caption_choices_make_the_settings_and_burning_is_said_to_re_encode(qtbot, document: ProjectDocument) -> None:
    _caption(document)
    dialog = _dialog(qtbot, document)
    row = dialog.captions
    assert all(box.isEnabled() for box in row.boxes.values()) and row.note.isHidden()
    assert not row.size_combo.isEnabled()  # the style is for burned-in captions
    row.boxes["burn"].setChecked(True)
    row.boxes["files"].setChecked(True)
    assert row.size_combo.isEnabled()
    row.size_combo.setCurrentIndex(row.size_combo.findData("large"))
    row.place_combo.setCurrentIndex(row.place_combo.findData(CaptionPlace.TOP))
    style = CaptionStyle(size=7.5, place=CaptionPlace.TOP)
    assert dialog.settings().captions == CaptionExport(sidecars=True, burn=True, style=style)
    qtbot.waitUntil(lambda: not dialog.route_pending, timeout=30_000)
    assert "captions are burned into the picture" in dialog.route_label.text()

    dialog.choose(dialog.format_combo, Codec.WAV)  # sound only: files beside it, nothing to draw into
    assert not row.boxes["burn"].isEnabled() and not row.boxes["track"].isEnabled()
    assert row.boxes["files"].isEnabled()
    assert dialog.settings().captions == CaptionExport(sidecars=True, style=style)
    assert dialog.choices.captions == ("burn", "files")  # the wish is kept for the next video export


def test_caption_choices_are_offered_again_next_time(qtbot, document: ProjectDocument) -> None:
    chosen = ExportChoices(
        "Source", captions=("track", "files"), caption_size="small", caption_place=CaptionPlace.MIDDLE
    )
    assert ExportChoices.recall(chosen.remembered()) == chosen
    assert ExportChoices.recall({"captions": "burn,smoke", "caption_size": "huge"}).captions == ("burn",)
    _caption(document)
    document.ctx.settings = dataclasses.replace(document.ctx.settings, export_choices=chosen.remembered())
    row = _dialog(qtbot, document).captions
    assert row.forms() == ("track", "files") and row.letter_size == "small" and row.place is CaptionPlace.MIDDLE
