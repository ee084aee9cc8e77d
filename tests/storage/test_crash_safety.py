"""Kill a saving process inside a save, at every step of it: the project must open, with the old content or the
new, never torn and never lost.

The kill is placed by construction, not by a timer: a child (`tests.clean_fork`) replaces `atomic.crash_point` (a
no-op in the app) with one that SIGKILLs the child when the chosen step is reached for the chosen time, or, for
"mid-write", lets the temp file's real write reach a chosen byte and then SIGKILLs. Each case repeats a few kills on
the same project (reopening in between, as a creator would), with its own fixed seed so a failure reproduces exactly.

The child writes a line before and after every operation ("will v7", "did v7"), so the parent knows which
version was safely saved and which was in flight when the kill came; nothing here depends on timing.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from shotline.core.errors import ProjectError
from shotline.core.model import Project
from shotline.storage import atomic, backups, schema
from shotline.storage.bundle import ProjectBundle
from tests import clean_fork
from tests.storage.projects import sample_project

KILLS_PER_CASE = 3
MAX_OCCURRENCE = 3
MAX_OPERATIONS = 30
"""A child that has not been killed after this many operations never reached its step: the test fails."""
MID_WRITE = "mid-write"
"""Not a crash point of its own: armed at "temp opened", it kills during the temp file's write at a byte offset."""

_WRITE_STEPS = ("temp opened", MID_WRITE, "temp written", "temp synced", "replacing", "replaced", "folder synced")
CASES = [
    *[("save", step) for step in ("backed up", *_WRITE_STEPS, "autosave discarded", "old backup removed")],
    *[("autosave", step) for step in _WRITE_STEPS],
    *[("restore", step) for step in ("backed up", *_WRITE_STEPS)],
]

_BASE = sample_project(shots=4)


def _edited(version: int) -> Project:
    # Each version also has a different shot count, so a mix of two saves could not pass as either one.
    shots = tuple(replace(shot, id=f"{shot.id}-{version}") for shot in _BASE.shots)
    return replace(_BASE, title=f"v{version}", shots=shots[: 1 + version % len(shots)])


def _version(project: Project | None) -> int | None:
    return None if project is None else int(project.title.removeprefix("v"))


# ---------------------------------------------------------------------------------------------- the child


@dataclass(frozen=True)
class Kill:
    step: str
    occurrence: int
    """Kill at the n-th time the step is reached (counted from when the child starts saving)."""
    fraction: float
    """For MID_WRITE: how far into the temp file's bytes the kill comes."""


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _write_then_die(real_write: Callable[[int, bytes], int], fraction: float) -> Callable[[int, bytes], int]:
    def write(fd: int, data: bytes) -> int:
        chunk = bytes(data)
        real_write(fd, chunk[: max(1, min(len(chunk) - 1, int(len(chunk) * fraction)))])
        _die()
        raise AssertionError("unreachable")

    return write


def _arm(kill: Kill) -> None:
    step = "temp opened" if kill.step == MID_WRITE else kill.step
    reached = 0

    def crash_point(name: str) -> None:
        nonlocal reached
        if name != step:
            return
        reached += 1
        if reached < kill.occurrence:
            return
        if kill.step != MID_WRITE:
            _die()
        # The next os.write is the temp file's: it really writes part of the bytes, then the process dies.
        os.write = _write_then_die(os.write, kill.fraction)

    atomic.crash_point = crash_point


def _work_until_killed(path: str, operation: str, kill: Kill, reports: Connection) -> None:
    """Child: open the project, arm the kill, then repeat `operation`, reporting before and after each one."""

    def report(line: str) -> None:
        reports.send_bytes(line.encode())  # not through os.write, which a kill mid-write replaces

    with ProjectBundle.open(Path(path)) as bundle:
        # Autosaves go on from the newest autosave, so no two in a case carry the same version.
        version = max(_version(bundle.load()) or 0, _version(bundle.recovery()) or 0)
        _arm(kill)  # only now: opening tidies (and thins backups), which is not the save under test
        for _ in range(MAX_OPERATIONS):
            if operation == "restore":
                newest = bundle.latest_backup()
                assert newest is not None
                target = _version(schema.loads(newest.path.read_bytes()))
                report(f"will {target}")
                bundle.restore_backup(newest)
            else:
                version += 1
                target = version
                report(f"will {target}")
                if operation == "save":
                    bundle.save(_edited(version))
                else:
                    bundle.write_recovery(_edited(version))
            report(f"did {target}")


