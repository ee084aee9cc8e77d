"""`shotline generate --backend comfyui` against the fake ComfyUI server, configured only through the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.comfyui import API, FakeComfyUI

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_with_comfyui_runs_the_example_workflow_once(tmp_path: Path) -> None:
    project = tmp_path / "comfy.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "3")
    with FakeComfyUI() as fake:
        env = {"SHOTLINE_COMFYUI_BASE_URL": fake.url, "SHOTLINE_POLL_SECONDS": "0.05"}
        ok("generate", project, "--backend", "comfyui", "--model", "workflow", "--wait", env=env)
        jobs = json.loads(ok("jobs", project, "--json"))

    assert [shot["takes"] for shot in info(project)["shots"]] == [1]
    (create,) = fake.calls_to("POST", API + "/prompt")
    nodes = create.json()["prompt"]
    assert nodes["6"]["inputs"]["text"].startswith("A lighthouse at dawn")
    # the project's 320x180 at 24 fps; 3 s is 72 frames, which the Wan latent rounds to 4n+1
    assert nodes["40"]["inputs"] == {"width": 320, "height": 176, "length": 73, "batch_size": 1}
    (job,) = jobs
    assert job["phase"] == "attached" and job["provider_job_id"] == create.json()["prompt_id"]
    assert job["estimated_cost"] is None, "a local ComfyUI costs nothing to ask"
