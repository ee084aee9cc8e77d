"""`shotline generate --backend runway` against the fake Runway API, configured only through the environment."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.runway import KEY, FakeRunway

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_with_runway_makes_one_take(tmp_path: Path) -> None:
    project = tmp_path / "runway.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "5")
    with FakeRunway() as fake:
        env = {"SHOTLINE_RUNWAY_BASE_URL": fake.url, "RUNWAYML_API_SECRET": KEY, "SHOTLINE_POLL_SECONDS": "0.05"}
        ok("generate", project, "--backend", "runway", "--model", "gen4.5", "--wait", env=env)

    assert [shot["takes"] for shot in info(project)["shots"]] == [1]
    (create,) = fake.creates()
    assert create.json()["model"] == "gen4.5" and create.json()["duration"] == 5
    assert create.headers["authorization"] == f"Bearer {KEY}"
    with sqlite3.connect(project / "jobs.sqlite") as db:
        db.row_factory = sqlite3.Row
        (job,) = db.execute("select * from jobs").fetchall()
    assert job["phase"] == "attached" and job["provider_job_id"] in fake.tasks
    assert Decimal(job["estimated_cost"]) == Decimal(job["billed_cost"]) == Decimal("0.60")
