"""`shotline generate --backend luma_agents` (Ray 3.2) against the fake Luma Agents API, configured only through
the environment as a creator would: its own key variable, the shot fitted to a length Ray 3.2 makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.luma_agents import KEY, FakeLumaAgents

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_with_ray_3_2_makes_one_take_of_the_nearer_length(tmp_path: Path) -> None:
    project = tmp_path / "pier.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "A pier at dusk, gulls over the water", "--duration", "7.6")
    with FakeLumaAgents() as fake:
        env = {
            "SHOTLINE_LUMA_AGENTS_BASE_URL": fake.api_url,
            "LUMA_AGENTS_API_KEY": KEY,
            "SHOTLINE_POLL_SECONDS": "0.05",
        }
        said = ok("generate", project, "--backend", "luma_agents", "--model", "ray-3.2", "--wait", env=env)
        jobs = json.loads(ok("jobs", project, "--json"))

    assert [shot["takes"] for shot in info(project)["shots"]] == [1], said
    (create,) = fake.creates()
    body = create.json()
    # a 7.6 s shot gets Ray 3.2's nearer length (10 s, two 5 s blocks); a 320x180 project its smallest resolution
    assert (body["model"], body["type"], body["video"]) == (
        "ray-3.2",
        "video",
        {"duration": "10s", "resolution": "360p"},
    )
    assert body["prompt"].startswith("A pier at dusk") and body["aspect_ratio"] == "16:9"
    assert create.headers["authorization"] == f"Bearer {KEY}"
    (job,) = jobs
    assert job["phase"] == "attached" and job["provider_job_id"] in fake.jobs
    assert job["estimated_cost"] is None, "Luma's Ray 3.2 price was not read, so none is guessed"


def test_the_backends_list_names_ray_3_2_and_its_own_key(tmp_path: Path) -> None:
    rows = json.loads(ok("backends", "--json", cwd=tmp_path))
    (agents,) = [row for row in rows if row["id"] == "luma_agents"]
    assert agents["key_env_vars"] == ["LUMA_AGENTS_API_KEY"]
    assert [model["id"] for model in agents["models"]] == ["ray-3.2"]
    (dream_machine,) = [row for row in rows if row["id"] == "luma"]
    assert dream_machine["key_env_vars"] == ["LUMAAI_API_KEY"], "each Luma API keeps its own key"
