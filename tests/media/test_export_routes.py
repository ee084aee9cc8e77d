"""The export's passes that run side by side: when one fails or the export is cancelled, the other stops and has
let go of its files before the export goes on (to remove them)."""

from __future__ import annotations

import asyncio

import pytest

from shotline.core.errors import RenderFailed
from shotline.media.export_routes import Passes, _together


def test_a_failing_pass_stops_the_other_before_the_failure_goes_on() -> None:
    seen: list[str] = []

    async def picture() -> str:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)  # letting go of its file takes a moment
            seen.append("picture stopped")
            raise
        return "copied"

    async def sound() -> str:
        await asyncio.sleep(0)
        raise RenderFailed("the mix failed")

    async def export() -> None:
        with pytest.raises(RenderFailed, match="the mix failed"):
            await _together(picture(), sound())
        seen.append("export goes on")

    asyncio.run(export())
    assert seen == ["picture stopped", "export goes on"]


def test_cancelling_stops_both_before_the_cancel_goes_on() -> None:
    stopped: list[str] = []

    async def work(name: str) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append(name)
            raise

    async def export() -> None:
        task = asyncio.ensure_future(_together(work("picture"), work("sound")))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert sorted(stopped) == ["picture", "sound"]

    asyncio.run(export())


def test_passes_side_by_side_fill_one_bar_that_never_goes_back() -> None:
    seen: list[float] = []
    passes = Passes(seen.append, {"mix": 1.0, "picture": 1.0, "mux": 2.0})
    mix, picture = passes.sink("mix"), passes.sink("picture")
    assert mix is not None and picture is not None
    mix(0.5)
    picture(0.5)
    mix(0.25)  # a late report of an earlier point
    passes.finish("picture")
    passes.finish("mix")
    passes.finish("mux")
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert seen[:2] == [0.125, 0.25]
