"""Preferences on a small screen: tabs keep its natural height well under 720 pixels, no field overlaps another in
any tab even when the dialog is squeezed to its smallest, Save shows the tab of the field it refuses, Ctrl+Tab and
Ctrl+Shift+Tab move between tabs and into their first field, and the last tab is remembered for the run only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from shotline.services.context import AppContext
from shotline.ui.dialogs.preferences import PreferencesDialog
from tests.ui.shell_fixtures import private_settings

SMALL_SCREEN = QSize(1280, 720)
FIELDS = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QAbstractButton, QLabel)
COMPOSITE = (QComboBox, QAbstractSpinBox, QAbstractItemView, QTabBar)
"""Widgets whose own parts (a spin box's line edit, a table's headers) lie on top of them by design."""


@pytest.fixture
def open_dialog(
    qtbot, app_context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], PreferencesDialog]]:
    private_settings(app_context, tmp_path / "settings")
    monkeypatch.setattr(PreferencesDialog, "last_tab", 0)  # as at the start of a run, whatever tests ran before
    opened: list[PreferencesDialog] = []

    def open_() -> PreferencesDialog:
        dialog = PreferencesDialog(app_context)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        opened.append(dialog)
        return dialog

    yield open_
    for dialog in opened:
        dialog.reject()  # stops the checks still running


def tab_titles(dialog: PreferencesDialog) -> list[str]:
    return [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]


def current_tab(dialog: PreferencesDialog) -> str:
    return dialog.tabs.tabText(dialog.tabs.currentIndex())


def visible_fields(dialog: PreferencesDialog) -> dict[str, QRect]:
    """Every visible input, button and label, as the rectangle in the dialog it needs at its width."""
    fields = {}
    for widget in dialog.findChildren(QWidget):
        if not isinstance(widget, FIELDS) or not widget.isVisibleTo(dialog):
            continue
        if isinstance(widget, QLabel) and not widget.text():
            continue  # the empty error line
        if any(isinstance(outer, COMPOSITE) for outer in ancestors(widget, dialog)):
            continue
        name = f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r} {widget.objectName()}".strip()
        needs = QSize(widget.width(), max(widget.height(), height_needed(widget)))
        fields[f"{name} #{len(fields)}"] = QRect(widget.mapTo(dialog, QPoint(0, 0)), needs)
    return fields


def height_needed(widget: QWidget) -> int:
    """The height a widget draws into: a layout can squeeze it smaller, but its text then runs over its neighbours."""
    if widget.hasHeightForWidth():
        return widget.heightForWidth(widget.width())  # a wrapped label: the lines it has at this width
    return widget.minimumSizeHint().height()


def ancestors(widget: QWidget, top: QWidget) -> Iterator[QWidget]:
    outer = widget.parentWidget()
    while outer is not None and outer is not top:
        yield outer
        outer = outer.parentWidget()


def overlaps_and_clipping(qtbot, dialog: PreferencesDialog) -> list[str]:
    """What overlaps or sticks out of the dialog, in every tab."""
    found = []
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        qtbot.wait(20)  # the page lays itself out once shown
        fields = visible_fields(dialog)
        assert len(fields) >= 5, fields  # the tab really shows its fields
        names = list(fields)
        for first, name in enumerate(names):
            if not dialog.rect().contains(fields[name]):
                found.append(f"{current_tab(dialog)}: {name} {fields[name]} sticks out of {dialog.rect()}")
            for other in names[first + 1 :]:
                if fields[name].intersects(fields[other]):
                    found.append(f"{current_tab(dialog)}: {name} {fields[name]} overlaps {other} {fields[other]}")
    return found


def test_the_natural_size_fits_a_small_screen(open_dialog: Callable[[], PreferencesDialog]) -> None:
    dialog = open_dialog()
    assert tab_titles(dialog) == ["Generation", "Media", "Content Credentials"]
    assert dialog.sizeHint().height() <= 560
    assert dialog.height() <= 560  # it opens at that size, not stretched
    assert dialog.minimumSize().width() <= SMALL_SCREEN.width()
    assert dialog.minimumSize().height() <= SMALL_SCREEN.height()


def test_no_field_overlaps_another_as_opened_or_squeezed_to_its_smallest(
    qtbot, open_dialog: Callable[[], PreferencesDialog]
) -> None:
    dialog = open_dialog()
    assert overlaps_and_clipping(qtbot, dialog) == []
    smallest = dialog.minimumSize()
    dialog.resize(smallest)  # what a screen too small for the natural size gets
    qtbot.waitUntil(lambda: dialog.size() == smallest)
    assert overlaps_and_clipping(qtbot, dialog) == []


def test_a_refused_ffmpeg_shows_the_media_tab_and_why(
    qtbot, open_dialog: Callable[[], PreferencesDialog], app_context: AppContext, tmp_path: Path
) -> None:
    before = app_context.settings_store.load()
    dialog = open_dialog()
    assert current_tab(dialog) == "Generation"
    dialog.ffmpeg.setText(str(tmp_path / "nowhere" / "ffmpeg"))
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.isVisible()  # refused, so still open
    assert current_tab(dialog) == "Media"
    assert dialog.focusWidget() is dialog.ffmpeg
    assert "There is no file at" in dialog.error.text()
    assert dialog.error.isVisibleTo(dialog)
    assert app_context.settings_store.load() == before
    assert overlaps_and_clipping(qtbot, dialog) == []  # the reason has room too


@pytest.mark.parametrize(
    ("start", "make_wrong", "tab", "field", "says"),
    [
        ("Content Credentials", lambda d: d.cache_folder.setText("cache-here"), "Media", "cache_folder", "full path"),
        ("Media", lambda d: d.urls.item(0, 1).setText("ftp://example.com"), "Generation", "urls", "http://"),
        (
            "Generation",
            lambda d: d.credentials.certificate.setText("/certificates/chain.pem"),
            "Content Credentials",
            "credentials.certificate",
            "need both",
        ),
    ],
)
def test_save_shows_the_tab_of_the_field_it_refuses(
    open_dialog: Callable[[], PreferencesDialog],
    start: str,
    make_wrong: Callable[[PreferencesDialog], None],
    tab: str,
    field: str,
    says: str,
) -> None:
    dialog = open_dialog()
    dialog.tabs.setCurrentIndex(tab_titles(dialog).index(start))
    make_wrong(dialog)
    assert not dialog.save()
    assert says in dialog.error.text()
    assert current_tab(dialog) == tab
    widget = dialog
    for part in field.split("."):
        widget = getattr(widget, part)
    assert dialog.focusWidget() is widget


def test_ctrl_tab_moves_between_tabs_into_their_first_field(
    qtbot, open_dialog: Callable[[], PreferencesDialog]
) -> None:
    dialog = open_dialog()
    first_fields = [dialog.backend, dialog.ffmpeg, dialog.credentials.certificate]
    assert dialog.focusWidget() is dialog.backend
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    for start in (dialog.backend, dialog.urls, dialog.poll, save):  # the table and the buttons keep Tab to themselves
        dialog.tabs.setCurrentIndex(0)
        start.setFocus()
        qtbot.keyClick(start, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        assert current_tab(dialog) == "Media", start
        assert dialog.focusWidget() is dialog.ffmpeg
    for expected in (2, 0, 1):  # onwards, round the end to the start
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        assert dialog.tabs.currentIndex() == expected
        assert dialog.focusWidget() is first_fields[expected]
    for expected in (0, 2, 1):  # and back
        backwards = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Backtab, backwards)
        assert dialog.tabs.currentIndex() == expected
        assert dialog.focusWidget() is first_fields[expected]


def test_the_last_tab_opens_again_during_the_run_but_is_not_saved(
    open_dialog: Callable[[], PreferencesDialog], app_context: AppContext, tmp_path: Path
) -> None:
    first = open_dialog()
    first.tabs.setCurrentIndex(tab_titles(first).index("Content Credentials"))
    first.reject()
    again = open_dialog()
    assert current_tab(again) == "Content Credentials"
    assert again.focusWidget() is again.credentials.certificate
    assert not (tmp_path / "settings").exists()  # nothing written for it
