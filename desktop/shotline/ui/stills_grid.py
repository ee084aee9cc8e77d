"""The grid of the "Draft stills" dialog: one cell per still, filling as each lands.

A cell shows its still's picture once it is in media/, its progress while its job works, or why it failed in the
provider's own words. The arrow keys move between cells, Enter (or a double-click) picks the one that has focus,
and a right-click asks the dialog for the cell's menu. The grid knows nothing of shots or jobs: the dialog says
what each cell shows (`CellState`) and acts on `picked` and `menu_requested`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QFocusEvent, QKeyEvent, QMouseEvent, QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from shotline.ui import theme

COLUMNS = 4
PICTURE = QSize(200, 150)
"""The box each still is fitted into: four across fit a 1280-pixel screen with the dialog's margins."""
CELL_WIDTH = PICTURE.width() + 16
SPACING = 8
PROBLEM_PX = 10
PROGRESS_HEIGHT = 20
ROW_HEIGHT = PICTURE.height() + 90
"""A cell's height at most: its picture, badge and a two-line caption."""


@dataclass(frozen=True, slots=True)
class CellState:
    """What one cell shows: a still that landed (`media`), a job at work (`progress`) or one that failed (`problem`)."""

    key: str
    """The still's job id: the cell's identity while its job runs and after."""
    caption: str
    media: str = ""
    progress: float | None = None
    """0–1 while the job works; None once it is finished."""
    status: str = ""
    """The job's state in the creator's words while it works ("Queued", "Generating")."""
    problem: str = ""
    """Why the still was not made, in the provider's words."""
    badge: str = ""
    """What the still already is ("First frame", "In @Mara's pictures"), shown over its caption."""

    @property
    def landed(self) -> bool:
        return bool(self.media)


