"""AsyncRunner: results and errors cross threads, cancel reaches the coroutine, shutdown leaves nothing behind."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import threading
import time

import pytest

from shotline.jobs.runner import THREAD_NAME, AsyncRunner, JobHandle, throttled


def _runner_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]


async def _answer(value: int) -> int:
    await asyncio.sleep(0.01)
    return value * 2


async def _explode() -> None:
    await asyncio.sleep(0)
    raise ValueError("the clip is upside down")


def test_submit_returns_results_and_propagates_errors() -> None:
    with AsyncRunner() as runner:
        assert runner.submit(_answer(21)).result(timeout=5) == 42
        assert runner.run(_answer(4), timeout=5) == 8
        handle = runner.submit(_explode())
        with pytest.raises(ValueError, match="upside down"):
            handle.result(timeout=5)
        assert isinstance(handle.exception(), ValueError)


def test_work_runs_on_the_loop_thread_and_blocking_work_on_the_pool() -> None:
    async def where() -> tuple[str, str]:
        pool_thread = await asyncio.to_thread(lambda: threading.current_thread().name)
        return threading.current_thread().name, pool_thread

    with AsyncRunner() as runner:
        loop_thread, pool_thread = runner.run(where(), timeout=5)
        assert loop_thread == THREAD_NAME
        assert pool_thread.startswith(f"{THREAD_NAME}-pool")
        seen: list[str] = []
        done = threading.Event()
        runner.call_soon(lambda: (seen.append(threading.current_thread().name), done.set()))
        assert done.wait(5) and seen == [THREAD_NAME]


def test_cancel_reaches_the_coroutine_and_callbacks_get_the_handle() -> None:
    saw_cancel = threading.Event()
    started = threading.Event()

    async def long_job() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            saw_cancel.set()
            raise

    with AsyncRunner() as runner:
        handle = runner.submit(long_job())
        called: list[JobHandle[None]] = []
        finished = threading.Event()
        handle.add_done_callback(lambda h: (called.append(h), finished.set()))
        assert started.wait(5)
        assert handle.cancel()
        assert saw_cancel.wait(5)
        assert finished.wait(5) and called == [handle]
        assert handle.done() and handle.cancelled()
        with pytest.raises(concurrent.futures.CancelledError):
            handle.result(timeout=1)


def test_run_times_out_and_cancels() -> None:
    with AsyncRunner() as runner, pytest.raises(concurrent.futures.TimeoutError):
        runner.run(asyncio.sleep(30), timeout=0.1)


def test_run_from_the_loop_thread_is_refused() -> None:
    with AsyncRunner() as runner:

        async def nested() -> None:
            runner.run(_answer(1))

        with pytest.raises(RuntimeError, match="deadlock"):
            runner.run(nested(), timeout=5)


def test_shutdown_cancels_tasks_runs_cleanups_and_joins_every_thread() -> None:
    before = set(threading.enumerate())
    runner = AsyncRunner()
    cancelled = threading.Event()
    cleaned: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def close_client() -> None:
        await asyncio.sleep(0)
        cleaned.append("http client closed")

    runner.add_cleanup(close_client)
    handle = runner.submit(forever())
    runner.run(asyncio.to_thread(time.sleep, 0.01), timeout=5)  # the pool has a live thread now
    assert _runner_threads()

    runner.shutdown(timeout=5)

    assert cancelled.is_set() and handle.cancelled()
    assert cleaned == ["http client closed"]
    assert _runner_threads() == []
    assert [t for t in threading.enumerate() if t not in before] == []
    assert runner.loop.is_closed()
    runner.shutdown()  # a second call is harmless
    coro = _answer(1)
    with pytest.raises(RuntimeError, match="shut down"):
        runner.submit(coro)


def test_throttled_progress_is_at_most_ten_a_second_and_keeps_the_final_value() -> None:
    received: list[tuple[float, float]] = []

    def sink(value: float) -> None:
        received.append((time.monotonic(), value))

    async def report() -> None:
        progress = throttled(sink, per_second=10)
        start = time.monotonic()
        calls = 0
        while time.monotonic() - start < 0.55:
            calls += 1
            progress(min(0.99, calls / 100_000))
            await asyncio.sleep(0.001)
        progress(0.995)  # held back, then delivered by the trailing flush
        await asyncio.sleep(0.25)
        progress(1.0)
        progress(1.0)

    asyncio.run(report())
    times = [t for t, _ in received]
    values = [v for _, v in received]
    assert 5 <= len(received) <= 10
    gaps = [b - a for a, b in itertools.pairwise(times[:-2])]
    assert min(gaps) >= 0.09
    assert 0.995 in values
    assert values[-2:] == [1.0, 1.0]
