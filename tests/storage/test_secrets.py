"""Keys: stores, env override, no-keyring explanation, log redaction, and no key in any project file."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from shotline.core.errors import KeyStoreError
from shotline.core.ports import JobRecord
from shotline.storage.bundle import ProjectBundle
from shotline.storage.journal import SqliteJobJournal
from shotline.storage.secrets import (
    EnvironmentOverride,
    KeyringSecretStore,
    KeySource,
    MemorySecretStore,
    install_redaction,
    redact,
)
from tests.storage.projects import sample_project

KEY = "sk-live-4f9c2e7d1b8a6350aa"


def test_memory_store_round_trip() -> None:
    store = MemorySecretStore()
    assert store.get("runway") is None and store.source("runway") is KeySource.NONE
    store.set("runway", f"  {KEY}\n")
    assert store.get("runway") == KEY
    assert store.source("runway") is KeySource.MEMORY
    store.delete("runway")
    store.delete("runway")
    assert store.get("runway") is None
    with pytest.raises(KeyStoreError, match="empty"):
        store.set("runway", "   ")


def test_environment_wins_for_this_run_only() -> None:
    store = MemorySecretStore()
    store.set("runway", "from-store-123")
    env = {"RUNWAYML_API_SECRET": " from-env-456 ", "UNRELATED": "x"}
    keys = EnvironmentOverride(store, {"runway": ("RUNWAYML_API_SECRET",), "animatic": ()}, environ=env)
    assert keys.get("runway") == "from-env-456"
    assert keys.source("runway") is KeySource.ENVIRONMENT
    assert keys.variable("runway") == "RUNWAYML_API_SECRET"
    assert keys.get("animatic") is None and keys.source("animatic") is KeySource.NONE
    keys.set("runway", "typed-789")
    assert store.get("runway") == "typed-789", "setting goes to the store, the env var is not copied"
    env["RUNWAYML_API_SECRET"] = ""
    assert keys.get("runway") == "typed-789" and keys.source("runway") is KeySource.MEMORY


def test_first_set_variable_of_several_is_used() -> None:
    env = {"GEMINI_API_KEY": "gem-1"}
    keys = EnvironmentOverride(MemorySecretStore(), {"google": ("GOOGLE_API_KEY", "GEMINI_API_KEY")}, environ=env)
    assert keys.get("google") == "gem-1"
    env["GOOGLE_API_KEY"] = "goo-2"
    assert keys.get("google") == "goo-2"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.mark.usefixtures("no_keyring")
def test_no_keyring_is_explained_plainly() -> None:
    store = KeyringSecretStore(service="shotline-test")
    for action in (lambda: store.get("runway"), lambda: store.set("runway", KEY), lambda: store.source("runway")):
        with pytest.raises(KeyStoreError) as caught:
            action()
        assert "No system keyring is available" in str(caught.value)
        assert "in memory for this session" in str(caught.value)
        assert KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("Authorization: Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"),
        ("headers={'authorization': 'Key fal_1234abcd:9876', 'accept': 'json'}", "fal_1234abcd:9876"),
        ('{"x-goog-api-key": "AIzaSyA1b2C3d4"}', "AIzaSyA1b2C3d4"),
        ("GET https://host/v1/files/x?alt=media&key=AIzaXYZ123&foo=1", "AIzaXYZ123"),
        ("sent X-Api-Key=r8_abcdef123", "r8_abcdef123"),
        ("signed https://cdn/x.mp4?X-Amz-Signature=deadbeef99&X-Amz-Expires=60", "deadbeef99"),
    ],
)
def test_header_and_query_shapes_are_redacted(line: str, hidden: str) -> None:
    cleaned = redact(line, [])
    assert hidden not in cleaned
    assert "<redacted>" in cleaned


def test_prose_survives_redaction() -> None:
    text = "Key frames every 2 s; Token budget fine; shot 3 of 7"
    assert redact(text, []) == text


def test_key_logged_at_debug_never_reaches_a_handler() -> None:
    store = MemorySecretStore()
    store.set("runway", KEY)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    redactor = install_redaction(store.values)
    try:
        log = logging.getLogger("shotline.backends.runway")
        log.debug("submitting with key %s", KEY)
        log.debug("headers %r", {"X-Runway-Version": "2024-11-06", "Authorization": f"Bearer {KEY}"})
        log.info(f"inline {KEY[:-2]}{KEY[-2:]} and again")
        try:
            raise RuntimeError(f"server echoed {KEY}")
        except RuntimeError:
            log.exception("request failed")
    finally:
        root.removeHandler(handler)
        handler.removeFilter(redactor)
        root.setLevel(old_level)
    output = stream.getvalue()
    assert KEY not in output
    assert output.count("<redacted>") >= 4
    assert "submitting with key" in output and "request failed" in output and "RuntimeError" in output


def test_key_never_lands_in_a_saved_bundle_or_journal(tmp_path: Path) -> None:
    store = EnvironmentOverride(MemorySecretStore(), {"runway": ("RUNWAYML_API_SECRET",)}, environ={})
    store.set("runway", KEY)
    project = sample_project()
    with ProjectBundle.create(tmp_path / "Keys.shotline", project) as bundle:
        bundle.save(project)
        bundle.write_recovery(project)
        with SqliteJobJournal(bundle.journal_path) as journal:
            journal.add(JobRecord(id="j", shot_id="s", backend="runway", model="m", request={"prompt": "sea"}))
            journal.update("j", message="submitted")
    assert store.get("runway") == KEY
    files = [p for p in (tmp_path / "Keys.shotline").rglob("*") if p.is_file()]
    assert any(p.name == "jobs.sqlite" for p in files)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
