"""API keys: one row per backend that needs a key — set, test, remove — and where the key comes from now.

Keys go to the OS keyring. Without a usable keyring the dialog says so plainly and offers to keep keys in memory
for this run only; it never writes a key to a file.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core.errors import KeyStoreError, ShotlineError
from shotline.core.ports import BackendInfo
from shotline.services import keys
from shotline.services.context import AppContext
from shotline.services.session_keys import keep_keys_in_memory, keys_in_memory
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.fit import grow_to_fit

if TYPE_CHECKING:
    from shotline.jobs.runner import JobHandle

log = logging.getLogger(__name__)

CANNOT_TEST = "This backend cannot check a key without generating something"
KEY_TEST_TIMEOUT_MS = 15_000
"""A test that has had no answer by then is stopped: the provider is out of reach, whatever the key."""


def key_test_tooltip(name: str, testable: bool, *, stores_first: bool = False) -> str:
    """What the Test button does for backend `name`, or why it cannot."""
    if not testable:
        return CANNOT_TEST
    ask = f"Store the key and ask {name}" if stores_first else f"Ask {name}"
    return f"{ask} whether the key works (one free request; nothing is generated)"


class KeyRow:
    def __init__(self, dialog: KeysDialog, info: BackendInfo, grid: QGridLayout, row: int) -> None:
        self.dialog = dialog
        self.info = info
        self.source = QLabel(dialog)
        self.source.setWordWrap(True)
        self.source.setStyleSheet(f"color: {theme.MUTED.name()};")
        self.field = QLineEdit(dialog)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText(f"Paste the {info.name} key")
        self.field.setMinimumWidth(self.field.fontMetrics().horizontalAdvance(self.field.placeholderText()) + 24)
        self.set_button = QPushButton("Set", dialog)
        self.set_button.setToolTip(f"Store this key for {info.name}")
        self.test_button = QPushButton("Test", dialog)
        testable = keys.can_try_key(dialog.ctx, info.id)
        self.test_button.setEnabled(testable)
        self.test_button.setToolTip(key_test_tooltip(info.name, testable))
        self.test_button.clicked.connect(self._test_or_cancel)
        self._testing: JobHandle[str] | None = None
        self._deadline = QTimer(dialog)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(KEY_TEST_TIMEOUT_MS)
        self._deadline.timeout.connect(self._no_answer)
        self.remove_button = QPushButton("Remove", dialog)
        self.remove_button.setToolTip(f"Forget the stored key for {info.name}")
        self.set_button.clicked.connect(self.store)
        self.field.returnPressed.connect(self.store)
        self.remove_button.clicked.connect(self.remove)
        grid.addWidget(QLabel(info.name, dialog), row, 0)
        grid.addWidget(self.field, row, 1)
        grid.addWidget(self.set_button, row, 2)
        grid.addWidget(self.test_button, row, 3)
        grid.addWidget(self.remove_button, row, 4)
        grid.addWidget(self.source, row + 1, 1, 1, 4)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.source.setText(keys.key_status(self.dialog.ctx, self.info.id).plain)
        except KeyStoreError as error:
            self.source.setText(f"{self.info.name}: the keyring cannot be read.")
            self.dialog.keyring_failed(error)

    def store(self) -> None:
        key = self.field.text()
        if not key.strip():
            self.dialog.show_problem("The key is empty; paste the whole key from the provider's dashboard.")
            return
        try:
            keys.set_key(self.dialog.ctx, self.info.id, key)
        except KeyStoreError as error:
            self.dialog.keyring_failed(error, pending=(self, key))
            return
        self.field.clear()
        self.refresh()

    def _test_or_cancel(self) -> None:
        if self._testing is not None:
            self.cancel_test("Test cancelled; the key was not judged.")
        else:
            self.try_key()

    def try_key(self) -> None:
        """Ask the provider off the GUI thread, with Cancel and a deadline; the answer replaces the source line."""
        try:
            handle = keys.start_key_try(self.dialog.ctx, self.info.id)
        except ShotlineError as error:
            self.dialog.show_problem(str(error))
            return
        self._testing = handle
        self.test_button.setText("Cancel")
        self.test_button.setToolTip(f"Stop asking {self.info.name}")
        self.source.setText(f"Asking {self.info.name}…")
        self._deadline.start()
        self.dialog.bridge.watch(
            handle,
            lambda answer: self._answered(handle, answer),
            lambda error: self._answered(handle, error),
            lambda: None,  # a cancel has already said so
        )

    def cancel_test(self, why: str) -> None:
        handle = self._testing
        if handle is None:
            return
        self._end_test()
        handle.cancel()
        self.source.setText(f"{self.info.name}: {why}")

    def _no_answer(self) -> None:
        seconds = KEY_TEST_TIMEOUT_MS // 1000
        self.cancel_test(f"no answer within {seconds} seconds, so the key was not tested. Check the connection.")

    def _end_test(self) -> None:
        self._testing = None
        self._deadline.stop()
        self.test_button.setText("Test")
        self.test_button.setToolTip(key_test_tooltip(self.info.name, True))

    def _answered(self, handle: JobHandle[str], answer: str | BaseException) -> None:
        if handle is not self._testing:
            return  # cancelled or timed out: that answer is no longer awaited
        self._end_test()
        if isinstance(answer, BaseException):
            log.info("Testing the %s key failed: %s", self.info.id, answer)  # the technical detail, for a report
            self.source.setText(keys.key_test_failure(self.info.name, answer))
        else:
            self.source.setText(f"{self.info.name}: {answer}")

    def remove(self) -> None:
        try:
            keys.delete_key(self.dialog.ctx, self.info.id)
        except KeyStoreError as error:
            self.dialog.keyring_failed(error)
            return
        self.refresh()


class KeysDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bridge = Bridge(self)
        self.setWindowTitle("API keys")
        self._pending: tuple[KeyRow, str] | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Keys are kept in your system keyring, never in a file. A provider's usual environment variable, "
            "when set, is used instead for that run.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.WARNING.name()};")
        self.problem.hide()
        self.memory_button = QPushButton("Keep keys in memory for this run", self)
        self.memory_button.setToolTip("Keys set from now on are forgotten when Shotline quits")
        self.memory_button.clicked.connect(self.use_memory)
        self.memory_button.hide()
        layout.addWidget(self.problem)
        layout.addWidget(self.memory_button)
        grid = QGridLayout()
        layout.addLayout(grid)
        keyed = [info for info in ctx.registry.all_infos() if info.needs_key]
        self.rows: dict[str, KeyRow] = {}
        for n, info in enumerate(keyed):
            self.rows[info.id] = KeyRow(self, info, grid, 2 * n)
        if not keyed:
            layout.addWidget(QLabel("None of the installed backends needs a key.", self))
        grid.setColumnStretch(1, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if keys_in_memory(ctx):
            self._show_memory_note()

    def keyring_failed(self, error: KeyStoreError, pending: tuple[KeyRow, str] | None = None) -> None:
        """Explain plainly and offer the in-memory store; a key being set waits to be stored there."""
        self._pending = pending or self._pending
        self.problem.setText(str(error))
        self.problem.show()
        self.memory_button.setVisible(not keys_in_memory(self.ctx))

    def use_memory(self) -> None:
        keep_keys_in_memory(self.ctx)
        self._show_memory_note()
        pending, self._pending = self._pending, None
        if pending is not None:
            row, key = pending
            row.field.setText(key)
            row.store()
        for row in self.rows.values():
            row.refresh()

    def _show_memory_note(self) -> None:
        self.memory_button.hide()
        self.problem.setText("Keys are kept in memory for this run only; they are forgotten when Shotline quits.")
        self.problem.show()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        grow_to_fit(self, event)
        return handled

    def reject(self) -> None:
        for row in self.rows.values():  # closing stops any test still waiting for its provider
            row.cancel_test("Test cancelled.")
        super().reject()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
