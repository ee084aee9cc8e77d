"""`shotline generate` on a backend that needs a key it cannot read stops before it prices, journals or sends a job,
and says how to give the key: on a machine without a keyring, the provider's own environment variable.

It used to print the estimate, write a job row (counted against the budget) and then fail with the window's offer
to keep the key in memory, which the command line cannot take up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.ports import BackendInfo
from tests.cli.shotline_cli import NO_KEYRING, info, ok, shotline, without_keys
from tests.fakes.runway import KEY, FakeRunway

KEYED = [i for i in BackendRegistry(builtins=BUILTIN_SPECS, discover=False).infos() if i.needs_key]
ALL_KEY_VARIABLES = [variable for backend in KEYED for variable in backend.key_env_vars]
EMPTY_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
"""A keyring that answers, and holds no key."""


def _project(tmp_path: Path, backend: str) -> Path:
    project = tmp_path / "Film.shotline"
    ok("new", project, "--size", "320x180")
    ok("add", project, "--prompt", "A lighthouse at dawn", "--backend", backend)
    return project


def _nothing_was_priced_or_journaled(project: Path, printed: str) -> None:
    assert "Estimated cost" not in printed and "Traceback" not in printed
    assert ok("jobs", project).strip() == "No jobs yet."
    assert [shot["takes"] for shot in info(project)["shots"]] == [0]


@pytest.mark.parametrize("backend", KEYED, ids=lambda backend: backend.id)
def test_without_a_keyring_it_stops_first_and_names_the_variable(tmp_path: Path, backend: BackendInfo) -> None:
    project = _project(tmp_path, backend.id)
    failed = shotline("generate", project, "--wait", env=without_keys(ALL_KEY_VARIABLES))
    assert failed.code == 1, failed.err
    assert backend.name in failed.err and "keyring" in failed.err
    assert all(variable in failed.err for variable in backend.key_env_vars), failed.err
    assert "in memory" not in failed.err
    _nothing_was_priced_or_journaled(project, failed.out + failed.err)


def test_with_no_key_stored_it_says_how_to_store_one(tmp_path: Path) -> None:
    backend = KEYED[0]
    project = _project(tmp_path, backend.id)
    failed = shotline("generate", project, env=EMPTY_KEYRING | {v: "" for v in ALL_KEY_VARIABLES})
    assert failed.code == 1
    assert f"shotline keys set {backend.id}" in failed.err and backend.key_env_vars[0] in failed.err
    _nothing_was_priced_or_journaled(project, failed.out + failed.err)


@pytest.mark.ffmpeg
def test_a_key_in_the_environment_still_works_without_a_keyring(tmp_path: Path) -> None:
    project = _project(tmp_path, "runway")
    with FakeRunway() as fake:
        env = NO_KEYRING | {"SHOTLINE_RUNWAY_BASE_URL": fake.url, "RUNWAYML_API_SECRET": KEY}
        done = shotline("generate", project, "--wait", env=env | {"SHOTLINE_POLL_SECONDS": "0.05"})
    assert done.code == 0, done.err
    assert "Estimated cost" in done.err
    assert [shot["takes"] for shot in info(project)["shots"]] == [1]
