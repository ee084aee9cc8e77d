"""`shotline backends` on a machine without a usable keyring: it still lists every backend and model, says the key
of each keyed backend is unknown and why, and exits 0. A key from the environment is still reported as such.

The keyring is made unavailable as keyring itself allows, with PYTHON_KEYRING_BACKEND set to its `fail` backend.
"""

from __future__ import annotations

import json

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.ports import BackendInfo
from tests.cli.shotline_cli import ok, without_keys

ROW_NOTE = "key: unknown (the system keyring is not available)"


@pytest.fixture(scope="module")
def infos() -> list[BackendInfo]:
    return BackendRegistry(builtins=BUILTIN_SPECS, discover=False).all_infos()  # `backends` lists the voices-only too


def no_keys_in_environment(infos: list[BackendInfo]) -> dict[str, str]:
    """Every provider's key variable emptied (an empty variable counts as unset), and no usable keyring."""
    return without_keys(variable for info in infos for variable in info.key_env_vars)


def test_every_backend_is_listed_with_its_key_unknown_and_the_reason(infos: list[BackendInfo]) -> None:
    out = ok("backends", env=no_keys_in_environment(infos))
    lines = out.splitlines()
    keyed = [info for info in infos if info.key_env_vars]
    assert keyed and len(keyed) < len(infos)
    for info in infos:
        row = next((line for line in lines if line.startswith(f"{info.id} ")), None)
        assert row is not None, f"{info.id} is not listed"
        assert (ROW_NOTE in row) == bool(info.key_env_vars), row
        assert ("no key needed" in row) == (not info.key_env_vars), row
        for model in info.models:
            assert any(line.split()[:1] == [model.id] for line in lines), f"{info.id}/{model.id} is not listed"
    assert out.count("No system keyring is available") == 1, "the reason is given once, after the list"
    assert "environment variable" in out


def test_a_key_from_the_environment_is_still_known(infos: list[BackendInfo]) -> None:
    keyed = next(info for info in infos if info.key_env_vars)
    env = no_keys_in_environment(infos) | {keyed.key_env_vars[0]: "sk-from-the-environment"}
    out = ok("backends", env=env)
    row = next(line for line in out.splitlines() if line.startswith(f"{keyed.id} "))
    assert "key: environment" in row and "unknown" not in row
    assert "sk-from-the-environment" not in out


def test_json_says_unknown_and_why(infos: list[BackendInfo]) -> None:
    rows = {row["id"]: row for row in json.loads(ok("backends", "--json", env=no_keys_in_environment(infos)))}
    assert set(rows) == {info.id for info in infos}
    for info in infos:
        row = rows[info.id]
        if info.key_env_vars:
            assert row["key"] == "unknown"
            assert "No system keyring is available" in row["key_problem"]
        else:
            assert row["key"] == "none" and row["key_problem"] is None
