"""The inspector's Dialogue section: what is said in the selected shot, a line a row — who says it (a cast member
chosen, or any name typed) and the words — with Add line, and each line moved up, down or removed.

Every change is one undo step (typing a line's words is one, as typing a prompt is). Under the lines: how the
shot's model is sent them (in the form its provider's guide asks), or why it is not (services.shot_fit: the model
cannot speak, or the shot's sound is off).
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QVBoxLayout, QWidget

from shotline.core import commands, dialogue
from shotline.core.changes import ProjectChange
from shotline.core.dialogue import DialogueForm
from shotline.core.errors import EditError
from shotline.core.model import DialogueLine, Project, Shot
from shotline.services.shot_fit import fit_shot
from shotline.services.shots import model_info
from shotline.ui import theme
from shotline.ui.document import ProjectDocument
from shotline.ui.sound_inspector import _Section, hint_label

NOBODY = "Who says it"
"""The speaker box's placeholder: a line nobody is named for."""

_FORMS = {
    DialogueForm.SAYS: "as quoted speech after who says it",
    DialogueForm.BLOCK: "as a Dialogue block below the prompt",
    DialogueForm.LABELLED: "each labelled with who says it",
}


class LineRow(QWidget):
    """One line: its speaker box, its words, and up, down and remove."""

    def __init__(self, section: DialogueSection, line_id: str) -> None:
        super().__init__(section)
        self.section = section
        self.line_id = line_id
        self.speaker = QComboBox(self)
        self.speaker.setEditable(True)
        self.speaker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.typed = QLineEdit(self.speaker)
        self.typed.setPlaceholderText(NOBODY)
        self.speaker.setLineEdit(self.typed)
        self.speaker.setToolTip("A cast member from the list, or any name typed (Narrator, A voice off)")
        self.speaker.setMinimumContentsLength(9)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("What they say")
        self.up = self._button("↑", "Say this line earlier")
        self.down = self._button("↓", "Say this line later")
        self.remove = self._button("✕", "Remove this line (Undo brings it back)")
        # who above what, so the words have the inspector's whole width (a dock is narrow, a line may be long)
        who = QHBoxLayout()
        who.setContentsMargins(0, 0, 0, 0)
        who.addWidget(self.speaker, 1)
        for button in (self.up, self.down, self.remove):
            who.addWidget(button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 4)
        column.setSpacing(2)
        column.addLayout(who)
        column.addWidget(self.text)
        self.text.textEdited.connect(self._words)
        self.speaker.activated.connect(lambda _index: self._speaker())
        self.typed.editingFinished.connect(self._speaker)
        self.up.clicked.connect(lambda: self.section.move_line(self.line_id, -1))
        self.down.clicked.connect(lambda: self.section.move_line(self.line_id, +1))
        self.remove.clicked.connect(lambda: self.section.remove_line(self.line_id))
        self.text.installEventFilter(section)  # leaving the words ends their undo step

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def show_line(self, project: Project, line: DialogueLine, first: bool, last: bool) -> None:
        names = ["@" + member.name for member in project.cast]
        if [self.speaker.itemText(i) for i in range(self.speaker.count())] != names:
            self.speaker.clear()
            self.speaker.addItems(names)
        member = dialogue.speaker_member(project, line)
        shown = f"@{member.name}" if member else line.speaker
        if self.speaker.currentText() != shown and not self.typed.hasFocus():
            self.speaker.setCurrentIndex(names.index(shown) if shown in names else -1)
            self.speaker.setEditText(shown)
            self.typed.setCursorPosition(0)
        if self.text.text() != line.text and not self.text.hasFocus():
            self.text.setText(line.text)
            self.text.setCursorPosition(0)  # a long line shows its start
        self.up.setEnabled(not first)
        self.down.setEnabled(not last)

    def _words(self, text: str) -> None:
        shot_id = self.section.shot_id
        if shot_id is not None:
            self.section.send(self, commands.edit_line(shot_id, self.line_id, text=text), gesture=True)

    def _speaker(self) -> None:
        shot_id = self.section.shot_id
        project = self.section.document.project
        if shot_id is None or not project.has_shot(shot_id):
            return
        line = next((x for x in project.shot(shot_id).dialogue if x.id == self.line_id), None)
        if line is None:
            return
        typed = self.speaker.currentText()
        try:
            speaker, member_id = dialogue.said_by(project, typed)
        except EditError as error:
            self.section.refuse(self, str(error))
            return
        if (speaker, member_id) == (line.speaker, line.member_id):
            return
        changed = {"member_id": member_id} if member_id is not None else {"speaker": speaker}
        self.section.send(self, commands.edit_line(shot_id, self.line_id, **changed))