# ---------------------------------------------------------------------------------------------- the parent


def _kill_inside(path: Path, operation: str, kill: Kill) -> tuple[int | None, int]:
    """Run a child until it is killed at `kill`; returns (the version its last finished operation left, the
    version it was writing when killed). The first is None if no operation finished."""
    reports, writer = clean_fork.pipe()
    with reports, writer:
        child = clean_fork.child(_work_until_killed, str(path), operation, kill, writer)
        writer.close()  # the child holds its own copy: the reports end when it dies
        lines = []
        with contextlib.suppress(EOFError):
            while True:
                lines.append(reports.recv_bytes().decode())
    child.join()
    assert child.exitcode == -signal.SIGKILL, (
        f"the child was not killed at {kill} (exit code {child.exitcode}): did the step move or go? {lines[-3:]}"
    )
    assert lines and lines[-1].startswith("will "), f"the kill came outside an operation: {lines[-3:]}"
    finished = [int(line.split()[1]) for line in lines if line.startswith("did ")]
    return (finished[-1] if finished else None), int(lines[-1].split()[1])


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(atomic.TEMP_SUFFIX)]


@dataclass(frozen=True)
class Reopened:
    project: Project
    kept: list[int | None]
    """The versions in .backups/, newest first."""
    recovered: Project | None


def _reopen(path: Path, where: str) -> Reopened:
    """Open the project as the creator's next start would; a project that does not open fails the test."""
    assert len(_temps(path)) <= 1, f"{where}: temp files pile up: {_temps(path)}"
    try:
        with ProjectBundle.open(path) as bundle:
            assert _temps(path) == [], f"{where}: opening sweeps a crashed save's temp file"
            kept = [_version(schema.loads(b.path.read_bytes())) for b in bundle.all_backups()]
            # Thinning keeps the newest ten, plus the newest of the previous hour if the run straddles one.
            assert len(kept) <= backups.KEEP_NEWEST + 1, f"{where}: reopening thins backups a crash left: {kept}"
            return Reopened(bundle.load(), kept, bundle.recovery())
    except ProjectError as error:
        pytest.fail(f"{where}: the project does not open: {error}")


@pytest.mark.parametrize(("operation", "step"), CASES, ids=[f"{op}-{step.replace(' ', '_')}" for op, step in CASES])
def test_kill_at_each_step_of_a_save_leaves_old_or_new(tmp_path: Path, operation: str, step: str) -> None:
    rng = random.Random(f"{operation} {step}")  # str seeds are stable across runs and machines
    path = tmp_path / "Crash.shotline"
    ProjectBundle.create(path, _edited(0)).close()
    with ProjectBundle.open(path) as bundle:
        bundle.save(_edited(1))  # restore needs a backup that differs from the project
    autosaved: int | None = None
    for trial in range(KILLS_PER_CASE):
        if operation == "restore":
            with ProjectBundle.open(path) as bundle:  # a fresh version, so each restore swaps two different ones
                bundle.save(_edited(100 + trial))
        with ProjectBundle.open(path) as bundle:
            on_disk = _version(bundle.load())
        kill = Kill(step, rng.randint(1, MAX_OCCURRENCE), rng.random())
        finished, in_flight = _kill_inside(path, operation, kill)
        where = f"trial {trial}, killed at {kill}, writing v{in_flight}"
        after = _reopen(path, where)
        loaded = _version(after.project)
        if operation == "autosave":
            assert loaded == on_disk, f"{where}: autosave touched project.json"
            before = finished if finished is not None else autosaved
            autosaved = _version(after.recovered)
            assert autosaved in (before, in_flight), f"{where}: the autosave offered is v{autosaved}, not v{before}"
            assert after.recovered in (None, _edited(autosaved or 0)), f"{where}: the autosave is a mix of versions"
            continue
        before = finished if finished is not None else on_disk
        assert loaded in (before, in_flight), f"{where}: project.json holds v{loaded}, neither v{before} nor new"
        assert after.project == _edited(loaded or 0), f"{where}: project.json is a mix of versions"
        assert loaded == before or before in after.kept, f"{where}: v{before} was replaced and is in no backup"
        if operation == "save":
            assert len(set(after.kept)) == len(after.kept), f"{where}: a version is kept twice: {after.kept}"
