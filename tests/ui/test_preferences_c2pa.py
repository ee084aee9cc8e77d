"""Preferences → Content Credentials through its widgets: files picked with Browse…, Check signing a test sound with
them off the GUI thread and naming the signer or c2pa's refusal, the c2pa_identity setting saved (or refused), the
environment variables that override it named, and the group disabled with the reason when c2pa cannot be loaded.

Real certificates throughout: a throw-away CA and signer from tests/signing.py, and one c2pa refuses.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shotline.services.content_credentials import ENV_CERT, ENV_KEY
from shotline.services.context import AppContext
from shotline.services.preferences import save_settings
from shotline.ui import theme
from shotline.ui.dialogs.preferences import PreferencesDialog
from tests.signing import ISSUER, SIGNER, identity_files
from tests.ui.shell_fixtures import private_settings


@pytest.fixture(autouse=True)
def no_environment_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CERT, raising=False)
    monkeypatch.delenv(ENV_KEY, raising=False)


@pytest.fixture
def open_dialog(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[Callable[[], PreferencesDialog]]:
    private_settings(app_context, tmp_path / "settings")
    opened: list[PreferencesDialog] = []

    def open_() -> PreferencesDialog:
        dialog = PreferencesDialog(app_context)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.tabs.setCurrentWidget(dialog.credentials)  # as the creator would, to see these fields
        opened.append(dialog)
        return dialog

    yield open_
    for dialog in opened:
        dialog.credentials.stop()


def pick(dialog: PreferencesDialog, chain: Path, key: Path) -> None:
    """Browse… for the chain, then for the key, as the creator would."""
    credentials = dialog.credentials
    credentials.ask_file = lambda title, current: str(chain)
    credentials.browse_certificate.click()
    credentials.ask_file = lambda title, current: str(key)
    credentials.browse_key.click()


def check(qtbot, dialog: PreferencesDialog) -> str:
    status = dialog.credentials.status
    dialog.credentials.check_button.click()
    assert status.text() == "Checking…"  # the answer comes later, from the runner's thread pool
    qtbot.waitUntil(lambda: status.text() != "Checking…", timeout=20_000)
    return status.text()


def test_picked_files_are_checked_and_saved(
    qtbot, open_dialog: Callable[[], PreferencesDialog], app_context: AppContext, tmp_path: Path
) -> None:
    chain, key = identity_files(tmp_path / "identity")
    dialog = open_dialog()
    pick(dialog, chain, key)
    assert dialog.credentials.certificate.text() == str(chain)
    assert dialog.credentials.private_key.text() == str(key)

    assert check(qtbot, dialog) == f"Signs as {SIGNER} ({ISSUER})."
    assert theme.SUCCESS.name() in dialog.credentials.status.styleSheet()
    assert not dialog.credentials.override.isVisibleTo(dialog)

    dialog.credentials.timestamp_url.setText("http://timestamp.example.org/tsa")  # checked, it would need the network
    assert dialog.save(), dialog.error.text()
    saved = {"certificate": str(chain), "private_key": str(key), "timestamp_url": "http://timestamp.example.org/tsa"}
    assert dict(app_context.settings_store.load().c2pa_identity) == saved
    assert dict(app_context.settings.c2pa_identity) == saved
    again = open_dialog()  # the saved files are shown next time
    assert again.credentials.fields() == saved


def test_a_refused_certificate_shows_its_reason_and_is_not_saved(
    qtbot, open_dialog: Callable[[], PreferencesDialog], app_context: AppContext, tmp_path: Path
) -> None:
    chain, key = identity_files(tmp_path / "refused", usable=False)
    dialog = open_dialog()
    pick(dialog, chain, key)
    answer = check(qtbot, dialog)
    assert answer.startswith("Content Credentials cannot sign with these files:"), answer
    assert "certificate is invalid" in answer
    assert theme.DANGER.name() in dialog.credentials.status.styleSheet()
    assert not dialog.save()
    assert dialog.error.text() == answer
    assert dict(app_context.settings_store.load().c2pa_identity) == {}

    good_chain, good_key = identity_files(tmp_path / "good")
    pick(dialog, good_chain, good_key)  # choosing other files forgets the refusal of the old ones
    assert dialog.credentials.status.text().startswith("Check signs a test sound")
    assert dialog.save(), dialog.error.text()
    assert app_context.settings_store.load().c2pa_identity["certificate"] == str(good_chain)


def test_a_missing_file_and_half_an_identity_are_named(
    qtbot, open_dialog: Callable[[], PreferencesDialog], app_context: AppContext, tmp_path: Path
) -> None:
    chain, _ = identity_files(tmp_path / "identity")
    dialog = open_dialog()
    pick(dialog, chain, tmp_path / "nowhere" / "key.pem")
    answer = check(qtbot, dialog)
    assert f"the private key {tmp_path / 'nowhere' / 'key.pem'} cannot be read" in answer

    dialog.credentials.private_key.setText("")
    dialog.credentials.check_button.click()  # refused at once: nothing to try
    assert "need both the certificate chain file and its private key file" in dialog.credentials.status.text()
    assert not dialog.save()
    assert "need both" in dialog.error.text()

    dialog.credentials.private_key.setText("key.pem")
    assert not dialog.save()
    assert "The private key must be given as a full path (got 'key.pem')" in dialog.error.text()
    assert dict(app_context.settings_store.load().c2pa_identity) == {}


def test_the_environment_override_is_named(
    open_dialog: Callable[[], PreferencesDialog], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain, key = identity_files(tmp_path / "identity")
    monkeypatch.setenv(ENV_CERT, str(chain))
    monkeypatch.setenv(ENV_KEY, str(key))
    override = open_dialog().credentials.override
    assert override.isVisibleTo(override.window())
    assert override.text() == (
        f"This run signs with the certificate chain in {ENV_CERT} ({chain}) and the private key in {ENV_KEY} "
        f"({key}) instead of the files chosen here."
    )
    monkeypatch.delenv(ENV_KEY)
    assert open_dialog().credentials.override.text().endswith(f"({chain}) instead of the file chosen here.")


def test_without_c2pa_the_group_says_why_and_is_disabled(
    qtbot,
    open_dialog: Callable[[], PreferencesDialog],
    app_context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chain, key = identity_files(tmp_path / "identity")
    kept = {"certificate": str(chain), "private_key": str(key)}
    save_settings(app_context, dataclasses.replace(app_context.settings, c2pa_identity=kept))
    monkeypatch.setitem(sys.modules, "c2pa", None)  # makes `import c2pa` fail as if it were not installed
    dialog = open_dialog()
    credentials = dialog.credentials
    qtbot.waitUntil(lambda: not credentials.isEnabled(), timeout=20_000)
    said = f"{credentials.status.text()} {credentials.toolTip()}"
    assert credentials.status.text() == (
        "Not available: this copy of Shotline was installed without Content Credentials signing."
    )
    assert "pip" not in said and "c2pa-python" not in said and "`" not in said  # no developer text for a creator
    assert not credentials.check_button.isEnabled() and not credentials.certificate.isEnabled()
    assert dialog.save(), dialog.error.text()
    assert dict(app_context.settings_store.load().c2pa_identity) == kept  # left alone, not cleared
