"""AsyncRunner: results and errors cross threads, cancel reaches the coroutine, shutdown leaves nothing behind."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time

import pytest

from shotline.jobs.runner import THREAD_NAME, AsyncRunner, JobHandle, throttled, to_own_thread, to_preview_thread


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


def test_run_from_the_pool_is_refused_but_works_from_a_thread_of_its_own() -> None:
    with AsyncRunner(workers=1) as runner:

        def render_the_demo() -> int:  # blocking work that waits for more of the runner's work
            return runner.run(asyncio.to_thread(lambda: 21 * 2), timeout=5)

        with pytest.raises(RuntimeError, match="to_own_thread"):
            runner.run(asyncio.to_thread(render_the_demo), timeout=5)
        assert runner.run(to_own_thread(render_the_demo, name="shotline-demo"), timeout=5) == 42


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
    runner.run(to_preview_thread(time.sleep, 0.01), timeout=5)  # and so has the preview lane
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


def _thread_name() -> str:
    return threading.current_thread().name


class Blocker:
    """Blocking work that holds its thread until released; it says it started and finished, and returns where it
    ran."""

    def __init__(self) -> None:
        self.started, self.release, self.finished = threading.Event(), threading.Event(), threading.Event()

    def __call__(self) -> str:
        self.started.set()
        self.release.wait(10)
        self.finished.set()
        return _thread_name()


def test_preview_work_has_one_thread_of_its_own_and_never_waits_for_the_pool() -> None:
    with AsyncRunner(workers=1) as runner:
        hold_the_pool = Blocker()
        holding = runner.submit(asyncio.to_thread(hold_the_pool))
        assert hold_the_pool.started.wait(5)
        # the only pool thread is taken, yet previews run, all on the one preview thread
        names = {runner.run(to_preview_thread(_thread_name), timeout=5) for _ in range(5)}
        assert len(names) == 1 and "previews" in names.pop()
        hold_the_pool.release.set()
        holding.result(timeout=5)


def test_preview_work_outside_a_runner_uses_the_loops_own_pool() -> None:
    assert asyncio.run(to_preview_thread(lambda: 6 * 7)) == 42


def test_long_work_on_its_own_thread_leaves_the_pool_free_and_can_be_cancelled() -> None:
    with AsyncRunner(workers=1) as runner:
        share_a_big_project = Blocker()
        long_work = runner.submit(to_own_thread(share_a_big_project, name="shotline-sharing"))
        assert share_a_big_project.started.wait(5)
        assert runner.run(asyncio.to_thread(lambda: "a job's step"), timeout=5) == "a job's step"
        share_a_big_project.release.set()
        assert long_work.result(timeout=5).startswith("shotline-sharing")

        share_a_bigger_one = Blocker()
        caller_stopped = threading.Event()

        async def share() -> str:
            try:
                return await to_own_thread(share_a_bigger_one, name="shotline-sharing")
            finally:
                caller_stopped.set()

        cancelled = runner.submit(share())
        assert share_a_bigger_one.started.wait(5)
        cancelled.cancel()  # the caller stops waiting at once; the work is told by its own cancel flag
        with pytest.raises(concurrent.futures.CancelledError):
            cancelled.result(timeout=5)
        assert caller_stopped.wait(5), "the cancelled caller went on waiting for the work"
        assert not share_a_bigger_one.finished.is_set(), "the caller stopped only once the work had finished"
        share_a_bigger_one.release.set()
        assert share_a_bigger_one.finished.wait(5)


class Clock:
    """Time that moves only when the test moves it: the throttle reads it, and so does the loop its flush waits on."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttled_progress_is_at_most_ten_a_second_and_keeps_the_final_value() -> None:
    clock = Clock()
    received: list[tuple[float, float]] = []
    loop = asyncio.new_event_loop()
    loop.time = clock  # type: ignore[method-assign]  # the held-back value's flush is a timer on this loop

    async def let_due_timers_run() -> None:
        # one turn moves a timer that fell due behind this task in the loop's queue, the next runs it
        for _turn in range(2):
            await asyncio.sleep(0)

    async def report() -> None:
        progress = throttled(lambda value: received.append((clock.now, value)), per_second=10, clock=clock)
        for ms in range(550):  # a value every millisecond for 0.55 s; each value is the time it was reported at
            clock.now = ms / 1000
            progress(ms / 1000)
            await let_due_timers_run()
        for now in (0.599, 0.6):  # nothing reported since 0.549: that value follows once its interval has passed
            clock.now = now
            await let_due_timers_run()
        clock.now = 0.66
        progress(1.0)
        progress(1.0)  # the final value always gets through, at once

    try:
        loop.run_until_complete(report())
    finally:
        loop.close()
    times = [at for at, _value in received]
    assert times == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.66, 0.66]
    # each passed value is the newest one at the moment it was passed on, never an older held-back one
    assert [value for _at, value in received[:6]] == times[:6]
    assert received[6][1] == 0.549
    assert [value for _at, value in received[7:]] == [1.0, 1.0]
