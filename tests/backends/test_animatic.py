"""The offline animatic backend: the same submit/poll/download path as a cloud backend, resumable from its folder."""

from __future__ import annotations

import asyncio
import colorsys
import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from shotline.backends.animatic import PALETTE, AnimaticBackend, card_colour
from shotline.core.errors import InputRejected, JobFailed
from shotline.core.model import Size
from shotline.core.ports import GenerationRequest, JobState, JobStatus
from shotline.media.probe import probe
from tests.backends.kit import context, request

pytestmark = pytest.mark.ffmpeg


async def _until_final(backend: AnimaticBackend, provider_id: str, timeout: float = 30.0) -> list[JobStatus]:
    seen: list[JobStatus] = []
    async with asyncio.timeout(timeout):
        while not seen or not seen[-1].state.is_final:
            seen.append(await backend.poll(provider_id))
            await asyncio.sleep(0.02)
    return seen


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _contrast_with_white(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def _hue_gap(a: str, b: str) -> float:
    gap = abs(colorsys.rgb_to_hsv(*_rgb(a))[0] - colorsys.rgb_to_hsv(*_rgb(b))[0]) * 360
    return min(gap, 360 - gap)


def test_card_colours_are_distinct_dark_and_saturated() -> None:
    assert len(PALETTE) >= 8
    assert card_colour(1) == PALETTE[0] and card_colour(len(PALETTE) + 1) == PALETTE[0]
    assert card_colour(0) == PALETTE[-1]
    for colour in PALETTE:
        _hue, saturation, value = colorsys.rgb_to_hsv(*_rgb(colour))
        assert saturation >= 0.5 and 0.3 <= value <= 0.75, colour
        assert _contrast_with_white(colour) >= 4.5, f"white text on {colour} is hard to read"
    for a, b in itertools.combinations(PALETTE, 2):
        assert _hue_gap(a, b) >= 20, (a, b)
    for shot in range(1, len(PALETTE) + 1):
        assert _hue_gap(card_colour(shot), card_colour(shot + 1)) >= 60, f"shots {shot} and {shot + 1} look alike"


def test_submit_poll_download_gives_the_requested_clip(tmp_path: Path) -> None:
    req = request(duration_us=1_250_000, size=Size(256, 144))
    dest = tmp_path / "out.mp4"
    fractions: list[float] = []

    async def scenario() -> tuple[str, list[JobStatus], str | None, str | None]:
        backend = AnimaticBackend(context(tmp_path / "work"))
        try:
            provider_id = await backend.submit(req)
            statuses = await _until_final(backend, provider_id)
            await backend.download(provider_id, statuses[-1], dest, fractions.append)
            found = await backend.find(req)
            other = await backend.find(replace(req, job_id="another-job"))
            return provider_id, statuses, found, other
        finally:
            await backend.aclose()

    provider_id, statuses, found, other = asyncio.run(scenario())
    assert {s.state for s in statuses[:-1]} <= {JobState.QUEUED, JobState.RUNNING}
    assert statuses[-1].state is JobState.SUCCEEDED
    assert statuses[-1].outputs == (str(tmp_path / "work" / f"{provider_id}.mp4"),)
    info = probe(dest)
    assert info.size == Size(256, 144)
    assert abs(info.duration_us - 1_250_000) <= 1_000_000 / 24
    assert info.has_audio
    assert fractions[-1] == 1.0
    saved = json.loads((tmp_path / "work" / f"{provider_id}.json").read_text())
    assert GenerationRequest.from_json(saved) == req
    assert found == provider_id and other is None


def test_unknown_or_malformed_ids_fail_with_a_message(tmp_path: Path) -> None:
    async def scenario() -> list[JobStatus]:
        backend = AnimaticBackend(context(tmp_path))
        return [await backend.poll("0" * 32), await backend.poll("../../etc/passwd")]

    for status in asyncio.run(scenario()):
        assert status.state is JobState.FAILED
        assert "no job" in status.message

    with pytest.raises(JobFailed, match="not there"):
        asyncio.run(
            AnimaticBackend(context(tmp_path)).download("0" * 32, JobStatus(JobState.SUCCEEDED), tmp_path / "x", print)
        )


def test_requests_outside_the_capabilities_are_rejected(tmp_path: Path) -> None:
    backend = AnimaticBackend(context(tmp_path))
    with pytest.raises(InputRejected, match="between 1 and 60 seconds"):
        asyncio.run(backend.submit(request(duration_us=500_000)))
    with pytest.raises(InputRejected, match="no model 'veo'"):
        asyncio.run(backend.submit(request(model="veo")))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_is_reported_by_poll(tmp_path: Path) -> None:
    from functools import partial

    from shotline.media.cards import render_card
    from tests.clips import ffmpeg_exe

    broken = partial(render_card, ffmpeg=Path(ffmpeg_exe()), font=tmp_path / "missing-font.ttf")

    async def scenario() -> JobStatus:
        backend = AnimaticBackend(context(tmp_path / "work", broken))
        provider_id = await backend.submit(request())
        return (await _until_final(backend, provider_id))[-1]

    status = asyncio.run(scenario())
    assert status.state is JobState.FAILED
    assert "could not be rendered" in status.message and "font" in status.message


def test_at_most_two_cards_render_at_once(tmp_path: Path) -> None:
    async def scenario() -> list[JobState]:
        backend = AnimaticBackend(context(tmp_path / "work"))
        try:
            ids = [await backend.submit(request(duration_us=30_000_000, size=Size(640, 360))) for _ in range(3)]
            await asyncio.sleep(0.3)
            return [(await backend.poll(provider_id)).state for provider_id in ids]
        finally:
            await backend.aclose()

    assert sorted(asyncio.run(scenario())) == [JobState.QUEUED, JobState.RUNNING, JobState.RUNNING]


def test_cancel_stops_the_render_and_removes_its_files(tmp_path: Path) -> None:
    work = tmp_path / "work"

    async def scenario() -> JobStatus:
        backend = AnimaticBackend(context(work))
        provider_id = await backend.submit(request(duration_us=30_000_000, size=Size(1280, 720)))
        await asyncio.sleep(0.3)
        await backend.cancel(provider_id)
        return await backend.poll(provider_id)

    assert asyncio.run(scenario()).state is JobState.FAILED
    assert list(work.iterdir()) == []


def test_a_new_backend_resumes_a_job_whose_render_was_interrupted(tmp_path: Path) -> None:
    work = tmp_path / "work"
    req = request(duration_us=20_000_000, size=Size(640, 360))

    async def first_run() -> str:
        backend = AnimaticBackend(context(work))
        provider_id = await backend.submit(req)
        await asyncio.sleep(0.3)
        await backend.aclose()  # the app quits mid-render
        return provider_id

    provider_id = asyncio.run(first_run())
    assert (work / f"{provider_id}.json").is_file()
    assert not (work / f"{provider_id}.mp4").exists()

    async def second_run() -> list[JobStatus]:
        backend = AnimaticBackend(context(work))
        try:
            return await _until_final(backend, provider_id, timeout=60)
        finally:
            await backend.aclose()

    statuses = asyncio.run(second_run())
    assert statuses[0].state in (JobState.QUEUED, JobState.RUNNING)
    assert statuses[-1].state is JobState.SUCCEEDED
    assert abs(probe(work / f"{provider_id}.mp4").duration_us - 20_000_000) <= 1_000_000 / 24
