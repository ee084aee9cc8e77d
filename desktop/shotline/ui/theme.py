"""The look: a dark Fusion palette shared by every platform, and SVG icons from resources/icons.

Keyboard focus shows as an accent ring, drawn only when focus arrived by keyboard (Tab, a shortcut): Qt marks that
on the style option as State_KeyboardFocusChange and clears it on a mouse click, so mouse users see no change.
Text fields and lists also take an accent border whenever they have focus, since that is where typing goes.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

from shotline.resources import resource

ACCENT = QColor("#3d8bfd")
WINDOW = QColor("#1e2024")
BASE = QColor("#16181b")
PANEL = QColor("#25282d")
TEXT = QColor("#e6e8eb")
MUTED = QColor("#9aa1ab")
DANGER = QColor("#e5534b")
SUCCESS = QColor("#3fb950")
WARNING = QColor("#d29922")
INDICATOR_EDGE = MUTED
"""The edge of an unchecked radio or check box: it must stand out from WINDOW (3:1 at least)."""
FOCUS_RING_WIDTH = 2.0


def apply(app: QApplication) -> None:
    """Fusion with a dark palette: the same calm look on Windows, macOS and Linux."""
    app.setStyle(ShotlineStyle())
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: BASE,
        QPalette.ColorRole.AlternateBase: PANEL,
        QPalette.ColorRole.ToolTipBase: PANEL,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: MUTED,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: PANEL,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: QColor("#ffffff"),
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, MUTED.darker(130))
    app.setPalette(palette)
    # Where typing goes gets an accent border; buttons, radios and check boxes get ShotlineStyle's keyboard ring.
    app.setStyleSheet(
        f"QAbstractItemView:focus, QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus,"
        f" QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{ border: 1px solid {ACCENT.name()}; }}"
        f" QToolTip {{ color: {TEXT.name()}; background: {PANEL.name()}; border: 1px solid {MUTED.name()}; }}"
    )


class ShotlineStyle(QProxyStyle):
    """Fusion, with indicators that show on a dark window and an accent ring for keyboard focus."""

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_FrameFocusRect:
            if _keyboard_focus(option):
                _focus_ring(painter, QRectF(option.rect))
            return
        if element in (QStyle.PrimitiveElement.PE_IndicatorRadioButton, QStyle.PrimitiveElement.PE_IndicatorCheckBox):
            option = _with_visible_edge(option)
        super().drawPrimitive(element, option, painter, widget)
        if element == QStyle.PrimitiveElement.PE_PanelButtonCommand and _keyboard_focus(option):
            _focus_ring(painter, QRectF(option.rect))  # Fusion's own hint is a 1 px line a shade off the frame


def _keyboard_focus(option: QStyleOption) -> bool:
    focus = QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_KeyboardFocusChange
    return option.state & focus == focus


def _focus_ring(painter: QPainter, rect: QRectF) -> None:
    inset = FOCUS_RING_WIDTH / 2
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(ACCENT, FOCUS_RING_WIDTH))
    painter.setBrush(QColor(0, 0, 0, 0))
    painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), 3, 3)
    painter.restore()


def _with_visible_edge(option: QStyleOption) -> QStyleOption:
    """A copy of `option` whose palette makes Fusion draw the indicator's edge in INDICATOR_EDGE.

    Fusion derives that edge from the window colour, 1.4–1.5 times darker, which on a dark window is all but
    black; given a window colour that much lighter than the edge we want, it draws our edge with its own geometry.
    """
    copy = type(option)(option)
    palette = QPalette(copy.palette)
    palette.setColor(QPalette.ColorRole.Window, INDICATOR_EDGE.lighter(150))
    copy.palette = palette
    return copy


@cache
def icon(name: str) -> QIcon:
    """An icon from resources/icons/<name>.svg (an empty icon, never an error, if it is missing)."""
    path = resource("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()