class StillCell(QFrame):
    """One still: its picture (or progress, or why not) over a caption. Focusable, so the keys can move to it."""

    def __init__(self, grid: StillsGrid, state: CellState) -> None:
        super().__init__(grid)
        self._grid = grid
        self.setObjectName("stillCell")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.picture = QLabel(self)
        self.picture.setFixedSize(PICTURE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setWordWrap(True)
        # the progress lies over the foot of the picture's box, so a cell at work and a landed one are the same size
        # and the grid does not jump as stills land (seen in the walk)
        self.progress = QProgressBar(self.picture)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setGeometry(8, PICTURE.height() - PROGRESS_HEIGHT - 8, PICTURE.width() - 16, PROGRESS_HEIGHT)
        self.setFixedWidth(CELL_WIDTH)
        self.badge = QLabel(self)
        self.badge.setStyleSheet(f"color: {theme.SUCCESS.name()}; font-weight: bold")
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.caption.setFixedWidth(PICTURE.width())
        self.caption.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(4)
        column.addWidget(self.picture)
        column.addWidget(self.badge)
        column.addWidget(self.caption)
        column.addStretch(1)
        self._focused = False
        self.state = state
        self.show_state(state)

    def show_state(self, state: CellState, pixmap: QPixmap | None = None) -> None:
        self.state = state
        self.progress.setVisible(state.progress is not None)
        if state.progress is not None:
            self.progress.setValue(round(state.progress * 100))
            self.progress.setFormat(f"{state.status} · %p%" if state.status else "%p%")
        self.picture.setToolTip(state.problem)
        if state.problem:
            # a provider's reason runs to a few hundred characters: small type, so it fits the picture's box
            self.picture.setPixmap(QPixmap())
            self.picture.setText(state.problem)
            self.picture.setStyleSheet(
                f"color: {theme.WARNING.name()}; background: {theme.BASE.name()}; font-size: {PROBLEM_PX}px"
            )
        elif pixmap is not None and not pixmap.isNull():
            self.picture.setStyleSheet(f"background: {theme.BASE.name()}")
            self.picture.setPixmap(pixmap)
        else:
            self.picture.setPixmap(QPixmap())
            # at work, the bar over the box's foot says how the job is doing; the box itself says nothing twice
            self.picture.setText("…" if state.landed else "" if state.progress is not None else "Waiting")
            self.picture.setStyleSheet(f"color: {theme.MUTED.name()}; background: {theme.BASE.name()}")
        self.badge.setText(state.badge)
        self.badge.setVisible(bool(state.badge))
        self.caption.setText(state.caption)
        self.setAccessibleName(" · ".join(filter(None, [state.badge, state.caption, state.problem or state.status])))
        self._paint_edge()

    def _paint_edge(self) -> None:
        # the cell with focus carries the accent edge: the keys move it, and Enter picks what it marks
        edge = theme.ACCENT.name() if self._focused else theme.PANEL.name()
        self.setStyleSheet(f"QFrame#stillCell {{ border: 2px solid {edge}; border-radius: 4px }}")

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._focused = True
        self._paint_edge()
        self._grid.current_key = self.state.key
        self._grid.focused.emit(self)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._focused = False
        self._paint_edge()
        super().focusOutEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._grid.pick(self.state.key)
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._grid.menu_requested.emit(self.state.key, event.globalPos())


class StillsGrid(QWidget):
    picked = Signal(str)
    """A landed still was picked (Enter or double-click); the argument is its key."""
    menu_requested = Signal(str, QPoint)
    """A cell was right-clicked (or its menu key pressed): its key, and where to open the menu (global)."""
    focused = Signal(QWidget)
    """A cell took focus (the keys moved to it): the dialog scrolls it into view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cells: list[StillCell] = []
        self.current_key = ""
        """The key of the cell that last had focus: the one Enter picks and that keeps focus as cells are added."""
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(SPACING)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

    def show_cells(self, states: Sequence[CellState], pictures: dict[str, QPixmap]) -> None:
        """Show exactly these cells in this order, reusing the ones already there (focus stays where it is)."""
        by_key = {cell.state.key: cell for cell in self.cells}
        had_focus = any(cell.hasFocus() for cell in self.cells)
        wanted = {state.key for state in states}
        for cell in self.cells:
            if cell.state.key not in wanted:
                self._layout.removeWidget(cell)
                cell.deleteLater()
        cells: list[StillCell] = []
        for state in states:
            cell = by_key.get(state.key) or StillCell(self, state)
            cell.show_state(state, pictures.get(state.media))
            cells.append(cell)
        for index, cell in enumerate(cells):
            self._layout.addWidget(cell, index // COLUMNS, index % COLUMNS)
            cell.show()  # now, not when the layout next runs: a new cell can take focus at once
        self.cells = cells
        if had_focus and self.current_key not in wanted and cells:
            cells[0].setFocus()

    def cell(self, key: str) -> StillCell | None:
        return next((cell for cell in self.cells if cell.state.key == key), None)

    def focus_first(self) -> None:
        if self.cells:
            (self.cell(self.current_key) or self.cells[0]).setFocus(Qt.FocusReason.OtherFocusReason)

    def pick(self, key: str) -> None:
        cell = self.cell(key)
        if cell is not None and cell.state.landed:
            self.picked.emit(key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """The keys reach the grid from the cell that has focus (a cell takes none of them itself)."""
        index = next((i for i, cell in enumerate(self.cells) if cell.hasFocus()), -1)
        if index < 0:
            super().keyPressEvent(event)
            return
        key = event.key()
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -COLUMNS,
            Qt.Key.Key_Down: COLUMNS,
        }
        if key in steps:
            target = index + steps[Qt.Key(key)]
            if 0 <= target < len(self.cells):
                self.cells[target].setFocus(Qt.FocusReason.TabFocusReason)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.pick(self.cells[index].state.key)
            event.accept()  # never the dialog's default button: Enter picks the still the creator is on
            return
        if key == Qt.Key.Key_Menu:
            cell = self.cells[index]
            self.menu_requested.emit(cell.state.key, cell.mapToGlobal(cell.rect().center()))
            event.accept()
            return
        super().keyPressEvent(event)
