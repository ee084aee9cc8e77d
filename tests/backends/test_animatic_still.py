"""The animatic's still card: one PNG of the card, through the same submit/poll/download path as its clips, and
found again from its folder after a restart."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import av
import pytest

from shotline.backends.animatic import AnimaticBackend
from shotline.core.model import Size
from shotline.core.ports import JobState, MediaKind
from tests.backends.kit import context, request

pytestmark = pytest.mark.ffmpeg


def test_a_still_card_is_a_png_of_the_frame_and_survives_a_restart(tmp_path: Path) -> None:
    still = replace(request(size=Size(180, 320)), model="still-card", kind=MediaKind.IMAGE, duration_us=0, audio=False)
    dest = tmp_path / "still.png"

    async def scenario() -> tuple[str, str | None, JobState]:
        first = AnimaticBackend(context(tmp_path / "work"))
        try:
            provider_id = await first.submit(still)
            async with asyncio.timeout(30):
                while not (await first.poll(provider_id)).state.is_final:
                    await asyncio.sleep(0.02)
        finally:
            await first.aclose()
        again = AnimaticBackend(context(tmp_path / "work"))  # a restart: only the folder is left
        try:
            status = await again.poll(provider_id)
            await again.download(provider_id, status, dest, lambda _: None)
            return provider_id, await again.find(still), status.state
        finally:
            await again.aclose()

    provider_id, found, state = asyncio.run(scenario())

    assert state is JobState.SUCCEEDED and found == provider_id
    assert (tmp_path / "work" / f"{provider_id}.png").is_file()
    assert not (tmp_path / "work" / f"{provider_id}.mp4").exists()
    with av.open(str(dest)) as container:
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height, container.format.name) == (180, 320, "png_pipe")
