"""Getting started: the short guide the window offers on its first start, and again from Help → Getting started….

1. How to make clips: stay offline with animatic placeholders, or one of the installed backends. Moving on makes
   the choice the default backend for new shots.
2. That backend's key, stored in the system keyring and tried off the GUI thread (only for backends that need one).
3. Open the demo project, or finish.

Finishing and skipping (Esc) both mark the guide done, so it is never offered by itself again. The guide never
touches a project: it asks the window to open the demo.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from shotline.core.errors import KeyStoreError, ShotlineError
from shotline.core.ports import BackendInfo
from shotline.services import keys, preferences
from shotline.services.context import AppContext
from shotline.services.session_keys import keep_keys_in_memory, keys_in_memory
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.keys import key_test_tooltip

OFFLINE_BACKEND = "animatic"
"""The built-in backend that renders title cards on this computer: what a creator without any key starts with."""
OFFLINE_LABEL = "Stay offline (animatic placeholders)"

CHOOSE_PAGE, KEY_PAGE, DEMO_PAGE = range(3)


def _note(text: str, parent: QWidget, colour: str = theme.MUTED.name()) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {colour};")
    return label


def _problem_label(parent: QWidget) -> QLabel:
    label = _note("", parent, theme.WARNING.name())
    label.hide()
    return label


class ChoosePage(QWizardPage):
    """Every installed backend as a radio button with its one-line description; the current default is checked."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setTitle("How should Shotline make your clips?")
        self.setSubTitle(
            "You can change this any time in Preferences, and each shot can use its own backend in the inspector."
        )
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        column = QVBoxLayout(self)
        for info in ctx.registry.infos():
            button = QRadioButton(OFFLINE_LABEL if info.id == OFFLINE_BACKEND else info.name, self)
            self.group.addButton(button)
            self.buttons[info.id] = button
            column.addWidget(button)
            if info.description:
                note = _note(info.description, self)
                note.setIndent(24)  # under the button's text, not its circle
                column.addWidget(note)
            column.addSpacing(4)
        column.addStretch(1)
        self.problem = _problem_label(self)
        column.addWidget(self.problem)
        chosen = self.buttons.get(ctx.settings.default_backend) or self.buttons.get(OFFLINE_BACKEND)
        if chosen is not None:
            chosen.setChecked(True)

    def chosen(self) -> str:
        return next((backend for backend, button in self.buttons.items() if button.isChecked()), OFFLINE_BACKEND)

    def chosen_info(self) -> BackendInfo:
        return self.ctx.registry.spec(self.chosen()).info

    def initializePage(self) -> None:
        checked = self.group.checkedButton()
        if checked is not None:
            checked.setFocus()  # arrow keys move the choice, Enter moves on

    def validatePage(self) -> bool:
        try:
            preferences.choose_default_backend(self.ctx, self.chosen())
        except ShotlineError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return False
        self.problem.hide()
        return True

    def nextId(self) -> int:
        return KEY_PAGE if self.chosen_info().needs_key else DEMO_PAGE


