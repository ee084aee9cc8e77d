"""The jobs panel: every generation job of the project with its progress, time and cost; cancel and generate again.

`JobListModel` mirrors the job journal row by row: a job the document reports is inserted or refreshed alone, never
a model reset, and a one-second tick only touches the elapsed time of jobs still working.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core.changes import ProjectChange
from shotline.core.errors import ShotlineError
from shotline.core.ports import JobPhase, JobRecord
from shotline.services import jobs_view
from shotline.services.ledger import Cost, job_cost
from shotline.ui import theme
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.selection import ShotSelection

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Shot", "State", "Progress", "Elapsed", "Cost", "Backend", "Model")
SHOT, STATE, PROGRESS, ELAPSED, COST, BACKEND, MODEL = range(len(COLUMNS))
"""What a creator follows first comes first: in a docked panel, the columns at the right are the ones cut off."""
JOB_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""The job id of a row, for any column."""
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 2
"""Progress as an int 0–100 (the delegate draws it as a bar)."""
TICK_MS = 1000
ROWS_AT_LEAST = 5
"""The panel never shrinks below this many job rows (three were too few to follow a batch)."""


class JobListModel(QAbstractTableModel):
    """The project's jobs, newest first; rows change only through job_changed, saved and project changes."""

    refreshed = Signal()
    """A job's row was inserted or refreshed."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        records = sorted(document.jobs(), key=lambda r: r.created_at, reverse=True)
        self._ids: list[str] = [record.id for record in records]
        self._records: dict[str, JobRecord] = {record.id: record for record in records}
        self._arrived = jobs_view.takes_in(document.project)
        """Jobs whose take is in the project: done, whether or not it has been saved since."""
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._refresh_elapsed)
        document.job_changed.connect(self._on_job_changed)
        document.changed.connect(self._on_project_changed)
        self._update_tick()

    # ------------------------------------------------------------------------------------------ reading

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def record(self, row: int) -> JobRecord:
        return self._records[self._ids[row]]

    def has(self, job_id: str) -> bool:
        return job_id in self._records

    def row_of(self, job_id: str) -> int:
        return self._ids.index(job_id)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        record = self.record(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, column)
        if role == JOB_ID_ROLE:
            return record.id
        if role == PERCENT_ROLE:
            return jobs_view.progress_percent(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == STATE:
            return self._state_colour(record)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (PROGRESS, ELAPSED, COST):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _text(self, record: JobRecord, column: int) -> str:
        ctx = self._document.ctx
        if column == SHOT:
            return jobs_view.shot_label(self._document.project, record.shot_id)
        if column == BACKEND:
            return jobs_view.backend_name(ctx, record.backend)
        if column == MODEL:
            return jobs_view.model_name(ctx, record.backend, record.model)
        if column == STATE:
            return jobs_view.state_text(record, record.id in self._arrived)
        if column == PROGRESS:
            return f"{jobs_view.progress_percent(record)}%"
        if column == ELAPSED:
            return jobs_view.format_elapsed(jobs_view.elapsed_seconds(record, datetime.now(UTC)))
        return self._cost(record).text()

    def _cost(self, record: JobRecord) -> Cost:
        return job_cost(record, jobs_view.backend_kind(self._document.ctx, record.backend))

    def _tooltip(self, record: JobRecord, column: int) -> str | None:
        if column == STATE:
            return jobs_view.state_detail(record, record.id in self._arrived)
        if column == MODEL:
            return record.model  # the id, for a creator comparing with the provider's dashboard
        if column == COST:
            return self._cost(record).explain()
        if column == SHOT:
            return "Double-click to select this shot."
        return None

    def _state_colour(self, record: JobRecord) -> Any:
        if record.phase in (JobPhase.FAILED, JobPhase.BLOCKED):
            return theme.DANGER
        if record.phase is JobPhase.UNCERTAIN:
            return theme.WARNING
        if record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED):
            return theme.SUCCESS
        if record.phase is JobPhase.CANCELLED:
            return theme.MUTED
        return None

    # ------------------------------------------------------------------------------------------ updates

    def _on_job_changed(self, job_id: str) -> None:
        try:
            record = self._document.job(job_id)  # kept in memory by the document: no journal read here
        except KeyError:
            log.warning("Job %s is not in the journal", job_id)
            return
        if record.id in self._records:
            self._replace(record)
        else:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._ids.insert(0, record.id)
            self._records[record.id] = record
            self.endInsertRows()
        self._update_tick()
        self.refreshed.emit()

    def _replace(self, record: JobRecord) -> None:
        if self._records.get(record.id) == record:
            return
        self._records[record.id] = record
        row = self._ids.index(record.id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _on_project_changed(self, change: ProjectChange) -> None:
        # Shot numbers and titles live in the project; a reorder renumbers every row's shot.
        if self._ids and (change.added or change.removed or change.updated or change.reordered):
            self.dataChanged.emit(
                self.index(0, SHOT), self.index(len(self._ids) - 1, SHOT), [Qt.ItemDataRole.DisplayRole]
            )
        arrived = jobs_view.takes_in(self._document.project)
        if arrived != self._arrived:  # a take came in (or was removed): its job's state follows at once
            moved = arrived ^ self._arrived
            self._arrived = arrived
            for job_id in moved & set(self._records):
                row = self._ids.index(job_id)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _working_rows(self) -> list[int]:
        return [row for row, job_id in enumerate(self._ids) if not jobs_view.is_finished(self._records[job_id])]

    def _refresh_elapsed(self) -> None:
        for row in self._working_rows():
            cell = self.index(row, ELAPSED)
            self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole])
        self._update_tick()

    def _update_tick(self) -> None:
        working = bool(self._working_rows())
        if working and not self._tick.isActive():
            self._tick.start()
        elif not working:
            self._tick.stop()


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a slim bar with its percentage, in the platform's style."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # The item background first (initStyleOption drops the text), so selection and focus stay visible.
        super().paint(painter, option, index)
        percent = index.data(PERCENT_ROLE)
        if not isinstance(percent, int):
            return
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect).adjusted(4, 5, -4, -5)
        bar.minimum = 0
        bar.maximum = 100
        bar.progress = percent
        bar.text = f"{percent}%"
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.text = ""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 96), hint.height())


class JobsPanel(QWidget):
    """The jobs table with Cancel and Generate again; double-clicking a job selects its shot."""

    shot_activated = Signal(str)
    """A job's shot id, when the creator double-clicks (or presses Enter on) that job."""

    def __init__(
        self, document: ProjectDocument, selection: ShotSelection | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("JobsPanel")
        self._document = document
        self._selection = selection
        self.model = JobListModel(document, self)
        self.view = self._make_view()
        self.cancel_action = self._action("Cancel job", "cancel", "Ctrl+.", self.cancel_current)
        self.retry_action = self._action("Generate again…", "generate-again", "Ctrl+R", self.generate_again)
        self._empty = QLabel("No jobs yet. Generate a shot and its job appears here.", self)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setStyleSheet(f"color: {theme.MUTED.name()};")
        self._lay_out()
        self.view.selectionModel().currentRowChanged.connect(self._update_actions)
        # `activated` is a double-click (or a single click where the platform says so) or Enter.
        self.view.activated.connect(self._activate)
        self.model.dataChanged.connect(self._update_actions)
        self.model.rowsInserted.connect(self._update_actions)
        self._select_next: str | None = None
        self.model.refreshed.connect(self._select_pending)
        # A job can stop running without its journal row changing (cancel writes the row first).
        document.job_changed.connect(self._update_actions)
        self._update_actions()

    def _make_view(self) -> QTableView:
        view = QTableView(self)
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.verticalHeader().setVisible(False)
        view.setItemDelegateForColumn(PROGRESS, ProgressDelegate(view))
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = ((SHOT, 140), (STATE, 140), (PROGRESS, 100), (ELAPSED, 64), (COST, 120), (BACKEND, 140), (MODEL, 110))
        for column, width in widths:
            view.setColumnWidth(column, width)
        view.setToolTip("Double-click a job (or press Enter) to select its shot.")
        rows = ROWS_AT_LEAST * view.verticalHeader().defaultSectionSize()
        scrollbar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        view.setMinimumHeight(header.sizeHint().height() + rows + scrollbar + 2 * view.frameWidth())
        return view

    def _action(self, text: str, icon_name: str, shortcut: str, slot: Any) -> QAction:
        action = QAction(theme.icon(icon_name), text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        native = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text.rstrip('…')} ({native})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _lay_out(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addStretch(1)  # the dock's title names the panel; the actions sit at the right
        for action in (self.cancel_action, self.retry_action):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self._empty, 1)

    # ------------------------------------------------------------------------------------------ state

    def current_record(self) -> JobRecord | None:
        index = self.view.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select_job(self, job_id: str) -> None:
        index = self.model.index(self.model.row_of(job_id), 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)

    def _update_actions(self, *_: Any) -> None:
        empty = self.model.rowCount() == 0
        self.view.setVisible(not empty)
        self._empty.setVisible(empty)
        record = self.current_record()
        self.cancel_action.setEnabled(record is not None and self._document.is_running(record.id))
        self.retry_action.setEnabled(
            record is not None and record.phase in jobs_view.RETRYABLE and not jobs_view.is_still(record)
        )

    # ------------------------------------------------------------------------------------------ actions

    def cancel_current(self) -> None:
        record = self.current_record()
        if record is not None and self._document.is_running(record.id):
            self._document.cancel_job(record.id)
        self._update_actions()

    def generate_again(self) -> None:
        """Ask (it may cost money), then start one job for the same shot with the same backend and model."""
        record = self.current_record()
        if record is None or record.phase not in jobs_view.RETRYABLE or jobs_view.is_still(record):
            return  # a still is drafted again from its grid (Film → Draft stills…), never made a clip here
        try:
            question = jobs_view.retry_question(self._document.ctx, self._document.project, record)
        except ShotlineError as error:
            self._document.failed.emit(f"Cannot generate this job again: {describe(error)}")
            return
        answer = QMessageBox.question(
            self,
            "Generate again?",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        started = self._document.generate([record.shot_id], backend=record.backend, model=record.model)
        if started:
            self._select_next = started[0]  # its row arrives once the journal has been read
            self._select_pending()

    def _select_pending(self) -> None:
        if self._select_next is not None and self.model.has(self._select_next):
            self.select_job(self._select_next)
            self._select_next = None

    def _activate(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        shot_id = self.model.record(index.row()).shot_id
        if shot_id not in {shot.id for shot in self._document.project.shots}:
            self._document.failed.emit("That job's shot was deleted; its take, if any, is in the project library.")
            return
        if self._selection is not None:
            self._selection.select([shot_id])
        self.shot_activated.emit(shot_id)
