"""A paid provider's jobs survive a SIGKILL at the worst moment: exactly one take per job, exactly one create each.

The `shotline generate --wait` process is killed while its jobs are at once queued (waiting for one of Runway's two
slots), running at the provider and downloading; `shotline resume --wait` then finishes every one of them.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.runway import KEY, FakeRunway
from tests.fakes.server import Call, Reply

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

SHOTS = 5


class SlowFirstDownload(FakeRunway):
    """The first task's clip trickles out (about 3 s) so the other jobs move on while it downloads."""

    def _file(self, call: Call, match: re.Match[str]) -> Reply:
        reply = super()._file(call, match)
        with self.lock:
            first = next(iter(self.tasks), None)
        if match.group(1) == first:
            reply.chunk_delay = 1.0
        return reply


def _phases(project: Path) -> list[str]:
    try:
        with sqlite3.connect(project / "jobs.sqlite") as db:
            return [row[0] for row in db.execute("select phase from jobs")]
    except sqlite3.OperationalError:  # the child is still creating the journal
        return []


def _worst_moment(phases: list[str]) -> bool:
    """Queued, running and downloading at once, and no create in flight (one of those can never be found at
    Runway, which has no task list, so it would rightly end "uncertain" instead of with a take)."""
    return {"submitting", "submitted", "downloading"} <= set(phases) and "sending" not in phases


def test_sigkill_with_jobs_queued_running_and_downloading_ends_with_one_take_each(tmp_path: Path) -> None:
    project = tmp_path / "killed.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    for number in range(SHOTS):
        ok("add", project, "--prompt", f"Harbour at dawn, shot {number + 1}", "--duration", "5")

    with SlowFirstDownload() as fake:
        env = {"SHOTLINE_RUNWAY_BASE_URL": fake.url, "RUNWAYML_API_SECRET": KEY, "SHOTLINE_POLL_SECONDS": "0.05"}
        child = subprocess.Popen(
            [sys.executable, "-m", "shotline", "generate", str(project), "--backend", "runway", "--wait"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **env},
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not _worst_moment(seen := _phases(project)):
                time.sleep(0.01)
            else:
                if not _worst_moment(seen):
                    pytest.fail(f"never saw jobs queued, running and downloading at once: {seen}")
        finally:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()

        ok("resume", project, "--wait", env=env)

        shots = info(project)["shots"]
        assert [shot["takes"] for shot in shots] == [1] * SHOTS
        assert _phases(project) == ["attached"] * SHOTS
        assert len(fake.creates()) == SHOTS  # one create per job: nothing was sent twice
        media = sorted(p.name for p in (project / "media").iterdir())
        assert len(media) == SHOTS and len({Path(shot["media"]).name for shot in shots}) == SHOTS
        assert not any((project / ".partial").glob("*"))
