"""Issue 14, point 14, in the API keys dialog: plain words (no command lines), a key test that can be cancelled and
gives up by itself, and "could not reach Runway" kept apart from "the key did not work". Real HTTP on 127.0.0.1:
a port nobody listens on, and a listener that takes the connection and never answers."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from keyring.backends import fail

from shotline.services.context import AppContext
from shotline.storage.secrets import EnvironmentOverride, KeyringSecretStore
from shotline.ui.dialogs import keys as keys_dialog
from shotline.ui.dialogs.keys import KeysDialog
from tests.fakes.runway import FakeRunway


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A listener that accepts connections (the kernel does, from its backlog) and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def _dialog(qtbot, ctx: AppContext) -> KeysDialog:  # type: ignore[no-untyped-def]
    dialog = KeysDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _set_key(dialog: KeysDialog, key: str) -> None:
    row = dialog.rows["runway"]
    row.field.setText(key)
    row.set_button.click()


def test_the_key_lines_speak_plainly(qtbot, app_context: AppContext) -> None:
    app_context.secrets.delete("runway")
    dialog = _dialog(qtbot, app_context)
    row = dialog.rows["runway"]
    assert "`" not in row.source.text() and "shotline keys" not in row.source.text(), row.source.text()
    assert row.source.text().startswith("Runway:")  # the provider's name, not its id
    assert row.field.minimumWidth() >= row.field.fontMetrics().horizontalAdvance(row.field.placeholderText())


def test_a_provider_out_of_reach_is_not_blamed_on_the_key(qtbot, app_context: AppContext, monkeypatch) -> None:
    monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    dialog = _dialog(qtbot, app_context)
    row = dialog.rows["runway"]
    _set_key(dialog, "rw-some-key-0123456789")
    row.test_button.click()
    qtbot.waitUntil(lambda: row.test_button.text() == "Test" and "Asking" not in row.source.text(), timeout=30_000)
    said = f"{row.source.text()} {dialog.problem.text() if dialog.problem.isVisible() else ''}"
    assert "could not reach runway" in said.lower(), said
    assert "did not work" not in said and "errno" not in said.lower() and "refused" not in said.lower(), said


def test_a_refused_key_says_so(qtbot, app_context: AppContext, monkeypatch) -> None:
    with FakeRunway(key="rw-good-key-0123456789") as fake:
        monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", fake.url)
        dialog = _dialog(qtbot, app_context)
        row = dialog.rows["runway"]
        _set_key(dialog, "rw-wrong-key-000000000")
        row.test_button.click()
        qtbot.waitUntil(lambda: row.test_button.text() == "Test", timeout=10_000)
        assert "did not work" in row.source.text() and "could not reach" not in row.source.text().lower()
        assert "rw-wrong-key" not in row.source.text()


def test_a_key_test_can_be_cancelled(qtbot, app_context: AppContext, monkeypatch, silent_server: str) -> None:
    monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", silent_server)
    dialog = _dialog(qtbot, app_context)
    row = dialog.rows["runway"]
    _set_key(dialog, "rw-some-key-0123456789")
    row.test_button.click()
    assert row.test_button.isEnabled() and row.test_button.text() == "Cancel"
    row.test_button.click()
    assert row.test_button.text() == "Test" and "cancelled" in row.source.text().lower()
    assert "did not work" not in row.source.text()


def test_a_key_test_gives_up_by_itself(qtbot, app_context: AppContext, monkeypatch, silent_server: str) -> None:
    monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", silent_server)
    monkeypatch.setattr(keys_dialog, "KEY_TEST_TIMEOUT_MS", 300, raising=False)  # the deadline, made short
    dialog = _dialog(qtbot, app_context)
    row = dialog.rows["runway"]
    _set_key(dialog, "rw-some-key-0123456789")
    row.test_button.click()
    qtbot.waitUntil(lambda: row.test_button.text() == "Test" and row.test_button.isEnabled(), timeout=10_000)
    assert "no answer" in row.source.text() and "did not work" not in row.source.text(), row.source.text()


def test_a_key_kept_in_memory_is_the_one_tested(qtbot, app_context: AppContext, monkeypatch) -> None:
    """Seen in the dialogs walk: without a keyring, a key kept in memory was tested as "no system keyring", because
    the backend asked was made (when the dialog opened) reading keys from the keyring."""
    original = app_context.secrets
    app_context.secrets = EnvironmentOverride(KeyringSecretStore(backend=fail.Keyring()), {}, environ={})
    _drop_runway_backend(app_context)  # made afresh by this dialog, as in a new run
    try:
        with FakeRunway(key="rw-good-key-0123456789") as fake:
            monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", fake.url)
            dialog = _dialog(qtbot, app_context)
            assert dialog.memory_button.isVisible()
            dialog.memory_button.click()
            _set_key(dialog, "rw-good-key-0123456789")
            row = dialog.rows["runway"]
            row.test_button.click()
            qtbot.waitUntil(lambda: row.test_button.text() == "Test", timeout=10_000)
            assert "Key accepted" in row.source.text(), row.source.text()
    finally:
        app_context.secrets = original
        _drop_runway_backend(app_context)


def _drop_runway_backend(ctx: AppContext) -> None:
    """Forget the context's Runway backend, closed as the context would close it: dropped open, its connection to
    the fake server was left for the garbage collector, whose ResourceWarning failed whichever test ran then."""
    backend = ctx._backends.pop("runway", None)
    if backend is not None:
        ctx.runner.run(backend.aclose(), timeout=10)
