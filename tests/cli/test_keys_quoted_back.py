"""A provider that quotes the key back, in any field and any encoding, gets no piece of it shown, logged or stored.

Each case runs the real `shotline -vv generate --wait` (the key in the provider's environment variable, as the CLI
documents) against a fake provider that answers with the key quoted back in one field providers put text in: whole,
base64 (standard and URL-safe, at each of the three alignments, and inside an echoed `Basic user:key`), percent-
encoded, after `Bearer`, cut short by the provider, and whole across the 300th character (where Shotline cuts what a
provider says). Then every output is searched — stdout, stderr (which carries the debug log), `jobs --json`, and
every file under the project (project.json, jobs.sqlite and its WAL), the settings folder and the cache — for any
12-character piece of the key or of its base64 and percent-encoded forms (tests.fakes.quoting).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.shotline_cli import NO_KEYRING, ok, shotline
from tests.fakes import comfyui, fal, google, luma, openai, replicate, runway
from tests.fakes.quoting import MARK, leaks, quoted_back
from tests.fakes.server import FakeServer

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


@dataclass(frozen=True)
class Case:
    backend: str
    model: str
    fake: Callable[[], FakeServer]
    url: Callable[[Any], str]
    key: str
    env: dict[str, str]
    """The key, in the variable the CLI documents for it."""
    method: str
    path: str
    status: int
    body: Callable[[str], Any]
    """The provider's answer, holding the text it quotes the key back in."""


def _url(fake: Any) -> str:
    return str(fake.url)


CASES = {
    "runway task failure": Case(
        "runway", "gen4.5", runway.FakeRunway, _url, runway.KEY, {"RUNWAYML_API_SECRET": runway.KEY},
        "GET", r"/v1/tasks/.+", 200,
        lambda said: {"id": "t", "status": "FAILED", "failure": said, "failureCode": "INTERNAL.BAD_OUTPUT.CODE01"},
    ),
    "runway 401 issues": Case(
        "runway", "gen4.5", runway.FakeRunway, _url, runway.KEY, {"RUNWAYML_API_SECRET": runway.KEY},
        "POST", r"/v1/text_to_video", 401,
        lambda said: {"error": said, "issues": [{"code": "custom", "path": ["auth"], "message": said}]},
    ),
    "replicate detail": Case(
        "replicate", "kwaivgi/kling-v2.0", replicate.FakeReplicate, _url, replicate.KEY,
        {"REPLICATE_API_TOKEN": replicate.KEY},
        "POST", r"/v1/models/.+/predictions", 422, lambda said: {"title": "Invalid input", "detail": said},
    ),
    "openai error.message": Case(
        "openai", "sora-2", openai.FakeOpenAI, lambda fake: str(fake.api_url), openai.KEY,
        {"OPENAI_API_KEY": openai.KEY},
        "POST", r"/v1/videos", 401,
        lambda said: {"error": {"message": said, "type": "invalid_request_error", "code": "invalid_api_key"}},
    ),
    "fal detail": Case(
        "fal", "kling-2.1-master", fal.FakeFal, _url, fal.KEY, {"FAL_KEY": fal.KEY},
        "POST", r"/.+", 422, lambda said: {"detail": said},
    ),
    "google error.message": Case(
        "google", "gemini-omni-1.2-flash", google.FakeGoogle, _url, google.KEY,
        {"GEMINI_API_KEY": google.KEY, "GOOGLE_API_KEY": ""},
        "POST", r"/v1(?:beta)?/interactions", 400,
        lambda said: {"error": {"code": 400, "message": said, "status": "INVALID_ARGUMENT"}},
    ),
    "luma detail": Case(
        "luma", "ray-flash-2", luma.FakeLuma, _url, luma.KEY, {"LUMAAI_API_KEY": luma.KEY},
        "POST", r"/generations.*", 400, lambda said: {"detail": said},
    ),
    # ComfyUI takes no key, but one running in the same environment may quote another provider's
    "comfyui error": Case(
        "comfyui", "workflow", comfyui.FakeComfyUI, _url, runway.KEY, {"RUNWAYML_API_SECRET": runway.KEY},
        "POST", r"(?:/api)?/prompt", 400,
        lambda said: {
            "error": {"type": "prompt_outputs_failed_validation", "message": said, "details": said},
            "node_errors": {},
        },
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def blank_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("blank") / "film.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "5")
    return project


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_no_piece_of_a_quoted_back_key_is_shown_logged_or_stored(
    case: Case, blank_project: Path, tmp_path: Path
) -> None:
    project = tmp_path / "film.shotline"
    shutil.copytree(blank_project, project)
    config, cache = tmp_path / "config", tmp_path / "cache"
    said = quoted_back(case.key)
    with case.fake() as fake:
        fake.inject(case.method, case.path, status=case.status, body=case.body(said), times=100)
        env = {
            **NO_KEYRING,
            **case.env,
            "SHOTLINE_CONFIG_DIR": str(config),
            "SHOTLINE_CACHE_DIR": str(cache),
            "SHOTLINE_POLL_SECONDS": "0.01",
            f"SHOTLINE_{case.backend.upper()}_BASE_URL": case.url(fake),
        }
        run = shotline("-vv", "generate", project, "--backend", case.backend, "--model", case.model, "--wait", env=env)
        jobs = ok("jobs", project, "--json", env=env)

    assert run.code == 1, run.err
    assert "Traceback" not in run.err and "DEBUG" in run.err  # failed cleanly, with the debug log on
    assert MARK in run.err and MARK in jobs, "the provider's words must reach the creator (else nothing is tested)"
    outputs = {"stdout": run.out, "stderr": run.err, "jobs --json": jobs}
    files = [path for folder in (project, config, cache) if folder.exists() for path in folder.rglob("*")]
    outputs |= {str(path): path.read_bytes().decode("latin-1") for path in files if path.is_file()}
    found = leaks(case.key, outputs)
    assert not found, f"pieces of the key reached: {sorted({where for where, _ in found})}: {found[:3]}"
