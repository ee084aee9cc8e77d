"""The real OS keyring: set → get → source → delete through KeyringSecretStore and the default backend.

In CI this runs inside `dbus-run-session` with an unlocked gnome-keyring and SHOTLINE_REQUIRE_REAL_KEYRING=1, so a
missing keyring fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid

import keyring
import pytest

from shotline.core.errors import KeyStoreError
from shotline.storage.secrets import KeyringSecretStore, KeySource

pytestmark = pytest.mark.real_keyring


def _unavailable(reason: str) -> None:
    if os.environ.get("SHOTLINE_REQUIRE_REAL_KEYRING") == "1":
        pytest.fail(f"A real keyring is required here but {reason}.", pytrace=False)
    pytest.skip(f"no real keyring: {reason}")


def test_real_keyring_round_trip() -> None:
    backend = keyring.get_keyring()
    if backend.priority <= 0:
        _unavailable(f"the default backend is {type(backend).__module__}.{type(backend).__name__}")
    service = f"shotline-test-{uuid.uuid4().hex[:8]}"  # never touches a creator's real "shotline" entries
    store = KeyringSecretStore(service=service)
    key = f"sk-test-{uuid.uuid4().hex}"
    try:
        store.set("runway", key)
    except KeyStoreError as error:
        _unavailable(f"{type(backend).__name__} refused to store a key ({error})")
    try:
        assert store.get("runway") == key
        assert store.source("runway") is KeySource.KEYRING
        assert keyring.get_password(service, "runway") == key, "stored under service/user = backend id"
        assert store.get("luma") is None and store.source("luma") is KeySource.NONE
    finally:
        store.delete("runway")
    assert store.get("runway") is None
    assert store.source("runway") is KeySource.NONE
    store.delete("runway")  # deleting again is harmless