class DialogueSection(_Section):
    """The selected shot's dialogue lines."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__("Dialogue", document, parent)
        self.shot_id: str | None = None
        self.rows: list[LineRow] = []
        self.lines_box = QWidget(self)
        self.lines_column = QVBoxLayout(self.lines_box)
        self.lines_column.setContentsMargins(0, 0, 0, 0)
        self.empty = hint_label("No lines: nothing is said in this shot.", self)
        self.add_button = QPushButton("Add line", self)
        self.add_button.setToolTip("A line said in this shot: a model that speaks is sent it, a voice can say it")
        self.sent = QLabel(self)
        self.sent.setWordWrap(True)
        self.form.addRow(self.lines_box)
        self.form.addRow(self.empty)
        self.add_row("", self.add_button)  # with its line for refusals (a 51st line, a line too long)
        self.form.addRow(self.sent)
        self.add_button.clicked.connect(self.add_line)
        document.changed.connect(self._on_changed)
        self.show_shot(None)

    @property
    def shot(self) -> Shot | None:
        project = self.document.project
        return project.shot(self.shot_id) if self.shot_id and project.has_shot(self.shot_id) else None

    def show_shot(self, shot_id: str | None) -> None:
        if shot_id != self.shot_id:
            self.clear_errors()
            self._last_control = None
        self.shot_id = shot_id
        self._refresh()

    def _on_changed(self, change: ProjectChange) -> None:
        if self.shot_id is not None and (change.updated or change.removed or change.cast):
            self._refresh()

    def _refresh(self) -> None:
        shot = self.shot
        self.setVisible(shot is not None)
        if shot is None:
            return
        project = self.document.project
        ids = [line.id for line in shot.dialogue]
        if [row.line_id for row in self.rows] != ids:
            for row in self.rows:
                self._errors.pop(row, None)
                row.deleteLater()
            self.rows = [LineRow(self, line_id) for line_id in ids]
            for row in self.rows:
                self.lines_column.addWidget(row)
                self._errors[row] = self.error_label(self.add_button)  # a row's refusal shows under the lines
        self.form.setRowVisible(self.lines_box, bool(ids))
        self.form.setRowVisible(self.empty, not ids)

        def fill() -> None:
            for n, (row, line) in enumerate(zip(self.rows, shot.dialogue, strict=True)):
                row.show_line(project, line, n == 0, n == len(ids) - 1)

        self.showing(fill)
        self._show_sent(shot)

    def _show_sent(self, shot: Shot) -> None:
        """How the shot's model is sent its lines, or why not (the words of the notice under the model)."""
        model = model_info(self.document.ctx.registry, shot.generation)
        said = len(dialogue.spoken(shot))
        unspoken = fit_shot(shot, model).unspoken if model is not None else ""
        if unspoken:
            text, colour = unspoken, theme.WARNING
        elif said and model is not None:
            them = "its line" if said == 1 else f"its {said} lines"
            text, colour = f"{model.label} is sent {them} {_FORMS[model.dialogue]}.", theme.MUTED
        else:
            text, colour = "", theme.MUTED
        self.sent.setText(text)
        self.sent.setStyleSheet(f"color: {colour.name()}")
        self.form.setRowVisible(self.sent, bool(text))

    def add_line(self) -> None:
        if self.shot_id is None:
            return
        if self.send(self.add_button, commands.add_line(self.shot_id)) and self.rows:
            self.rows[-1].text.setFocus()  # the new line's words are what comes next

    def move_line(self, line_id: str, by: int) -> None:
        shot = self.shot
        if shot is not None:
            index = [line.id for line in shot.dialogue].index(line_id)
            self.send(self.add_button, commands.move_line(shot.id, line_id, max(0, index + by)))

    def remove_line(self, line_id: str) -> None:
        if self.shot_id is not None:
            self.send(self.add_button, commands.remove_line(self.shot_id, line_id))

    def refuse(self, control: QWidget, message: str) -> None:
        self._show_error(control, message)

    def line_rows(self) -> list[LineRow]:
        return list(self.rows)
