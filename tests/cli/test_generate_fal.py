"""`shotline generate --backend fal` against the fake fal queue, configured only through the environment."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.fal import KEY, FakeFal

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_with_fal_makes_one_take(tmp_path: Path) -> None:
    project = tmp_path / "fal.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "5")
    with FakeFal() as fake:
        env = {"SHOTLINE_FAL_BASE_URL": fake.url, "FAL_KEY": KEY, "SHOTLINE_POLL_SECONDS": "0.05"}
        ok("generate", project, "--backend", "fal", "--model", "kling-2.1-master", "--wait", env=env)

    assert [shot["takes"] for shot in info(project)["shots"]] == [1]
    (submit,) = fake.submits()
    assert submit.path == "/fal-ai/kling-video/v2.1/master/text-to-video"
    assert submit.json()["duration"] == "5" and submit.json()["prompt"].startswith("A lighthouse at dawn")
    assert submit.headers["authorization"] == f"Key {KEY}"
    with sqlite3.connect(project / "jobs.sqlite") as db:
        db.row_factory = sqlite3.Row
        (job,) = db.execute("select * from jobs").fetchall()
    assert job["phase"] == "attached"
    assert job["provider_job_id"] == f"fal-ai/kling-video/v2.1/master/text-to-video|{fake.only_job().request_id}"
    assert len(fake.files.calls) == 1
