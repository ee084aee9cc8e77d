"""`shotline generate --backend google` against the fake Gemini API, configured only through the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok
from tests.fakes.google import KEY, FakeGoogle

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_generate_with_google_makes_one_take(tmp_path: Path) -> None:
    project = tmp_path / "google.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "4")
    with FakeGoogle() as fake:
        env = {
            "SHOTLINE_GOOGLE_BASE_URL": fake.url,
            "GEMINI_API_KEY": KEY,
            "GOOGLE_API_KEY": "",  # an empty variable does not count, so GEMINI_API_KEY supplies the key
            "SHOTLINE_POLL_SECONDS": "0.05",
        }
        ok("generate", project, "--backend", "google", "--model", "gemini-omni-1.2-flash", "--wait", env=env)
        jobs = json.loads(ok("jobs", project, "--json"))

    assert [shot["takes"] for shot in info(project)["shots"]] == [1]
    (create,) = fake.creates()
    assert create.headers["x-goog-api-key"] == KEY
    body = create.json()
    assert body["model"] == "gemini-omni-1.2-flash" and body["input"].startswith("A lighthouse at dawn")
    assert body["response_format"]["duration"] == "4s" and body["background"] is True
    (job,) = jobs
    assert job["phase"] == "attached" and job["provider_job_id"] in fake.jobs
    assert job["estimated_cost"] is None, "the price table has no Gemini Omni amounts"
    # the clip came through Google's host once, and the storage host it redirected to never saw the key
    assert fake.count("GET", r"/v1/files/[a-z0-9]+:download") == 1
    (stored,) = fake.file_host.calls
    assert "x-goog-api-key" not in stored.headers
