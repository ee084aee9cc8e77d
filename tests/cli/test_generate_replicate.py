"""`shotline generate --backend replicate` against the fake Replicate API, configured only through the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.replicate import KEY, FakeReplicate

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_waits_for_a_replicate_take(tmp_path: Path) -> None:
    project = tmp_path / "replicate.shotline"
    ok("new", project, "--size", "320x180", "--fps", "25")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "5")

    with FakeReplicate() as fake:
        ok(
            "generate",
            project,
            "--backend",
            "replicate",
            "--model",
            "kwaivgi/kling-v2.0",
            "--wait",
            env={"SHOTLINE_REPLICATE_BASE_URL": fake.url, "REPLICATE_API_TOKEN": KEY, "SHOTLINE_POLL_SECONDS": "0.05"},
        )
        assert fake.creates() == 1
        (create,) = fake.create_calls()

    assert create.headers["authorization"] == f"Bearer {KEY}"
    assert create.json()["input"]["duration"] == 5
    (shot,) = info(project)["shots"]
    assert shot["takes"] == 1
