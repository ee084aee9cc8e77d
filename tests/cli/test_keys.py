"""`shotline keys` through the real OS keyring, with a keyed backend installed as a third-party plug-in.

In CI this runs inside `dbus-run-session` with an unlocked gnome-keyring (tests/run.sh), where a missing keyring
fails instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.cli.shotline_cli import ok, shotline

pytestmark = pytest.mark.real_keyring

PLUGIN = """
from shotline.backends.registry import BackendSpec
from shotline.core.ports import BackendInfo, BackendKind, ModelInfo

INFO = BackendInfo(
    id="{backend}", name="Keyed test backend", kind=BackendKind.CLOUD,
    models=(ModelInfo("m1", "Model one"),), key_env_vars=("{env}",),
)


def _create(context):
    raise RuntimeError("not used by the keys commands")


SPEC = BackendSpec(INFO, _create)
"""


@pytest.fixture
def keyed_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    if keyring.get_keyring().priority <= 0:
        if os.environ.get("SHOTLINE_REQUIRE_REAL_KEYRING") == "1":
            pytest.fail("A real keyring is required here but none is available.", pytrace=False)
        pytest.skip("no real keyring")
    backend = f"keyed{uuid.uuid4().hex[:8]}"
    env = f"{backend.upper()}_API_KEY"
    site = tmp_path / "site"
    site.mkdir()
    (site / "keyed_plugin.py").write_text(PLUGIN.format(backend=backend, env=env))
    dist = site / "keyed_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: keyed-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[shotline.backends]\n{backend} = keyed_plugin:SPEC\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv(env, raising=False)
    yield backend, env
    shotline("keys", "delete", backend)


def test_key_round_trip_through_the_real_keyring(keyed_backend: tuple[str, str], tmp_path: Path) -> None:
    backend, env = keyed_backend
    key = f"sk-test-{uuid.uuid4().hex}"
    assert "no key" in ok("keys", "status", backend)
    assert "keyring" in ok("keys", "set", backend, stdin=key + "\n")
    assert "keyring" in ok("keys", "status", backend)
    assert keyring.get_password("shotline", backend) == key

    os.environ[env] = "sk-from-environment"
    try:
        assert "environment" in ok("keys", "status", backend)
    finally:
        del os.environ[env]

    # With debug logging on, the key shows up in no output, project file or journal.
    project = tmp_path / "film.shotline"
    ok("new", project)
    ok("add", project, "--prompt", "A key never leaves the keyring", "--backend", backend)
    chatty = shotline("-vv", "keys", "status", backend)
    backends = shotline("-vv", "backends", "--json")
    assert key not in chatty.out + chatty.err + backends.out + backends.err
    for path in project.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path

    assert "no key" in ok("keys", "delete", backend)
    assert keyring.get_password("shotline", backend) is None


def test_keys_refuses_what_it_cannot_do() -> None:
    result = shotline("keys", "set", "animatic", stdin="anything\n")
    assert result.code == 1 and "without a key" in result.err
    result = shotline("keys", "status", "nonesuch")
    assert result.code == 1 and "no backend called" in result.err.lower()
