"""Try on other models…: one shot sent to 2–4 backend/model pairs at once, to compare what each makes and pick.

Before anything is sent the dialog shows, per pair, what that model will make of the shot and what it should cost,
and the total (services.try_on, the same plan `shotline generate --try` prints); a paid try-on asks the spend
question the window's Generate asks (ui.spend_question). Once sent, each pair's row follows its job until its take
lands, captioned by model, cost and time taken as the comparison captions it; when every pair is done, the takes
open side by side (ui.compare_grid) to pick from. Closing the dialog early leaves the jobs running: their takes
still land on the shot, as any Generate's do.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core.changes import ProjectChange
from shotline.core.errors import ShotlineError
from shotline.core.model import Shot, Take
from shotline.core.ports import BackendInfo, JobPhase, ModelInfo
from shotline.core.references import How, Placement, cast_text, placements
from shotline.services.budget import spending
from shotline.services.jobs_view import state_text
from shotline.services.ledger import kinds
from shotline.services.take_caption import take_caption
from shotline.services.try_on import FEWEST_PAIRS, MOST_PAIRS, Pair, TryOn
from shotline.storage.secrets import KeySource
from shotline.ui import theme
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.spend_question import ask_then

NONE = ""
"""The backend of a pair row left empty (rows after the first two)."""
ORDINALS = {3: "third", 4: "fourth"}


class PairRow:
    """One backend/model pair of the dialog: its two choices, and a line saying what it makes and costs (before
    sending) or how its job is doing (after)."""

    def __init__(self, dialog: TryOnDialog, number: int, optional: bool) -> None:
        self.backend = QComboBox(dialog)
        self.model = QComboBox(dialog)
        self.backend.setAccessibleName(f"Backend {number}")
        self.model.setAccessibleName(f"Model {number}")
        if optional:
            self.backend.addItem("(none)", NONE)
        for info in dialog.offered:
            self.backend.addItem(info.name, info.id)
        self.number = QLabel(f"{number}", dialog)
        self.line = QLabel(dialog)
        self.line.setWordWrap(True)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.job_id = ""
        self.text = ""

    @property
    def pair(self) -> Pair | None:
        backend = str(self.backend.currentData() or NONE)
        return Pair(backend, str(self.model.currentData() or "")) if backend else None

    def say(
        self, text: str, *, warning: bool = False, notes: Sequence[str] = (), cast: Sequence[Placement] = ()
    ) -> None:
        """`text` muted (or as a warning); `notes`, what the model cannot take, each on a line as a warning; `cast`,
        what the model is sent of each member the prompt mentions, on one line, a member dropped as a warning."""
        self.line.setTextFormat(Qt.TextFormat.RichText)
        colour = (theme.WARNING if warning else theme.MUTED).name()
        lines = [f'<span style="color: {colour}">{html.escape(text)}</span>']
        lines += [f'<span style="color: {theme.WARNING.name()}">{html.escape(note)}</span>' for note in notes]
        if cast:
            lines.append(" · ".join(_cast_item(placement) for placement in cast))
        self.line.setText("<br>".join(lines))
        self.text = "\n".join([text, *notes, *([cast_text(tuple(cast))] if cast else [])])
        """What the line says, as plain text."""

    def leave_out(self) -> None:
        """An optional pair not chosen, once the try-on is sent: nothing of it stays on screen."""
        for widget in (self.number, self.backend, self.model, self.line):
            widget.setVisible(False)


class TryOnDialog(QDialog):
    def __init__(
        self,
        document: ProjectDocument,
        shot_id: str,
        compare: Callable[[list[Take]], object],
        parent: QWidget | None = None,
    ) -> None:
        """`compare` opens the side-by-side comparison on the landed takes (the window's, which pauses its player)."""
        super().__init__(parent)
        self.document = document
        self.shot_id = shot_id
        self._compare = compare
        self.plan: TryOn | None = None
        self.job_ids: list[str] = []
        self.spend_question: QMessageBox | None = None
        """The open question of a paid try-on, until it is answered (ui.spend_question)."""
        self.offered = [info for info in document.ctx.registry.infos() if _models(info)]
        self.setWindowTitle("Try on other models")
        self.setMinimumWidth(640)

        shot = document.project.shot(shot_id)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-weight: bold")
        self.prompt = QLabel(self)
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setStyleSheet(f"color: {theme.MUTED.name()}")
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        self.rows: list[PairRow] = []
        for number in range(1, MOST_PAIRS + 1):
            row = PairRow(self, number, optional=number > FEWEST_PAIRS)
            grid.addWidget(row.number, 2 * number, 0)
            grid.addWidget(row.backend, 2 * number, 1)
            grid.addWidget(row.model, 2 * number, 2)
            grid.addWidget(row.line, 2 * number + 1, 1, 1, 2)
            self.rows.append(row)
        self.total = QLabel(self)
        self.total.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.WARNING.name()}")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.try_button: QPushButton = self.buttons.addButton("Try on", QDialogButtonBox.ButtonRole.AcceptRole)
        self.try_button.setDefault(True)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)

        column = QVBoxLayout(self)
        column.addWidget(self.heading)
        column.addWidget(self.prompt)
        column.addLayout(grid)
        column.addSpacing(6)
        column.addWidget(self.total)
        column.addWidget(self.problem)
        column.addWidget(self.buttons)

        self._choose_defaults(shot)
        for row in self.rows:
            row.backend.activated.connect(lambda _index, r=row: self._backend_chosen(r))
            row.model.activated.connect(lambda _index: self.replan())
        document.changed.connect(self._on_changed)
        document.job_changed.connect(self._job_changed)
        document.closing.connect(self._project_closing)
        self._following = True
        self.replan()

    # ------------------------------------------------------------------------------------------ choosing

    def _choose_defaults(self, shot: Shot) -> None:
        """The shot's own model first (what the others are judged against), then another the creator can send to
        now: a provider whose key is set, else another model of the same backend."""
        own = shot.generation
        first, second = self.rows[0], self.rows[1]
        self._set(first, own.backend, own.model)
        keyed = next((info for info in self.offered if info.id != own.backend and self._has_key(info)), None)
        if keyed is not None:
            self._set(second, keyed.id, "")
            return
        chosen = first.pair
        backend = next((info for info in self.offered if info.id == (chosen.backend if chosen else "")), None)
        others = [m.id for m in _models(backend)] if backend is not None else []
        other = next((m for m in others if chosen is None or m != chosen.model), "")
        self._set(second, backend.id if backend is not None else self.offered[-1].id, other)

    def _has_key(self, info: BackendInfo) -> bool:
        if not info.needs_key:
            return False  # a local backend may need a server running; the creator chooses it themselves
        try:
            return self.document.ctx.secrets.source(info.id) is not KeySource.NONE
        except ShotlineError:
            return False

    def _set(self, row: PairRow, backend: str, model: str) -> None:
        found = row.backend.findData(backend)
        row.backend.setCurrentIndex(max(found, 0))
        self._fill_models(row, model)

    def _fill_models(self, row: PairRow, model: str = "") -> None:
        row.model.clear()
        backend = str(row.backend.currentData() or NONE)
        info = next((info for info in self.offered if info.id == backend), None)
        row.model.setEnabled(info is not None)
        if info is None:
            return
        taken = {
            pair.model for other in self.rows if other is not row and (pair := other.pair) and pair.backend == backend
        }
        for option in _models(info):
            row.model.addItem(option.label, option.id)
        # a backend chosen for a second pair starts on a model no other pair has, so it is a comparison at once, and
        # one that can make the shot as it is (a model that starts from an image, for a shot that has one)
        project = self.document.project
        framed = project.has_shot(self.shot_id) and project.shot(self.shot_id).generation.first_frame is not None
        fitting = (m.id for m in _models(info) if m.id not in taken and (m.text_to_video or framed))
        default = model or next(fitting, info.default_model.id)
        row.model.setCurrentIndex(max(row.model.findData(default), 0))

    def _backend_chosen(self, row: PairRow) -> None:
        self._fill_models(row)
        self.replan()

    def pairs(self) -> list[Pair]:
        return [pair for row in self.rows if (pair := row.pair) is not None]

    def choose(self, number: int, backend: str, model: str = "") -> None:
        """Set pair `number` (1–4) as a creator would with its two lists; "" as backend leaves an optional one out."""
        row = self.rows[number - 1]
        self._set(row, backend, model)
        self.replan()

    # ------------------------------------------------------------------------------------------ the plan

    def replan(self) -> None:
        """Price the chosen pairs afresh: per pair what it makes and costs, the total, and why it cannot go yet."""
        if self.job_ids:
            return
        project = self.document.project
        if not project.has_shot(self.shot_id):
            self._refuse("This shot has been deleted.")
            return
        shot = project.shot(self.shot_id)
        number = project.index_of(shot.id) + 1
        self.heading.setText(f"Try shot {number}{f' · {shot.title}' if shot.title else ''} on other models")
        self.prompt.setText(f"“{shot.prompt.strip()}”" if shot.prompt.strip() else "This shot has no prompt yet.")
        chosen: list[PairRow] = []
        for number, row in enumerate(self.rows, start=1):
            pair = row.pair
            first = next((n for n, earlier in enumerate(chosen, start=1) if earlier.pair == pair), 0)
            if pair is None:
                row.say(f"Optional: choose a backend to try a {ORDINALS[number]} model too.")
            elif first:
                # said on the row the creator just set, in the names they see, and the other pairs stay priced
                row.say(
                    f"The same model as pair {self.rows.index(chosen[first - 1]) + 1}: choose another.", warning=True
                )
            else:
                chosen.append(row)
        pairs = [row.pair for row in chosen if row.pair is not None]
        repeated = len(pairs) < len(self.pairs())
        if len(pairs) < FEWEST_PAIRS:
            self._refuse("Choose two different models at least, to compare them.")
            return
        try:
            self.plan = self.document.plan_try_on(self.shot_id, pairs)
        except ShotlineError as error:
            self._refuse(describe(error))
            return
        registry = self.document.ctx.registry
        for row, trial in zip(chosen, self.plan.trials, strict=True):
            notes = list(trial.fit.notes())
            model = registry.info(trial.record.backend).model(trial.record.model)
            # the cast as each model takes it, so the pairs show what of it each keeps and loses
            cast = placements(project, shot, model) if model is not None else ()
            row.say(trial.describe().removeprefix(f"{trial.name}: "), notes=notes, cast=cast)
        total = self.plan.total
        so_far = spending(self.document.jobs(), project.settings.budget, kinds(self.document.ctx.registry))
        self.total.setText(f"Total for {len(pairs)} takes: {total.text()}. Project: {so_far.describe()}.")
        missing = [info.name for info in self._keyless(pairs)]
        if repeated:
            self._refuse(
                "Each model is tried once: choose another for the pair marked, or leave it out.", keep_total=True
            )
            return
        if missing:
            self._refuse(
                f"{' and '.join(missing)} {'needs' if len(missing) == 1 else 'need'} an API key first: add it in "
                "Edit → API keys…, or choose another model.",
                keep_total=True,
            )
            return
        self.problem.setText("")
        self.problem.setVisible(False)
        self.try_button.setEnabled(True)
        self.try_button.setText(f"Try on {len(pairs)} models · {total.text()}")

    def _keyless(self, pairs: list[Pair]) -> list[BackendInfo]:
        """The chosen providers that need a key this computer does not have: their jobs would only be refused."""
        infos = {info.id: info for info in self.offered}
        chosen = dict.fromkeys(pair.backend for pair in pairs)
        keyless: list[BackendInfo] = []
        for backend in chosen:
            info = infos[backend]
            try:
                unset = info.needs_key and self.document.ctx.secrets.source(backend) is KeySource.NONE
            except ShotlineError:
                unset = False  # a keyring that cannot be read now: the window asks for the key when it sends
            if unset:
                keyless.append(info)
        return keyless

    def _refuse(self, why: str, *, keep_total: bool = False) -> None:
        self.plan = None if not keep_total else self.plan
        if not keep_total:
            self.total.setText("")
        self.problem.setText(why)
        self.problem.setVisible(True)
        self.try_button.setEnabled(False)
        self.try_button.setText("Try on")

    def _on_changed(self, change: ProjectChange) -> None:
        """The shot edited behind the dialog (its prompt, its length) is priced again; once sent, a landed take is
        shown on its pair's row."""
        if self.job_ids:
            self._show_jobs()
        elif self.shot_id in change.updated or change.removed or change.reordered or change.settings:
            self.replan()

    # ------------------------------------------------------------------------------------------ sending

    def send(self) -> None:
        """Ask first when it is paid (once per session, as Generate does), then send one job per pair."""
        if self.plan is None or self.job_ids:
            return
        plan = self.plan
        self.spend_question = ask_then(
            self,
            self.document,
            plan.total,
            len(plan.trials),
            self._start,
            doing=f"Trying this shot on {len(plan.trials)} models",
            title="This try-on costs money",
        )

    def _start(self) -> None:
        pairs = self.pairs()
        chosen = [row for row in self.rows if row.pair is not None]
        ids = self.document.try_on(self.shot_id, pairs)
        if not ids:
            self.replan()  # refused (the budget moved meanwhile): the document said why; the plan says it again
            return
        self.job_ids = ids
        for row, job_id in zip(chosen, ids, strict=True):
            row.job_id = job_id
        for row in self.rows:
            row.backend.setEnabled(False)
            row.model.setEnabled(False)
            if row.pair is None:
                row.leave_out()
        if self.plan is not None:
            self.total.setText(f"Sent to {len(ids)} models: {self.plan.total.text()} in all.")
        self.try_button.setVisible(False)
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.problem.setVisible(True)
        self.problem.setStyleSheet(f"color: {theme.MUTED.name()}")
        self.problem.setText(
            "The takes open side by side when every model is done; closing this leaves the models working."
        )
        self._show_jobs()
        self.adjustSize()  # the rows left out and the lists gone: no gaps where they were

    def _job_changed(self, job_id: str) -> None:
        if job_id in self.job_ids:
            self._show_jobs()

    def _show_jobs(self) -> None:
        project = self.document.project
        shot = project.shot(self.shot_id) if project.has_shot(self.shot_id) else None
        for row in self.rows:
            if row.job_id:
                self._show_job(row, shot)
        if self.running():
            return
        landed = self.landed_takes()
        if len(landed) >= FEWEST_PAIRS:
            self._compare(landed)
            self._let_go()
            super().done(QDialog.DialogCode.Accepted.value)
            return
        self.problem.setStyleSheet(f"color: {theme.WARNING.name()}")
        self.problem.setText(
            "Only one take landed: there is nothing to compare it with. It is on the shot's list of takes."
            if landed
            else "No take landed; each model's line says why."
        )
        self.show()  # closed while the models worked: what became of the try-on is said, not lost

    def _show_job(self, row: PairRow, shot: Shot | None) -> None:
        try:
            job = self.document.job(row.job_id)
        except KeyError:
            row.say("Waiting to be sent…")
            return
        take = self._take_of(shot, row.job_id)
        if take is not None and shot is not None:
            caption = take_caption(self.document.ctx, take, shot.takes.index(take) + 1, job)
            row.say(f"{caption.title.partition(' · ')[0]} landed · {caption.facts}")
            return
        if job.phase.is_final or job.phase is JobPhase.DOWNLOADED:
            row.say(_sentence(state_text(job)), warning=job.phase is not JobPhase.ATTACHED)
            return
        row.say(f"{_sentence(state_text(job))} · {round(self.document.progress(row.job_id) * 100)}%")

    @staticmethod
    def _take_of(shot: Shot | None, job_id: str) -> Take | None:
        if shot is None:
            return None
        return next((t for t in shot.takes if t.generation is not None and t.generation.job_id == job_id), None)

    def landed_takes(self) -> list[Take]:
        """The takes the pairs made that are on the shot now, in the pairs' order."""
        project = self.document.project
        shot = project.shot(self.shot_id) if project.has_shot(self.shot_id) else None
        landed = [take for job_id in self.job_ids if (take := self._take_of(shot, job_id)) is not None]
        return sorted(landed, key=lambda take: shot.takes.index(take) if shot is not None else 0)  # as numbered

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the dialog (from Edit → API keys…, say) prices and checks the pairs again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and not self.job_ids:
            self.replan()

    def running(self) -> bool:
        return any(self.document.is_running(job_id) for job_id in self.job_ids)

    def done(self, result: int) -> None:
        """Closed while the models work: only hidden, so their takes still open side by side when all are in."""
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
        super().closeEvent(event)

    def _project_closing(self) -> None:
        """The project closes while its models work: the jobs resume when it is next opened, and their takes land
        then; nothing here is left to say that it failed."""
        self._let_go()
        self.job_ids = []
        super().done(QDialog.DialogCode.Rejected.value)

    def _let_go(self) -> None:
        """The dialog stops following the document (it is about to go); once."""
        if not self._following:
            return
        self._following = False
        followed = (
            (self.document.changed, self._on_changed),
            (self.document.job_changed, self._job_changed),
            (self.document.closing, self._project_closing),
        )
        for signal, slot in followed:
            signal.disconnect(slot)


def _sentence(text: str) -> str:
    """ "Failed: Your fal.ai account…", where str.capitalize would lower the provider's own words."""
    return text[:1].upper() + text[1:]


def _cast_item(placement: Placement) -> str:
    colour = theme.WARNING if placement.how is How.DROPPED else theme.MUTED
    text = html.escape(f"@{placement.name} → {placement.text()}")
    return f'<span style="color: {colour.name()}">{text}</span>'


def _models(info: BackendInfo | None) -> list[ModelInfo]:
    """The models a try-on offers: all but the retired ones, which take no new shots."""
    return [m for m in info.models if not m.retired] if info is not None else []


def show_try_on(
    document: ProjectDocument, shot_id: str, compare: Callable[[list[Take]], object], parent: QWidget
) -> TryOnDialog:
    """Not modal: once sent, the creator keeps working while the models make their takes."""
    dialog = TryOnDialog(document, shot_id, compare, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
