"""`shotline generate --backend openai` against the fake Videos API, configured only through the environment."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.openai import KEY, FakeOpenAI

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_waits_for_a_sora_take(tmp_path: Path) -> None:
    project = tmp_path / "sora.shotline"
    ok("new", project, "--size", "320x180", "--fps", "25")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "8", "--aspect", "9:16")

    with FakeOpenAI() as fake:
        ok(
            "generate",
            project,
            "--backend",
            "openai",
            "--model",
            "sora-2",
            "--wait",
            env={"SHOTLINE_OPENAI_BASE_URL": fake.api_url, "OPENAI_API_KEY": KEY, "SHOTLINE_POLL_SECONDS": "0.05"},
        )
        (create,) = fake.calls_to("POST", r"/v1/videos")
        assert len(fake.videos) == 1

    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert fake.created == [
        {"model": "sora-2", "prompt": "A lighthouse at dawn, waves on the rocks", "seconds": "8", "size": "720x1280"}
    ]
    (shot,) = info(project)["shots"]
    assert shot["takes"] == 1
    (job,) = json.loads(ok("jobs", project, "--json"))
    assert job["phase"] == "attached" and job["provider_job_id"] in fake.videos
    assert Decimal(job["estimated_cost"]) == Decimal("0.80")  # 8 s of sora-2 at $0.10 from the dated price table
