"""The dark theme, measured in pixels: unchecked radio and check boxes stand out from the window, and keyboard focus
draws an accent ring that a mouse click does not.

Widgets are rendered offscreen with the real theme applied to the application (and the previous look put back
afterwards); Tab moves focus as a keyboard user would.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from shotline.ui import theme

ACCENT_TOLERANCE = 40
"""How far (per channel) a pixel may be from the accent colour and still count as accent: antialiased edges blend."""


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    theme.apply(qapp)
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.fixture
def form(qtbot, themed: QApplication) -> dict[str, QWidget]:
    """A small form: a line edit, two radio buttons, a check box, a push button and a list, in that tab order."""
    holder = QWidget()
    qtbot.addWidget(holder)
    widgets: dict[str, QWidget] = {
        "edit": QLineEdit(),  # empty: tabbing into text selects it, and the selection is accent-coloured too
        "radio": QRadioButton("Offline animatic"),
        "other radio": QRadioButton("A cloud backend"),
        "check": QCheckBox("Generate sound"),
        "button": QPushButton("Generate"),
        "list": QListWidget(),
    }
    widgets["radio"].setAutoExclusive(False)  # both radios take part in the tab order
    widgets["other radio"].setAutoExclusive(False)
    widgets["list"].addItems(["Take 1", "Take 2"])
    widgets["list"].setCurrentRow(0)
    widgets["list"].setFixedHeight(60)
    column = QVBoxLayout(holder)
    for widget in widgets.values():
        column.addWidget(widget)
    holder.resize(260, 260)
    holder.show()
    holder.activateWindow()
    qtbot.waitUntil(holder.isActiveWindow, timeout=5000)
    widgets["holder"] = holder
    return widgets


def rgb(widget: QWidget) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * height)
    return raw.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3).astype(int)


def accent_pixels(widget: QWidget) -> int:
    accent = np.array(QColor(theme.ACCENT).getRgb()[:3])
    return int((np.abs(rgb(widget) - accent).max(axis=2) <= ACCENT_TOLERANCE).sum())


def luminance(pixels: np.ndarray) -> np.ndarray:
    linear = pixels / 255.0
    linear = np.where(linear <= 0.03928, linear / 12.92, ((linear + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def edge_contrast(button: QAbstractButton) -> float:
    """The strongest contrast (WCAG ratio) between the indicator's pixels and the window colour behind it."""
    indicator = rgb(button)[:, : button.height()]  # the indicator sits at the left, about as wide as the row is high
    window = luminance(np.array(QColor(theme.WINDOW).getRgb()[:3]))
    shades = luminance(indicator)
    return float(((np.maximum(shades, window) + 0.05) / (np.minimum(shades, window) + 0.05)).max())


def tab_to(qtbot, form: dict[str, QWidget], name: str) -> QWidget:
    """Press Tab from the first field until `name` has focus (as a keyboard user reaches it)."""
    form["edit"].setFocus(Qt.FocusReason.MouseFocusReason)
    form["edit"].setPlaceholderText("Title")
    target = form[name]
    for _ in range(len(form)):
        if target.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert target.hasFocus(), f"Tab never reached the {name}"
    return target


@pytest.mark.parametrize("name", ["radio", "check"])
def test_unchecked_indicators_stand_out_from_the_window(form: dict[str, QWidget], name: str) -> None:
    button = form[name]
    assert isinstance(button, QAbstractButton) and not button.isChecked()
    assert edge_contrast(button) >= 3.0, "an unchecked indicator needs 3:1 against the window (WCAG non-text)"


@pytest.mark.parametrize("name", ["radio", "check", "button", "list"])
def test_keyboard_focus_draws_an_accent_ring_that_another_widget_does_not_have(
    qtbot, form: dict[str, QWidget], name: str
) -> None:
    unfocused = accent_pixels(form[name])
    focused = tab_to(qtbot, form, name)
    ring = accent_pixels(focused) - unfocused
    assert ring >= 2 * focused.fontMetrics().height(), f"keyboard focus on the {name} added only {ring} accent pixels"


def test_the_line_edit_shows_focus_with_an_accent_border(qtbot, form: dict[str, QWidget]) -> None:
    form["list"].setFocus(Qt.FocusReason.MouseFocusReason)
    before = accent_pixels(form["edit"])
    qtbot.keyClick(form["list"], Qt.Key.Key_Tab)  # the last widget hands focus round to the first
    assert form["edit"].hasFocus()
    assert accent_pixels(form["edit"]) - before >= form["edit"].width()


@pytest.mark.parametrize("name", ["radio", "button"])
def test_a_mouse_click_gives_focus_without_the_ring(qtbot, form: dict[str, QWidget], name: str) -> None:
    widget = form[name]
    before = accent_pixels(widget)
    tab_to(qtbot, form, "list")  # the keyboard was used a moment ago…
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # …then the mouse moves focus
    assert widget.hasFocus()
    if isinstance(widget, QRadioButton):
        widget.setChecked(False)  # a checked indicator is drawn differently; compare like with like
    assert accent_pixels(widget) == before
