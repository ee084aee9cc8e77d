"""Draft stills…: cheap pictures of a shot before paying for its clip, or of a cast member before a shot shows it.

The creator chooses the backend and model that make stills and how many (2–8), sees what they should cost and the
project's spending, and is asked the spend question a paid Generate asks (ui.spend_question). Then the grid
(ui.stills_grid) fills as each still lands — progress per cell, a failed one saying why in the provider's words —
beside the stills drafted before, read from the journal (ui.drafted_stills: which, and what each cell says). Picking
one makes it the shot's first frame, one undo step (or, for a cast member, adds it to their pictures); a right-click
adds any still to a cast member. Closing the dialog while stills are on their way only hides it: the jobs go on (the
jobs panel shows them) and opening it again shows them where they are.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from shotline.core.changes import ProjectChange
from shotline.core.errors import ShotlineError
from shotline.core.ports import BackendInfo, JobRecord
from shotline.services.budget import spending
from shotline.services.ledger import FREE, Cost, estimate_cost, kinds
from shotline.services.stills import MOST, add_to_cast, use_as_first_frame
from shotline.storage.secrets import KeySource
from shotline.ui import theme
from shotline.ui.cast_sent import CastSent
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.drafted_stills import (
    StillPictures,
    StillsOwner,
    cell_states,
    drafted_still,
    listed,
    what_generate_makes,
)
from shotline.ui.spend_question import ask_then
from shotline.ui.stills_grid import CELL_WIDTH, COLUMNS, ROW_HEIGHT, SPACING, StillsGrid

FEWEST = 2
DEFAULT_COUNT = 4
"""Enough to choose among, few enough that a paid draft stays cheap."""
ANIMATIC = "animatic"
COMBO_CHARACTERS = 20


class DraftStillsDialog(QDialog):
    def __init__(self, document: ProjectDocument, owner_id: str, parent: QWidget | None = None) -> None:
        """`owner_id`: the shot whose stills these are, or the cast member whose pictures they are."""
        super().__init__(parent)
        self.document = document
        self.owner_id = owner_id
        self.for_member = any(member.id == owner_id for member in document.project.cast)
        self.owner = StillsOwner(document, owner_id, self.for_member)
        self.job_ids: list[str] = []
        """The stills sent from this dialog, newest batch first: shown before the earlier ones."""
        self.planned: Cost | None = None
        self.spend_question: QMessageBox | None = None
        """The open question of paid stills, until it is answered (ui.spend_question)."""
        self.closing = False
        self.pictures = StillPictures(document, self, self.show_stills)
        self.offered = [info for info in document.ctx.registry.infos() if info.still_models]
        self.setWindowTitle("Draft pictures" if self.for_member else "Draft stills")

        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-weight: bold")
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.backend = QComboBox(self)
        self.backend.setAccessibleName("Backend")
        for info in self.offered:
            self.backend.addItem(info.name, info.id)
        self.model = QComboBox(self)
        self.model.setAccessibleName("Model")
        for combo in (self.backend, self.model):  # the row keeps its place as the lists change (seen in the walk)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARACTERS)
        self.count = QSpinBox(self)
        self.count.setRange(FEWEST, MOST)
        self.count.setValue(DEFAULT_COUNT)
        self.count.setAccessibleName("How many")
        self.count.setToolTip(f"How many stills to draft at once ({FEWEST}–{MOST})")
        self.draft_button = QPushButton(theme.icon("generate"), "Draft", self)
        self.draft_button.setDefault(True)
        choices = QHBoxLayout()
        choices.addWidget(QLabel("Backend", self))
        choices.addWidget(self.backend, 1)
        choices.addWidget(QLabel("Model", self))
        choices.addWidget(self.model, 1)
        choices.addWidget(QLabel("How many", self))
        choices.addWidget(self.count)
        choices.addWidget(self.draft_button)
        self.estimate = QLabel(self)
        self.estimate.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.WARNING.name()}")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # the grid's area says what goes there while it is empty, where the stills will be (seen in the walk: the
        # sentence under an empty box read as a note on something else)
        area = QWidget(self)
        self.grid = StillsGrid(area)
        self.empty = QLabel(area)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet(f"color: {theme.MUTED.name()}")
        inside = QVBoxLayout(area)
        inside.setContentsMargins(4, 4, 4, 4)
        inside.addWidget(self.empty, 1)
        inside.addWidget(self.grid)
        inside.addStretch(1)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(area)
        # four cells across with no sideways scrolling, and a whole row at the least (seen in the walk: a row of
        # failures scrolled both ways); the window opens showing two rows, all eight stills of a draft
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.scroller.setMinimumSize(COLUMNS * (CELL_WIDTH + SPACING) + 8 + bar + 4, ROW_HEIGHT + 8)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cast = CastSent(self)  # as the inspector says it for the shot's clip model
        self.failures = QLabel(self)
        self.failures.setWordWrap(True)
        self.failures.setStyleSheet(f"color: {theme.WARNING.name()}")
        self.failures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.failures.setVisible(False)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)

        column = QVBoxLayout(self)
        column.addWidget(self.heading)
        column.addWidget(self.prompt)
        column.addLayout(choices)
        column.addWidget(self.estimate)
        column.addWidget(self.cast)
        column.addWidget(self.problem)
        column.addWidget(self.scroller, 1)
        column.addWidget(self.failures)
        column.addWidget(self.hint)
        column.addWidget(self.outcome)
        column.addWidget(self.buttons)

        self._choose_default()
        self.backend.activated.connect(lambda _index: self._backend_chosen())
        self.model.activated.connect(lambda _index: self.replan())
        self.count.valueChanged.connect(lambda _count: self.replan())
        self.draft_button.clicked.connect(self.send)
        self.grid.picked.connect(self.pick)
        self.grid.menu_requested.connect(self._cell_menu)
        self.grid.focused.connect(lambda cell: self.scroller.ensureWidgetVisible(cell, 8, 8))
        document.changed.connect(self._on_changed)
        document.job_changed.connect(self._job_changed)
        document.closing.connect(self._project_closing)
        self.replan()
        self.show_stills()
        self.resize(self.sizeHint().width(), self.sizeHint().height() + ROW_HEIGHT)

    # ------------------------------------------------------------------------------------------ whose stills

    def _show_heading(self) -> bool:
        """Heading, prompt and hint as the project has them now; False when the shot or member is gone."""
        words = self.owner.words()
        if words is None:
            self.heading.setText("Draft stills")
            return False
        heading, prompt, hint = words
        self.heading.setText(heading)
        self.prompt.setText(prompt)
        self.hint.setText(hint)
        return True

    # ------------------------------------------------------------------------------------------ choosing

    def _choose_default(self) -> None:
        """The shot's own backend where it makes stills (its key is set already), else the free animatic."""
        shot = self.owner.shot()
        own = shot.generation.backend if shot is not None else ""
        wanted = own if any(info.id == own for info in self.offered) else ANIMATIC
        self.backend.setCurrentIndex(max(self.backend.findData(wanted), 0))
        self._fill_models()

    def _fill_models(self) -> None:
        self.model.clear()
        info = self._info()
        if info is None:
            return
        for option in info.still_models:
            self.model.addItem(option.label, option.id)

    def _info(self) -> BackendInfo | None:
        backend = str(self.backend.currentData() or "")
        return next((info for info in self.offered if info.id == backend), None)

    def _backend_chosen(self) -> None:
        self._fill_models()
        self.replan()

    def choose(self, backend: str, model: str = "", count: int | None = None) -> None:
        """Set the backend, model and count as a creator would with the lists."""
        self.backend.setCurrentIndex(max(self.backend.findData(backend), 0))
        self._fill_models()
        if model:
            self.model.setCurrentIndex(max(self.model.findData(model), 0))
        if count is not None:
            self.count.blockSignals(True)
            self.count.setValue(count)
            self.count.blockSignals(False)
        self.replan()

    # ------------------------------------------------------------------------------------------ the plan

    def replan(self) -> None:
        """Price the stills afresh: what they make and cost, the project's spending, and why they cannot go yet."""
        if not self._show_heading():
            self._refuse("This shot has been deleted." if not self.for_member else "This cast member was removed.")
            return
        info = self._info()
        if info is None:
            self._refuse("No backend makes stills in Shotline here.")
            return
        count = self.count.value()
        model = str(self.model.currentData() or "")
        try:
            records = self.document.plan_stills(self.owner_id, count, backend=info.id, model=model)
        except ShotlineError as error:
            self._refuse(describe(error))
            return
        registry = self.document.ctx.registry
        kind = info.kind
        planned = sum((estimate_cost(record.estimated_cost, kind) for record in records), FREE)
        self.planned = planned
        chosen = info.still_model(model)
        label = chosen.label if chosen is not None else model
        so_far = spending(self.document.jobs(), self.document.project.settings.budget, kinds(registry))
        each = f" ({estimate_cost(records[0].estimated_cost, kind).text()} each)" if planned.amount else ""
        noun = self.owner.noun()
        self.estimate.setText(
            f"{count} {noun}s with {info.name} · {label}: {planned.text()}{each}. Project: {so_far.describe()}."
        )
        self.cast.show_shot(self.document.project, self.owner.shot(), chosen)
        if self._keyless(info):
            self._refuse(
                f"{info.name} needs an API key first: add it in Edit → API keys…, or choose another backend.",
                keep_estimate=True,
            )
            return
        self.problem.setText("")
        self.problem.setVisible(False)
        self.draft_button.setEnabled(True)
        self.draft_button.setText(f"Draft {count} · {planned.text()}")

    def _keyless(self, info: BackendInfo) -> bool:
        """A provider that needs a key this computer does not have: its stills would only be refused."""
        try:
            return info.needs_key and self.document.ctx.secrets.source(info.id) is KeySource.NONE
        except ShotlineError:
            return False  # a keyring that cannot be read now: the job asks for the key when it is sent

    def _refuse(self, why: str, *, keep_estimate: bool = False) -> None:
        if not keep_estimate:
            self.estimate.setText("")
            self.cast.show_shot(self.document.project, None, None)
            self.planned = None
        self.problem.setText(why)
        self.problem.setVisible(True)
        self.draft_button.setEnabled(False)
        self.draft_button.setText("Draft")

    def _on_changed(self, change: ProjectChange) -> None:
        """The shot or cast edited behind the dialog is priced again; a pick shows on its cell."""
        if self.owner_id in change.updated or change.removed or change.reordered or change.settings or change.cast:
            self.replan()
        self.show_stills()

    # ------------------------------------------------------------------------------------------ sending

    def send(self) -> None:
        """Ask first when it is paid (once per session, as Generate does), then send one job per still."""
        if self.planned is None or not self.draft_button.isEnabled():
            return
        count = self.count.value()
        self.spend_question = ask_then(
            self,
            self.document,
            self.planned,
            count,
            self._start,
            doing=f"Drafting {count} {self.owner.noun()}s",
            title=f"These {self.owner.noun()}s cost money",
        )

    def _start(self) -> None:
        info = self._info()
        if info is None:
            return
        ids = self.document.draft_stills(
            self.owner_id, self.count.value(), backend=info.id, model=str(self.model.currentData() or "")
        )
        if not ids:
            self.replan()  # refused (the budget moved meanwhile): the document said why; the plan says it again
            return
        self.job_ids = ids + self.job_ids
        self.outcome.setText("")
        self.grid.current_key = ids[0]
        self.show_stills()
        self.grid.focus_first()
        self.replan()  # the project's spending now counts them

    def _job_changed(self, job_id: str) -> None:
        try:
            record = self.document.job(job_id)
        except KeyError:
            return
        if record.shot_id == self.owner_id:
            self.show_stills()

    def running(self) -> bool:
        return any(self.document.is_running(job_id) for job_id in self.job_ids)

    # ------------------------------------------------------------------------------------------ the grid

    def records(self) -> list[JobRecord]:
        """The owner's still jobs as the grid lists them (ui.drafted_stills.listed)."""
        return listed(self.document.jobs(), self.owner_id, self.job_ids)

    def show_stills(self) -> None:
        states = cell_states(self.document, self.records(), self.job_ids, self.owner.shot())
        for state in states:
            if state.media:
                self.pictures.want(state.media)
        self.grid.show_cells(states, self.pictures.pictures)
        failed = [state for state in states if state.problem and state.key in self.job_ids]
        self.failures.setText(
            f"{len(failed)} of {len(self.job_ids)} {self.owner.noun()}s not made: {failed[0].problem}" if failed else ""
        )
        self.failures.setVisible(bool(failed))
        self.empty.setText("" if states else f"No {self.owner.noun()}s yet: choose how many and Draft.")
        self.empty.setVisible(not states)

    # ------------------------------------------------------------------------------------------ picking

    def pick(self, job_id: str) -> None:
        """Enter or double-click: the still becomes the shot's first frame, or one of the member's pictures."""
        if self.for_member:
            self.add_to_member(job_id, self.owner_id)
            return
        still, shot = drafted_still(self.document, job_id), self.owner.shot()
        if still is None or shot is None:
            return
        try:
            use_as_first_frame(self.document.session, shot.id, still)
        except ShotlineError as error:
            self.document.failed.emit(describe(error))
            return
        finally:
            self.document.history_changed.emit()
        shot = self.owner.shot()
        if shot is None:
            return
        number = self._number(job_id)
        self.outcome.setStyleSheet("")
        said = f"Still {number} is now {self.owner.whose()} first frame (Edit → Undo takes it back)."
        then, words_only = what_generate_makes(self.document.ctx.registry.info(shot.generation.backend), shot)
        if words_only:
            self.outcome.setStyleSheet(f"color: {theme.WARNING.name()}")
        self.outcome.setText(f"{said} {then}")

    def add_to_member(self, job_id: str, member_id: str) -> None:
        still = drafted_still(self.document, job_id)
        if still is None:
            return
        try:
            member = add_to_cast(self.document.session, member_id, still)
        except ShotlineError as error:
            self.document.failed.emit(describe(error))
            return
        finally:
            self.document.history_changed.emit()
        self.outcome.setStyleSheet("")
        self.outcome.setText(
            f"{self.owner.noun().capitalize()} {self._number(job_id)} is one of @{member.name}'s pictures now, number "
            f"{member.images.index(still.media) + 1} of {len(member.images)} (Edit → Undo takes it back)."
        )

    def _number(self, job_id: str) -> int:
        """The still's place in the grid, as the creator counts the cells."""
        keys = [cell.state.key for cell in self.grid.cells]
        return keys.index(job_id) + 1 if job_id in keys else 0

    def cell_menu(self, job_id: str) -> QMenu | None:
        """Use it (first frame or the member's pictures) and "Add to cast member ▸" each member; None while it works."""
        still = drafted_still(self.document, job_id)
        if still is None:
            return None
        menu = QMenu(self)
        member = self.owner.member()
        if member is not None:
            use = menu.addAction(f"Add to @{member.name}'s pictures")
        else:
            use = menu.addAction("Use as first frame")
        use.triggered.connect(lambda: self.pick(job_id))
        others = [m for m in self.document.project.cast if m.id != self.owner_id]
        cast_menu = menu.addMenu("Add to cast member")
        for other in others:
            add = cast_menu.addAction(f"@{other.name}" + (" ✓" if still.media in other.images else ""))
            add.triggered.connect(lambda _checked=False, m=other.id: self.add_to_member(job_id, m))
        if not others:
            none = cast_menu.addAction("No cast yet: add one in Cast & places")
            none.setEnabled(False)
        return menu

    def _cell_menu(self, job_id: str, at: QPoint) -> None:
        menu = self.cell_menu(job_id)
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(at)

    def showEvent(self, event: QShowEvent) -> None:
        """Opened on stills, the keys move among them at once: an arrow pressed in the backend's list would change the
        backend instead (seen in the walk)."""
        super().showEvent(event)
        if self.grid.cells:
            QTimer.singleShot(0, self.grid.focus_first)

    # ------------------------------------------------------------------------------------------ closing

    def done(self, result: int) -> None:
        """Closed while stills are on their way: only hidden, and opening it again shows them as they are."""
        if self.running():
            self.hide()
            return
        self._let_go()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running():
            event.ignore()
            self.hide()
            return
        self._let_go()
        super().closeEvent(event)

    def _project_closing(self) -> None:
        """The project closes while stills are on their way: their jobs resume when it is next opened, and the grid
        opened then shows them; this one, of a project no longer open, goes."""
        self._let_go()
        self.job_ids = []
        super().done(QDialog.DialogCode.Rejected.value)

    def _let_go(self) -> None:
        """The dialog stops following the document (it is about to go); once."""
        if self.closing:
            return  # done() let go already, and Qt's close follows it
        self.closing = True
        followed = (
            (self.document.changed, self._on_changed),
            (self.document.job_changed, self._job_changed),
            (self.document.closing, self._project_closing),
        )
        for signal, slot in followed:
            signal.disconnect(slot)


def show_draft_stills(document: ProjectDocument, owner_id: str, parent: QWidget) -> DraftStillsDialog:
    """Not modal: the creator keeps working while the stills are made. A dialog of the same shot (or member) still
    open, or only hidden while its stills are on their way, is shown again rather than a second one."""
    for dialog in parent.findChildren(DraftStillsDialog):
        if dialog.document is document and dialog.owner_id == owner_id and not dialog.closing:
            dialog.show()
            dialog.raise_()
            dialog.activateWindow()
            return dialog
    dialog = DraftStillsDialog(document, owner_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
