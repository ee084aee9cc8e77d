"""Jobs outlive the process that started them: submitted now and collected later, or picked up after a kill."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def _project_with_shots(tmp_path: Path, count: int) -> Path:
    project = tmp_path / "resume.shotline"
    ok("new", project, "--size", "320x180", "--fps", "25")
    for number in range(count):
        ok("add", project, "--prompt", f"Shot number {number + 1}", "--duration", "2")
    return project


def _phases(project: Path) -> list[str]:
    return [job["phase"] for job in json.loads(ok("jobs", project, "--json"))]


def test_generate_now_collect_later(tmp_path: Path) -> None:
    project = _project_with_shots(tmp_path, 2)
    out = ok("generate", project)
    assert out.count("submitted") == 2
    assert _phases(project) == ["submitted", "submitted"]
    assert all(shot["takes"] == 0 for shot in info(project)["shots"])

    ok("resume", project, "--wait")
    assert _phases(project) == ["attached", "attached"]
    assert [shot["takes"] for shot in info(project)["shots"]] == [1, 1]
    assert ok("resume", project).strip() == "No unfinished jobs."


def _journal_phases(project: Path) -> list[str]:
    """The phases on disk, or none while the child is still creating the journal (file made, table not yet)."""
    try:
        with sqlite3.connect(project / "jobs.sqlite") as db:
            return [row[0] for row in db.execute("select phase from jobs")]
    except sqlite3.OperationalError:
        return []


def test_killed_mid_generation_resumes_to_exactly_one_take_per_shot(tmp_path: Path) -> None:
    project = _project_with_shots(tmp_path, 3)
    child = subprocess.Popen(
        [sys.executable, "-m", "shotline", "generate", str(project), "--wait"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        # Kill it once a job is past submitting but before all takes are in: the worst moment.
        while time.monotonic() < deadline:
            phases = _journal_phases(project) if (project / "jobs.sqlite").exists() else []
            if any(phase in {"submitted", "downloading", "downloaded"} for phase in phases):
                break
            time.sleep(0.02)
        else:
            pytest.fail("generation never started")
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # ffmpeg children too, as a crash would leave them
        child.wait()

    ok("resume", project, "--wait")
    shots = info(project)["shots"]
    assert [shot["takes"] for shot in shots] == [1, 1, 1]
    assert set(_phases(project)) == {"attached"}
    media = sorted(p.name for p in (project / "media").iterdir())
    assert len(media) == 3, media
    assert {Path(shot["media"]).name for shot in shots} == set(media)
