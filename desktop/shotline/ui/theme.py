"""The look: a dark Fusion palette shared by every platform, and SVG icons from resources/icons."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

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


def apply(app: QApplication) -> None:
    """Fusion with a dark palette: the same calm look on Windows, macOS and Linux."""
    app.setStyle("Fusion")
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
    # Visible keyboard focus on every control, whatever the platform draws by default.
    app.setStyleSheet(
        f"*:focus {{ outline: none; }}"
        f" QAbstractItemView:focus, QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus,"
        f" QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{ border: 1px solid {ACCENT.name()}; }}"
        f" QPushButton:focus, QToolButton:focus {{ border: 1px solid {ACCENT.name()}; border-radius: 3px; }}"
        f" QToolTip {{ color: {TEXT.name()}; background: {PANEL.name()}; border: 1px solid {MUTED.name()}; }}"
    )


@cache
def icon(name: str) -> QIcon:
    """An icon from resources/icons/<name>.svg (an empty icon, never an error, if it is missing)."""
    path = resource("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()
