"""Clean-up in a stopping task: on a worker thread when the task is cancelled, here and now when its coroutine is
closed because the task was collected after its loop stopped — never a coroutine left that no loop will run; and
two tasks run together, neither outliving the other's failure."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from pathlib import Path

import pytest

from shotline.core.cleanup import clean_up_on_thread, together
from shotline.core.errors import RenderFailed


def partial_file(tmp_path: Path) -> Path:
    partial = tmp_path / "clip.part.mp4"
    partial.write_bytes(b"half a clip")
    return partial


def test_a_cancelled_task_cleans_up_on_a_worker_thread(tmp_path: Path) -> None:
    partial = partial_file(tmp_path)
    removed_on: list[str] = []

    def remove() -> None:
        removed_on.append(threading.current_thread().name)
        partial.unlink()

    async def scenario() -> None:
        waiting = asyncio.Event()

        async def download() -> None:
            try:
                waiting.set()
                await asyncio.Event().wait()
            finally:
                await clean_up_on_thread(remove)

        task = asyncio.create_task(download())
        await waiting.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert not partial.exists()
    assert removed_on and removed_on[0] != threading.current_thread().name


def test_a_task_collected_after_its_loop_stopped_cleans_up_at_once_and_leaves_no_coroutine(tmp_path: Path) -> None:
    partial = partial_file(tmp_path)

    async def download() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await clean_up_on_thread(partial.unlink, missing_ok=True)

    gc.collect()  # earlier tests' garbage goes now, so what is collected below is this test's own
    loop = asyncio.new_event_loop()
    task = loop.create_task(download())
    loop.run_until_complete(asyncio.sleep(0))  # the download starts and waits
    loop.close()  # and its loop stops without it, as a runner's does when it gives up waiting at shutdown
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del task
        gc.collect()  # the pending task goes, and with it its coroutine, closed with GeneratorExit
    assert not partial.exists()
    # a coroutine never awaited is a RuntimeWarning; anything else caught here is not this test's (e.g. an unclosed
    # socket another test left to the collector on a busy machine)
    assert [str(warning.message) for warning in caught if issubclass(warning.category, RuntimeWarning)] == []


# ---------------------------------------------------------------------------------------------- together


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
            await together(picture(), sound())
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
        task = asyncio.ensure_future(together(work("picture"), work("sound")))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert sorted(stopped) == ["picture", "sound"]

    asyncio.run(export())