class KeyPage(QWizardPage):
    """The chosen backend's key: stored through the keys service (the OS keyring), tried off the GUI thread."""

    def __init__(
        self, ctx: AppContext, bridge: Bridge, chosen: Callable[[], BackendInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bridge = bridge
        self.chosen = chosen
        self.info = chosen()
        self.key_field = QLineEdit(self)
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.test_button = QPushButton("Test", self)
        self.test_button.clicked.connect(self.try_key)
        self.answer = _note("", self)
        self.status = _note("", self)
        self.problem = _problem_label(self)
        self.memory_button = QPushButton("Keep keys in memory for this run", self)
        self.memory_button.setToolTip("Keys set from now on are forgotten when Shotline quits")
        self.memory_button.clicked.connect(self.use_memory)
        self.memory_button.hide()
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Key", self), 0, 0)
        grid.addWidget(self.key_field, 0, 1)
        grid.addWidget(self.test_button, 0, 2)
        grid.addWidget(self.answer, 1, 1, 1, 2)
        grid.addWidget(self.status, 2, 1, 1, 2)
        grid.addWidget(self.problem, 3, 0, 1, 3)
        grid.addWidget(self.memory_button, 4, 0, 1, 3)
        grid.setRowStretch(5, 1)
        grid.setColumnStretch(1, 1)

    def initializePage(self) -> None:
        info = self.info = self.chosen()
        self.setTitle(f"Your {info.name} key")
        self.setSubTitle(
            "Shotline keeps it in your system keyring, never in a file. You can leave it for now and set it later "
            "in Edit → API keys."
        )
        self.key_field.clear()
        self.key_field.setPlaceholderText(f"Paste the {info.name} key")
        self.key_field.setFocus()
        testable = keys.can_try_key(self.ctx, info.id)
        self.test_button.setEnabled(testable)
        self.test_button.setToolTip(key_test_tooltip(info.name, testable, stores_first=True))
        self.answer.clear()
        self.problem.hide()
        self.show_status()

    def show_status(self) -> None:
        try:
            self.status.setText(keys.key_status(self.ctx, self.info.id).plain)
        except KeyStoreError as error:
            self.status.clear()
            self.keyring_failed(error)

    def store(self) -> bool:
        """Store the typed key; False (with why, and the in-memory offer) when the keyring refuses it."""
        try:
            keys.set_key(self.ctx, self.info.id, self.key_field.text())
        except KeyStoreError as error:
            self.keyring_failed(error)
            return False
        self.key_field.clear()
        self.problem.hide()
        self.show_status()
        return True

    def keyring_failed(self, error: KeyStoreError) -> None:
        self.problem.setText(str(error))
        self.problem.show()
        self.memory_button.setVisible(not keys_in_memory(self.ctx))

    def use_memory(self) -> None:
        keep_keys_in_memory(self.ctx)
        self.memory_button.hide()
        if self.key_field.text().strip():
            self.store()
        self.problem.setText("Keys are kept in memory for this run only; they are forgotten when Shotline quits.")
        self.problem.show()

    def try_key(self) -> None:
        """Store what was typed, then ask the provider on the runner; the answer shows beside the key."""
        if self.key_field.text().strip() and not self.store():
            return
        info = self.info
        try:
            handle = keys.start_key_try(self.ctx, info.id)
        except ShotlineError as error:
            self.answer.setText(str(error))
            return
        self.test_button.setEnabled(False)
        self.answer.setText(f"Asking {info.name}…")
        self.bridge.watch(
            handle,
            lambda answer: self._answered(info, answer, theme.SUCCESS.name()),
            # a provider out of reach is not the key's fault: the same words as the keys dialog
            lambda error: self._answered(info, keys.key_test_failure(info.name, error), theme.WARNING.name()),
            lambda: self._answered(info, "", theme.MUTED.name()),
        )

    def _answered(self, info: BackendInfo, text: str, colour: str) -> None:
        if info is not self.info:
            return  # the creator went back and chose another backend meanwhile
        self.test_button.setEnabled(True)
        self.answer.setStyleSheet(f"color: {colour};")
        self.answer.setText(text)

    def validatePage(self) -> bool:
        """A typed key is stored on the way on; an empty field just moves on (the key can come later)."""
        return self.store() if self.key_field.text().strip() else True

    def nextId(self) -> int:
        return DEMO_PAGE


class DemoPage(QWizardPage):
    def __init__(self, project_open: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Ready")
        self.setSubTitle("Start with the demo film, or go straight to your own work.")
        self.demo = QRadioButton("Open the demo project", self)
        self.finish_only = QRadioButton(
            "Finish and keep the open project" if project_open else "Finish on the welcome page", self
        )
        column = QVBoxLayout(self)
        column.addWidget(self.demo)
        note = _note(
            "A four-shot film rendered on this computer in a few seconds, ready to edit, generate and export.", self
        )
        note.setIndent(24)
        column.addWidget(note)
        column.addSpacing(4)
        column.addWidget(self.finish_only)
        column.addStretch(1)
        (self.finish_only if project_open else self.demo).setChecked(True)

    def initializePage(self) -> None:
        (self.demo if self.demo.isChecked() else self.finish_only).setFocus()

    def nextId(self) -> int:
        return -1


class GettingStartedGuide(QWizard):
    demo_requested = Signal()
    """Finished with "Open the demo project" chosen; the window opens it (rendered off the GUI thread)."""
    failed = Signal(str)

    def __init__(self, ctx: AppContext, *, project_open: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bridge = Bridge(self)
        self.setWindowTitle("Getting started")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(QWizard.WizardButton.CancelButton, "Skip")
        self.choose_page = ChoosePage(ctx, self)
        self.key_page = KeyPage(ctx, self.bridge, self.choose_page.chosen_info, self)
        self.demo_page = DemoPage(project_open, self)
        self.setPage(CHOOSE_PAGE, self.choose_page)
        self.setPage(KEY_PAGE, self.key_page)
        self.setPage(DEMO_PAGE, self.demo_page)
        self.setStartId(CHOOSE_PAGE)
        self.resize(700, 640)
        self.finished.connect(self._finished)

    def _finished(self, result: int) -> None:
        try:
            preferences.finish_first_run(self.ctx)
        except ShotlineError as error:
            self.failed.emit(f"Could not remember that the guide was done, so it will show again: {error}")
        if result == QWizard.DialogCode.Accepted and self.demo_page.demo.isChecked():
            self.demo_requested.emit()
