"""Preferences → Content Credentials: the certificate chain and private key exports are signed with (C2PA), an
optional timestamp server, and a Check that tries them.

Importing c2pa and signing a test sound take most of a second, so both run on the runner's thread pool and their
answers come back through the dialog's bridge; only the answer for the latest Check is shown. Without c2pa-python
the group says why and is disabled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from shotline.core.errors import ShotlineError
from shotline.jobs.runner import JobHandle
from shotline.services.content_credentials import (
    SigningIdentity,
    environment_override,
    identity_setting,
    start_identity_check,
    start_library_check,
)
from shotline.services.context import AppContext
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import describe

log = logging.getLogger(__name__)

PEM_FILES = "PEM files (*.pem *.crt *.cer *.key);;All files (*)"
HINT = "Check signs a test sound with these files."

SettingKey = tuple[tuple[str, str], ...]


class ContentCredentialsGroup(QWidget):
    """The `c2pa_identity` setting as fields; `chosen()` is what Save stores, `refusal()` what Check said against it.

    A plain widget, not a titled box: Preferences shows it as its own "Content Credentials" tab."""

    def __init__(self, ctx: AppContext, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._bridge = bridge
        configured = ctx.settings.c2pa_identity
        intro = QLabel(
            "Sign exports with your certificate (C2PA), so anyone can see who made the film and which shots were "
            "generated, and by what.",
            self,
        )
        intro.setWordWrap(True)
        self.certificate = self._path_field(configured.get("certificate", ""), "Your certificate, then its issuers")
        self.private_key = self._path_field(configured.get("private_key", ""), "The certificate's key, unencrypted")
        self.timestamp_url = QLineEdit(configured.get("timestamp_url", ""), self)
        self.timestamp_url.setPlaceholderText("Optional: an RFC 3161 server (signing then needs the network)")
        self.timestamp_url.setToolTip("A time-stamping authority proves when the film was signed")
        self.timestamp_url.textEdited.connect(self._fields_edited)
        self.ask_file: Callable[[str, str], str] = self._ask_file
        """Browse…'s question (title, current path) → the chosen file, "" if cancelled; replaceable so tests can
        answer."""
        self.check_button = QPushButton("Check", self)
        self.check_button.setToolTip("Load the certificate and key and sign a test sound with them")
        self.check_button.clicked.connect(self.check)
        self.status = QLabel(HINT, self)
        self.status.setWordWrap(True)
        self._colour(self.status, theme.MUTED)
        self.override = QLabel(environment_override() or "", self)
        self.override.setWordWrap(True)
        self.override.setVisible(bool(self.override.text()))
        self._colour(self.override, theme.WARNING)

        form = QFormLayout(self)
        form.addRow(intro)
        self.browse_certificate = self._browse_button(self.certificate, "Certificate chain (PEM)")
        self.browse_key = self._browse_button(self.private_key, "Private key (PEM)")
        form.addRow("Certificate chain", _row(self.certificate, self.browse_certificate))
        form.addRow("Private key", _row(self.private_key, self.browse_key))
        form.addRow("Timestamp server", self.timestamp_url)
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)
        form.addRow("", check_row)
        form.addRow("", self.status)
        form.addRow(self.override)

        self._check: JobHandle[SigningIdentity] | None = None
        self._refusals: dict[SettingKey, str] = {}
        """What finished checks said against each set of fields (so Save can refuse an identity c2pa refused)."""
        self._library: JobHandle[str | None] | None = start_library_check(ctx)
        bridge.watch(self._library, self._library_checked, lambda error: self._library_checked(describe(error)))

    def _path_field(self, text: str, placeholder: str) -> QLineEdit:
        field = QLineEdit(text, self)
        field.setPlaceholderText(placeholder)
        field.textEdited.connect(self._fields_edited)
        return field

    def _browse_button(self, field: QLineEdit, title: str) -> QPushButton:
        browse = QPushButton("Browse…", self)
        browse.setToolTip(f"Choose the {title[0].lower()}{title[1:]} file")
        browse.clicked.connect(lambda: self._browse(field, title))
        return browse

    def _ask_file(self, title: str, current: str) -> str:
        chosen, _filter = QFileDialog.getOpenFileName(self, title, current, PEM_FILES)
        return chosen

    def _browse(self, field: QLineEdit, title: str) -> None:
        chosen = self.ask_file(title, field.text().strip())
        if chosen:
            field.setText(chosen)
            self._fields_edited()

    def _fields_edited(self) -> None:
        self._forget_check()
        self._show(HINT, theme.MUTED)

    # ------------------------------------------------------------------------------------------ the setting

    def fields(self) -> dict[str, str]:
        return {
            "certificate": self.certificate.text(),
            "private_key": self.private_key.text(),
            "timestamp_url": self.timestamp_url.text(),
        }

    def chosen(self) -> dict[str, str] | None:
        """The fields for Save to check and store; None (leave the setting alone) when c2pa is not available."""
        return self.fields() if self.isEnabled() else None

    def refusal(self) -> str | None:
        """What the last Check of exactly these fields refused, if it did."""
        try:
            key = _key(identity_setting(self.fields()))
        except ShotlineError:
            return None  # Save names what is wrong with the fields themselves
        return self._refusals.get(key)

    # ------------------------------------------------------------------------------------------ checking

    def check(self) -> None:
        """Try the fields with c2pa on the runner's thread pool; the answer replaces the status when it comes."""
        self._forget_check()
        try:
            setting = identity_setting(self.fields())
        except ShotlineError as error:
            self._show(str(error), theme.DANGER)
            return
        self._show("Checking…", theme.MUTED)
        handle = start_identity_check(self.ctx, setting)
        self._check = handle
        key = _key(setting)
        self._bridge.watch(
            handle, lambda identity: self._checked(handle, key, identity), lambda e: self._checked(handle, key, e)
        )

    def _checked(
        self, handle: JobHandle[SigningIdentity], key: SettingKey, answer: SigningIdentity | BaseException
    ) -> None:
        if isinstance(answer, BaseException):
            self._refusals[key] = f"Content Credentials cannot sign with these files: {describe(answer)}."
        else:
            self._refusals.pop(key, None)
        if handle is not self._check:
            return
        self._check = None
        if isinstance(answer, BaseException):
            self._show(self._refusals[key], theme.DANGER)
        else:
            self._show(f"Signs as {answer.signer}.", theme.SUCCESS)

    def _library_checked(self, reason: str | None) -> None:
        self._library = None
        if reason:
            reason = for_creator(reason)
            self.setEnabled(False)
            self._show(f"Not available: {reason}.", theme.WARNING)
            self.setToolTip(f"Content Credentials are not available: {reason}")

    def _forget_check(self) -> None:
        if self._check is not None:
            self._check.cancel()
            self._check = None

    def stop(self) -> None:
        """Drop the checks still running: nobody will read their answers."""
        self._forget_check()
        if self._library is not None:
            self._library.cancel()
            self._library = None

    def _show(self, text: str, colour: QColor) -> None:
        self.status.setText(text)
        self._colour(self.status, colour)

    @staticmethod
    def _colour(label: QLabel, colour: QColor) -> None:
        label.setStyleSheet(f"color: {colour.name()};")


def for_creator(reason: str) -> str:
    """Why signing is impossible, in a creator's words: the install commands and library errors the command line
    shows (useful there) stay in the log."""
    if "c2pa-python" in reason:
        log.info("Content Credentials are not available: %s", reason)
        if "not installed" in reason:
            return "this copy of Shotline was installed without Content Credentials signing"
        return "the signing part of this copy of Shotline could not be loaded; reinstalling Shotline should fix it"
    if reason.startswith("no signing identity is set up"):
        return "no certificate is set up yet; choose one in Preferences → Content Credentials"
    return reason


def _row(field: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(button)
    return row


def _key(setting: dict[str, str]) -> SettingKey:
    return tuple(sorted(setting.items()))
