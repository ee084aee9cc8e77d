"""`shotline generate --backend luma` against the fake Luma API, configured only through the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.luma import KEY, FakeLuma

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_with_luma_makes_one_take(tmp_path: Path) -> None:
    project = tmp_path / "luma.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "3")
    with FakeLuma() as fake:
        env = {"SHOTLINE_LUMA_BASE_URL": fake.url, "LUMAAI_API_KEY": KEY, "SHOTLINE_POLL_SECONDS": "0.05"}
        ok("generate", project, "--backend", "luma", "--model", "ray-flash-2", "--wait", env=env)
        jobs = json.loads(ok("jobs", project, "--json"))

    assert [shot["takes"] for shot in info(project)["shots"]] == [1]
    (create,) = fake.calls_to("POST", r"/generations/video")
    body = create.json()
    # a 3 s shot gets Luma's shortest clip; a 320x180 project its smallest resolution
    assert (body["model"], body["duration"], body["resolution"]) == ("ray-flash-2", "5s", "540p")
    assert body["prompt"].startswith("A lighthouse at dawn")
    assert create.headers["authorization"] == f"Bearer {KEY}"
    (job,) = jobs
    assert job["phase"] == "attached" and job["provider_job_id"] in fake.jobs
    assert job["estimated_cost"] is None, "no Luma price is known, so none is guessed"
