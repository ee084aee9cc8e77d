"""Issue 14, point 15, in the New project dialog: typing a title replaces "Untitled film" (it was appended to), and
a long title does not widen the dialog (the path it makes is shortened in its middle, whole in the tooltip)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from shotline.ui.dialogs.new_project import NewProjectDialog


def _shown(qtbot, folder: Path) -> NewProjectDialog:  # type: ignore[no-untyped-def]
    dialog = NewProjectDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_typing_replaces_the_suggested_title(qtbot, tmp_path: Path) -> None:
    dialog = _shown(qtbot, tmp_path)
    assert dialog.focusWidget() is dialog.title  # the creator starts in the title
    qtbot.keyClicks(dialog.focusWidget(), "Harbour")
    assert dialog.title.text() == "Harbour"
    assert dialog.result_project().path == tmp_path / "Harbour.shotline"


def test_a_long_title_does_not_widen_the_dialog(qtbot, tmp_path: Path) -> None:
    dialog = _shown(qtbot, tmp_path)
    width = dialog.width()
    dialog.title.setFocus()
    qtbot.keyClicks(dialog.title, " and the long walk back along the harbour wall at dawn, in the rain, again")
    QApplication.processEvents()
    assert dialog.width() == width
    assert dialog.minimumSizeHint().width() <= width
    assert dialog.target.toolTip().endswith("again.shotline")  # the whole path is one hover away
