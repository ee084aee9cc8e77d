"""The Luma Agents adapter (Ray 3.2) against the fake Agents API: real HTTP, the real job code, journal and probe.
What every adapter keeps is in test_contract.py; this is what only Ray 3.2 on the Agents API does."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.luma_agents import LumaAgentsBackend, create_body, status_of
from shotline.core.errors import AuthFailed, InputRejected, QuotaExceeded
from shotline.core.model import Size
from shotline.core.ports import GenerationRequest, JobPhase, JobState
from shotline.jobs.generation import cancel_generation, submit_job
from tests.backends.adapter_kit import (
    add_job,
    cloud_request,
    drive,
    generate,
    journal_for,
    provider_context,
    quick_retries,
)
from tests.fakes.luma_agents import BLOCKED_REASON, KEY, FakeLumaAgents
from tests.fakes.server import sample_mp4

pytestmark = pytest.mark.ffmpeg

VIDEO = r"/outputs/[^/]+/video\.mp4"


@pytest.fixture
def fake() -> Iterator[FakeLumaAgents]:
    with FakeLumaAgents() as server:
        yield server


@pytest.fixture(autouse=True)
def _quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_retries(monkeypatch)


def _backend(tmp_path: Path, fake: FakeLumaAgents, *, key: str | None = KEY) -> LumaAgentsBackend:
    return LumaAgentsBackend(provider_context(tmp_path, "luma_agents", fake.api_url, key=key))


def _request(model: str = "ray-3.2", **changes: Any) -> GenerationRequest:
    return cloud_request("luma_agents", model, **changes)


def _picture(tmp_path: Path, name: str = "start.png") -> Path:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
    return path


def _submit(backend: LumaAgentsBackend, request: GenerationRequest) -> str:
    async def main() -> str:
        try:
            return await backend.submit(request)
        finally:
            await backend.aclose()

    return asyncio.run(main())


# ---------------------------------------------------------------------------------------------- made


def test_a_shot_with_its_own_start_picture_becomes_a_take(tmp_path: Path, fake: FakeLumaAgents) -> None:
    start = _picture(tmp_path)
    outcome, journal = generate(_backend(tmp_path, fake), _request(first_frame=str(start)), tmp_path / "project")

    assert (tmp_path / "project" / outcome.take.media).read_bytes() == sample_mp4()
    (create,) = fake.creates()
    assert create.json() == {
        "model": "ray-3.2",
        "type": "video",
        "prompt": "A lighthouse at dawn, waves breaking on the rocks",
        "aspect_ratio": "16:9",
        "video": {
            "duration": "5s",
            "resolution": "720p",
            # the creator's file, inline: Luma needs no public address for it
            "start_frame": {"data": base64.b64encode(start.read_bytes()).decode(), "media_type": "image/png"},
        },
    }
    assert journal.get(outcome.job_id).phase is JobPhase.DOWNLOADED
    # the clip came from the storage host, which never sees the key
    (download,) = fake.calls_to("GET", VIDEO)
    assert all(KEY not in value for value in download.headers.values())


@pytest.mark.parametrize(
    ("changes", "video"),
    [
        ({"duration_us": 10_000_000}, {"duration": "10s", "resolution": "720p"}),
        ({"size": Size(320, 180)}, {"duration": "5s", "resolution": "360p"}),
        ({"size": Size(960, 540)}, {"duration": "5s", "resolution": "540p"}),
        ({"size": Size(3840, 2160)}, {"duration": "5s", "resolution": "1080p"}),
        ({"resolution": "1080p", "size": Size(320, 180)}, {"duration": "5s", "resolution": "1080p"}),
        ({"options": {"loop": True}}, {"duration": "5s", "resolution": "720p", "loop": True}),
        (
            {"first_frame": "https://example.com/a.jpg", "last_frame": "https://example.com/b.jpg"},
            {
                "duration": "5s",
                "resolution": "720p",
                "start_frame": {"url": "https://example.com/a.jpg"},
                "end_frame": {"url": "https://example.com/b.jpg"},
            },
        ),
        # past 5 s the first and last frame are keyframes pinned to the clip's first and last output frame
        (
            {
                "duration_us": 10_000_000,
                "first_frame": "https://example.com/a.jpg",
                "last_frame": "https://example.com/b.jpg",
            },
            {
                "duration": "10s",
                "resolution": "720p",
                "keyframes": [{"url": "https://example.com/a.jpg"}, {"url": "https://example.com/b.jpg"}],
                "keyframe_indexes": [0, 240],
            },
        ),
        (
            {"duration_us": 10_000_000, "last_frame": "https://example.com/b.jpg"},
            {
                "duration": "10s",
                "resolution": "720p",
                "keyframes": [{"url": "https://example.com/b.jpg"}],
                "keyframe_indexes": [240],
            },
        ),
        # Ray 3.2 has neither: left out rather than refusing a shot written for another backend
        ({"negative_prompt": "blurry", "seed": 7}, {"duration": "5s", "resolution": "720p"}),
    ],
)
def test_the_shot_maps_to_the_sdks_video_options(changes: dict[str, Any], video: dict[str, Any]) -> None:
    assert create_body(_request(**changes))["video"] == video


def test_a_10_s_shot_keeps_its_own_start_picture(tmp_path: Path, fake: FakeLumaAgents) -> None:
    start = _picture(tmp_path)
    request = _request(duration_us=10_000_000, first_frame=str(start))
    outcome, _journal = generate(_backend(tmp_path, fake), request, tmp_path / "project")
    assert outcome.take.info.has_video
    (create,) = fake.creates()
    video = create.json()["video"]
    assert video["keyframe_indexes"] == [0] and video["keyframes"][0]["media_type"] == "image/png"
    assert "start_frame" not in video, "start_frame takes only 5 s"


def test_an_expired_link_is_fetched_again_fresh(tmp_path: Path, fake: FakeLumaAgents) -> None:
    fake.expire_next_links()
    outcome, _journal = generate(_backend(tmp_path, fake), _request(), tmp_path / "project")
    assert outcome.take.info.has_video
    assert fake.count("GET", VIDEO) == 2 and len(fake.creates()) == 1


# ---------------------------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"duration_us": 10_000_000, "options": {"loop": True}}, "a loop only in a 5 s clip, not 10 s"),
        ({"duration_us": 7_000_000}, "5 or 10 s, not 7 s"),
        ({"aspect": "9:21"}, "9:21"),
        ({"resolution": "4k"}, "4k"),
        ({"reference_images": ("/tmp/ref.png",)}, "reference images"),
        ({"first_frame": "/nowhere/start.png"}, "not there any more"),
        ({"first_frame": "/tmp/start.tga"}, "not an image Luma accepts"),
        ({"prompt": "  "}, "needs a prompt"),
        ({"model": "ray-2"}, "no model"),
    ],
)
def test_what_ray_3_2_cannot_make_is_refused_before_anything_is_sent(
    tmp_path: Path, fake: FakeLumaAgents, changes: dict[str, Any], words: str
) -> None:
    with pytest.raises(InputRejected, match=words):
        _submit(_backend(tmp_path, fake), _request(**changes))
    assert fake.calls == []


def test_a_refused_key_says_ray_3_2_takes_an_agents_key_not_a_dream_machine_one(
    tmp_path: Path, fake: FakeLumaAgents
) -> None:
    dream_machine_key = "luma-0123456789abcdef-dream-machine"
    with pytest.raises(AuthFailed, match="luma-api-") as refused:
        _submit(_backend(tmp_path, fake, key=dream_machine_key), _request())
    assert "Dream Machine key" in str(refused.value) and dream_machine_key not in str(refused.value)


def test_an_account_without_funds_is_told_where_to_add_them(tmp_path: Path) -> None:
    with FakeLumaAgents(balance_cents=1) as poor, pytest.raises(QuotaExceeded, match=r"platform\.lumalabs\.ai"):
        _submit(_backend(tmp_path, poor), _request())


# ---------------------------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("generation", "state", "message"),
    [
        ({"state": "failed", "failure_code": "content_moderated", "failure_reason": BLOCKED_REASON}, "blocked", ""),
        ({"state": "failed", "failure_code": "budget_exhausted"}, "failed", "ran out of funds"),
        ({"state": "failed", "failure_code": "output_not_found"}, "failed", "(output_not_found)"),
        ({"state": "completed", "output": []}, "failed", "gave no video"),
    ],
)
def test_a_failure_says_what_luma_said(generation: dict[str, Any], state: str, message: str) -> None:
    status = status_of({"id": "g", **generation})
    assert status.state is JobState(state) and message in (status.message or "")


def test_the_video_is_chosen_among_a_generations_outputs() -> None:
    outputs = [{"type": "exr", "url": "https://cdn/x.exr"}, {"type": "video", "url": "https://cdn/x.mp4"}]
    assert status_of({"state": "completed", "output": outputs}).outputs == ("https://cdn/x.mp4",)


# ---------------------------------------------------------------------------------------------- cancel


def test_a_cancel_after_luma_finished_is_simply_done(tmp_path: Path, fake: FakeLumaAgents) -> None:
    project = tmp_path / "project"
    journal = journal_for(project)
    request = _request()
    record = add_job(journal, request)
    backend = _backend(tmp_path, fake)

    async def scenario() -> None:
        try:
            submitted = await submit_job(record, backend=backend, journal=journal)
            fake.jobs[submitted.provider_job_id]["state"] = "completed"
            await cancel_generation(request.job_id, backend=backend, journal=journal)
        finally:
            await backend.aclose()

    asyncio.run(scenario())
    # nothing left running to bill: no warning that Luma goes on
    assert journal.get(request.job_id).message == "Cancelled."


def test_a_job_sent_before_a_restart_is_followed_to_its_clip_with_no_second_create(
    tmp_path: Path, fake: FakeLumaAgents
) -> None:
    project = tmp_path / "project"
    journal = journal_for(project)
    request = _request()
    record = add_job(journal, request)

    async def before() -> None:
        backend = _backend(tmp_path, fake)
        try:
            await submit_job(record, backend=backend, journal=journal)
        finally:
            await backend.aclose()

    asyncio.run(before())
    journal.close()
    reopened = journal_for(project)
    later = _backend(tmp_path, fake)

    async def after() -> Any:
        try:
            return await drive(later, reopened.get(request.job_id), reopened, project, resumed=True)
        finally:
            await later.aclose()

    assert asyncio.run(after()).take.info.has_video
    assert len(fake.creates()) == 1
