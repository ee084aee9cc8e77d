"""Kill a saving process at random moments, hundreds of times: project.json must always load, and hold the
last version whose save returned (or the one being saved, if its rename landed before the kill).

SHOTLINE_CRASH_TRIALS sets the number of trials (default 300).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

from shotline.core.model import Project
from shotline.storage.bundle import ProjectBundle
from tests.storage.projects import sample_project

pytestmark = pytest.mark.slow

TRIALS = int(os.environ.get("SHOTLINE_CRASH_TRIALS", "300"))
MAX_KILL_DELAY_S = 0.030


def _version(project: Project) -> int:
    return int(project.title.removeprefix("v"))


def _edited(base: Project, version: int) -> Project:
    # Each version also has a different shot count, so a mix of two saves could not pass as either one.
    shots = tuple(replace(shot, id=f"{shot.id}-{version}") for shot in base.shots)
    return replace(base, title=f"v{version}", shots=shots[: 1 + version % len(shots)])


def _save_forever(path: str, report_fd: int) -> None:
    """Child: open the bundle and save growing versions, reporting each only after save() returned."""
    with ProjectBundle.open(Path(path)) as bundle:
        base = sample_project(shots=4)
        version = _version(bundle.load())
        while True:
            version += 1
            bundle.save(_edited(base, version))
            os.write(report_fd, f"{version}\n".encode())


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_save_survives_sigkill_at_random_moments(tmp_path: Path) -> None:
    path = tmp_path / "Crash.shotline"
    ProjectBundle.create(path, _edited(sample_project(shots=4), 0)).close()
    on_disk = 0
    rng = random.Random(20250101)
    fork = multiprocessing.get_context("fork")
    outcomes = {"previous": 0, "reported": 0, "in_flight": 0}
    started = time.monotonic()
    for trial in range(TRIALS):
        read_fd, write_fd = os.pipe()
        child = fork.Process(target=_save_forever, args=(str(path), write_fd), daemon=True)
        child.start()
        os.close(write_fd)
        time.sleep(rng.uniform(0, MAX_KILL_DELAY_S))
        child.kill()
        child.join(timeout=10)
        assert child.exitcode == -signal.SIGKILL, f"trial {trial}: the saver ended on its own ({child.exitcode})"
        with os.fdopen(read_fd, "rb") as reports:
            reported = [int(line) for line in reports.read().split()]
        last_done = reported[-1] if reported else on_disk

        assert len(_temps(path)) <= 1, f"trial {trial}: temp files pile up: {_temps(path)}"
        with ProjectBundle.open(path) as bundle:
            loaded = bundle.load()
            assert _temps(path) == [], "opening sweeps a crashed save's temp file"
            assert len(bundle.all_backups()) <= 12
        version = _version(loaded)
        assert version in (last_done, last_done + 1), f"trial {trial}: loaded v{version}, last saved v{last_done}"
        assert loaded == _edited(sample_project(shots=4), version)
        outcome = "in_flight" if version == last_done + 1 else "reported" if reported else "previous"
        outcomes[outcome] += 1
        on_disk = version
    elapsed = time.monotonic() - started
    print(f"{TRIALS} kills in {elapsed:.1f} s; outcomes {outcomes}; last version v{on_disk}")
    assert on_disk > TRIALS / 10, "the saver should usually finish a few saves before being killed"
