"""Film → Check continuity…: what in the film's picked takes is not what was asked (services.continuity), a row per
finding naming its shot, each fix a button; and the one question an export asks first when something is found.

The check decodes frames where a shot continues another, so it runs on the app's runner, never the GUI thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.services.continuity import Action, Finding, Fix, check, frames_taken
from shotline.services.shots import last_frame_image
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.spend_question import ask_then, planned_cost

T = TypeVar("T")
ShowShot = Callable[[str], object]
"""Selects a shot in the window (the storyboard and the inspector follow the selection)."""


def run_check(
    document: ProjectDocument, done: Callable[[list[Finding]], object], failed: Callable[[BaseException], object]
) -> None:
    """The check of the project as it is now, on the runner; `done` gets the findings on the GUI thread."""
    project, bundle = document.project, document.session.bundle
    starts_from_frame = frames_taken(document.ctx.registry)

    async def work() -> list[Finding]:
        return await asyncio.to_thread(check, project, bundle.resolve, starts_from_frame=starts_from_frame)

    document.bridge.watch(document.ctx.runner.submit(work()), done, failed)


class ContinuityDialog(QDialog):
    def __init__(self, document: ProjectDocument, show_shot: ShowShot, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._show_shot = show_shot
        self.findings: list[Finding] = []
        self._awaited: dict[str, int] = {}
        """Shots a fix is generating a take for, with how many takes each had: a new one there checks again."""
        document.changed.connect(self._take_landed)
        self.setWindowTitle("Check continuity")
        self.setMinimumSize(620, 360)
        self.resize(760, 560)  # four findings and their buttons without a scroll bar
        column = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        column.addWidget(self.summary)
        self._rows = QWidget(self)
        self._rows_column = QVBoxLayout(self._rows)
        self._rows_column.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._rows)
        column.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.again = buttons.addButton("Check again", QDialogButtonBox.ButtonRole.ActionRole)
        self.again.setAutoDefault(False)  # Enter in the dialog must not start a decode of the whole film again
        self.again.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.start()

    def start(self) -> None:
        count = len(self.document.project.shots)
        self.summary.setText(f"Checking {count} shot{'s' if count != 1 else ''}…")
        self.again.setEnabled(False)
        run_check(self.document, self._while_open(self.show_findings), self._while_open(self._failed))

    def _while_open(self, then: Callable[[T], object]) -> Callable[[T], None]:
        """`then`, unless the dialog was closed (and deleted) before the runner answered."""
        alive = [True]
        self.destroyed.connect(lambda: alive.clear())  # captures the list, not the dialog

        def deliver(value: T) -> None:
            if alive:
                then(value)

        return deliver

    def _failed(self, error: BaseException) -> None:
        self.again.setEnabled(True)
        self.summary.setText(f"The check could not finish: {describe(error)}")

    def show_findings(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.again.setEnabled(True)
        while (item := self._rows_column.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        if not findings:
            self.summary.setText(
                "Nothing to fix: every picked take is the length asked, at the film's shape and frame rate, and "
                "every shot set to continue starts where the one before it ends."
            )
            return
        count = len(findings)
        self.summary.setText(f"{count} thing{'s' if count != 1 else ''} to look at before you export:")
        for finding in findings:
            self._rows_column.addWidget(self._row(finding))
        self._rows_column.addStretch(1)

    def _row(self, finding: Finding) -> QFrame:
        row = QFrame(self._rows)
        row.setObjectName("finding")
        row.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(row)
        text = QLabel(finding.text, row)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(text)
        line = QHBoxLayout()
        show = QPushButton(f"Show shot {finding.number}", row)
        show.clicked.connect(lambda _checked=False, shot_id=finding.shot_id: self._show_shot(shot_id))
        line.addWidget(show)
        line.addStretch(1)
        for action in finding.actions:
            button = QPushButton(action.label, row)
            button.setObjectName(f"fix-{action.fix.value}")
            button.clicked.connect(lambda _checked=False, a=action, b=button: self.act(a, b))
            line.addWidget(button)
        column.addLayout(line)
        return row

    def act(self, action: Action, button: QPushButton | None = None) -> None:
        """Do one fix: an edit (undoable) and the check again, or a Generate through the usual spending question."""
        if not self.document.project.has_shot(action.shot_id):
            return
        if action.from_previous:
            self._start_from_previous(action, button)
            return
        command = action.command()
        if command is not None:
            self.document.seal()
            self.document.execute(command)
            self.document.seal()
        if action.fix is Fix.REGENERATE:
            self._generate(action.shot_id, button)
            return
        self.start()

    def _generate(self, shot_id: str, button: QPushButton | None) -> None:
        shot = self.document.project.shot(shot_id)

        def generate() -> None:
            if self.document.generate([shot_id], takes=1):
                self._awaited[shot_id] = len(self.document.project.shot(shot_id).takes)
                if button is not None:
                    button.setText("Generating… (checked again when it lands)")
                    button.setEnabled(False)

        ask_then(self, self.document, planned_cost(self.document, [shot], 1), 1, generate)

    def _take_landed(self, _change: object) -> None:
        """A take a fix asked for has landed: check again, so the new take is offered to pick when it mends it."""
        project = self.document.project
        landed = [
            shot_id
            for shot_id, before in self._awaited.items()
            if project.has_shot(shot_id) and len(project.shot(shot_id).takes) > before
        ]
        for shot_id in landed:
            del self._awaited[shot_id]
        if landed:
            self.start()

    def _start_from_previous(self, action: Action, button: QPushButton | None) -> None:
        """The previous shot's last frame as it plays now becomes this shot's first frame again, then Generate."""
        project = self.document.project
        index = project.index_of(action.shot_id)
        previous = project.shots[index - 1].picked_take if index > 0 else None
        if previous is None:
            self.document.failed.emit(f"Shot {index} has no take yet; generate or import one first.")
            return
        bundle = self.document.session.bundle

        async def work() -> str:
            return await asyncio.to_thread(last_frame_image, bundle, previous)

        def use(image: str) -> None:
            if not self.document.project.has_shot(action.shot_id):
                return
            settings = self.document.project.shot(action.shot_id).generation
            continuing = dataclasses.replace(settings, first_frame=image, continues=True)
            self.document.seal()
            self.document.execute(commands.set_generation(action.shot_id, continuing))
            self.document.seal()
            self._generate(action.shot_id, button)

        self.document.bridge.watch(
            self.document.ctx.runner.submit(work()),
            self._while_open(use),
            lambda error: self.document.failed.emit(describe(error)),
        )


def show_check(document: ProjectDocument, show_shot: ShowShot, parent: QWidget) -> ContinuityDialog:
    dialog = ContinuityDialog(document, show_shot, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def check_before_export(
    document: ProjectDocument, parent: QWidget, export: Callable[[], object], review: Callable[[], object]
) -> None:
    """Before an export: when the check finds something the creator has not already seen and passed, one question —
    export anyway, or look at it first. Never a block: Export anyway goes on, a check that fails goes on too, and
    findings passed once are not asked about again while the project is open."""

    def answer(findings: list[Finding]) -> None:
        new = [finding for finding in findings if finding.text not in document.continuity_passed]
        if not new:
            export()
            return
        headline, detail = _question(new)
        box = QMessageBox(QMessageBox.Icon.Question, "Before you export", headline, parent=parent)
        box.setInformativeText(detail)
        box.setObjectName("continuity-question")
        go = box.addButton("Export anyway", QMessageBox.ButtonRole.AcceptRole)
        look = box.addButton("Check continuity…", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(go)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def export_anyway() -> None:
            document.continuity_passed |= {finding.text for finding in findings}
            export()

        go.clicked.connect(export_anyway)
        look.clicked.connect(review)
        box.open()

    run_check(document, answer, lambda _error: export())


def _question(findings: list[Finding]) -> tuple[str, str]:
    """The question's headline and its detail: the first finding whole, then the shots the others are on."""
    count = len(findings)
    headline = (
        "The continuity check found something to look at before you export."
        if count == 1
        else f"The continuity check found {count} things to look at before you export."
    )
    detail = findings[0].text
    if count > 1:
        shots = sorted({finding.number for finding in findings[1:]})
        named = ", ".join(map(str, shots[:-1])) + (" and " if len(shots) > 1 else "") + str(shots[-1])
        detail += f"\n\n…and {count - 1} more, on shot{'s' if len(shots) > 1 else ''} {named}."
    return headline, detail
