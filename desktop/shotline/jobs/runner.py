"""One background thread running a stock asyncio loop, where all HTTP, ffmpeg and timers live (DESIGN §7).

Callers on other threads (the GUI, the CLI) hand it coroutines and get a `JobHandle` back; blocking work inside
those coroutines goes to the runner's small thread pool through `asyncio.to_thread`. `shutdown()` cancels what is
still running, runs the registered cleanups (closing HTTP clients, killing ffmpeg) and joins every thread it made.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import os
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, TypeVar

from shotline.core.ports import ProgressSink

log = logging.getLogger(__name__)

T = TypeVar("T")

THREAD_NAME = "shotline-async"
DEFAULT_WORKERS = max(1, min(3, (os.cpu_count() or 2) - 1))
"""Threads for blocking steps: one core is left for the window. Measured on 2 cores while 10 jobs generate and an
export runs: with 3 threads the longest GUI stall was 41–85 ms (median 58) and the load took 2.8 s; with 1 it was
31–55 ms (median 41) and the load finished sooner (2.6 s): more threads than cores only fought over them."""
PREVIEW_WORKERS = 1
"""Pictures and sound for the screen (thumbnails, waveforms, mix previews) are decoded on a thread of their own:
however many are asked for at once they take at most one core, and they never queue behind a job's steps."""

_preview_executors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, concurrent.futures.Executor] = (
    weakref.WeakKeyDictionary()
)


class JobHandle(Generic[T]):
    """A coroutine running on the runner, seen from another thread."""

    def __init__(self, future: concurrent.futures.Future[T]) -> None:
        self._future = future

    def cancel(self) -> bool:
        """Ask the coroutine to stop; it receives CancelledError at its next await and may clean up first."""
        return self._future.cancel()

    def done(self) -> bool:
        return self._future.done()

    def cancelled(self) -> bool:
        return self._future.cancelled()

    def result(self, timeout: float | None = None) -> T:
        """The coroutine's result; re-raises its exception, or CancelledError if it was cancelled."""
        return self._future.result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        return self._future.exception(timeout)

    def add_done_callback(self, fn: Callable[[JobHandle[T]], None]) -> None:
        """Call `fn(handle)` when the coroutine ends; it runs on the runner's thread (or at once if already done)."""
        self._future.add_done_callback(lambda _future: fn(self))


class AsyncRunner:
    """Owns the loop thread and its thread pool. Create one per application; use it as a context manager in tests."""

    def __init__(self, *, workers: int = DEFAULT_WORKERS, name: str = THREAD_NAME) -> None:
        self._loop = asyncio.new_event_loop()
        self._pool_prefix = f"{name}-pool"
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=self._pool_prefix
        )
        # asyncio.to_thread uses the loop's default executor, so this keeps blocking work on our bounded pool
        self._loop.set_default_executor(self._executor)
        self._previews = concurrent.futures.ThreadPoolExecutor(
            max_workers=PREVIEW_WORKERS, thread_name_prefix=f"{name}-previews"
        )
        _preview_executors[self._loop] = self._previews
        self._cleanups: list[Callable[[], Awaitable[None]]] = []
        self._closed = False
        self._lock = threading.Lock()
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name=name)
        self._thread.start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(started.set)
        try:
            self._loop.run_forever()
        finally:
            asyncio.set_event_loop(None)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    @property
    def closed(self) -> bool:
        return self._closed

    def in_loop_thread(self) -> bool:
        return threading.current_thread() is self._thread

    # ------------------------------------------------------------------------------------------ work

    def submit(self, coro: Coroutine[Any, Any, T]) -> JobHandle[T]:
        """Start `coro` on the loop thread; safe to call from any thread."""
        with self._lock:
            if self._closed:
                coro.close()
                raise RuntimeError("The background runner has shut down; no more work can start.")
            future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return JobHandle(future)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` and wait for its result (for the CLI). Cancels it if `timeout` passes."""
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError("AsyncRunner.run() would deadlock when called from the runner's own thread.")
        if threading.current_thread().name.startswith(self._pool_prefix):
            coro.close()
            raise RuntimeError(
                "AsyncRunner.run() would deadlock when called from the runner's pool (the pool may be one thread): "
                "run such work with to_own_thread."
            )
        handle = self.submit(coro)
        try:
            return handle.result(timeout)
        except concurrent.futures.TimeoutError:
            handle.cancel()
            raise

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Call a plain function on the loop thread."""
        self._loop.call_soon_threadsafe(fn)

    def add_cleanup(self, cleanup: Callable[[], Awaitable[None]]) -> None:
        """Register an async cleanup (close an HTTP client, kill ffmpeg) run at shutdown, newest first."""
        self._cleanups.append(cleanup)

    # ------------------------------------------------------------------------------------------ shutdown

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel every task, run the cleanups, stop the pool and the loop, and join the thread. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.in_loop_thread():
            raise RuntimeError("AsyncRunner.shutdown() must be called from outside the runner's thread.")
        deadline = time.monotonic() + timeout
        if self._thread.is_alive():
            wind_down = asyncio.run_coroutine_threadsafe(self._wind_down(timeout), self._loop)
            try:
                wind_down.result(timeout)
            except concurrent.futures.TimeoutError:
                log.warning("Background work did not stop within %.1f s; stopping the loop anyway", timeout)
            except Exception:
                log.exception("Shutting down the background runner failed")
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(max(0.1, deadline - time.monotonic()))
        if self._thread.is_alive():
            log.error("The background runner thread did not stop")
            return
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._previews.shutdown(wait=True, cancel_futures=True)
        self._loop.close()

    async def _wind_down(self, grace: float) -> None:
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace / 2)
            for task in pending:
                log.warning("Task %s did not finish after being cancelled", task.get_name())
        for cleanup in reversed(self._cleanups):
            try:
                await asyncio.wait_for(cleanup(), timeout=grace / 4)
            except Exception:
                log.exception("A shutdown cleanup failed")
        await self._loop.shutdown_asyncgens()
        await self._loop.shutdown_default_executor()

    def __enter__(self) -> AsyncRunner:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.shutdown()


async def to_preview_thread(func: Callable[..., T], /, *args: Any) -> T:
    """`asyncio.to_thread` for decoding work whose only purpose is the screen: on the owning runner's preview
    thread (see PREVIEW_WORKERS), or the loop's default pool when no runner owns the running loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_preview_executors.get(loop), functools.partial(func, *args))


async def to_own_thread(
    func: Callable[..., T], /, *args: Any, name: str, on_cancel: Callable[[], object] | None = None
) -> T:
    """`asyncio.to_thread` on a new thread, for long work the creator started (sharing a project can take minutes):
    it must not hold up the pool's short steps, which on two cores is a single thread.

    Cancelling the caller stops it waiting at once, and the work runs on unless its own cancel flag tells it to stop.
    With `on_cancel` (which sets that flag), the caller instead tells the work and waits for it to end, so the
    runner shutting down does not end before the work has removed what it wrote. The thread's future is not a task,
    so the runner's shutdown, which cancels every task, cannot cut that wait short."""
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    try:
        working = asyncio.get_running_loop().run_in_executor(executor, functools.partial(func, *args))
        if on_cancel is None:
            return await working
        try:
            return await asyncio.shield(working)
        except asyncio.CancelledError:
            on_cancel()
            await asyncio.wait([working])
            raise
    finally:
        executor.shutdown(wait=False)  # the thread ends with the work; a cancelled caller must not wait here


# ---------------------------------------------------------------------------------------------- progress


class _Throttle:
    """Passes at most `per_second` values on; the latest held-back value follows once the interval has passed."""

    def __init__(self, sink: ProgressSink, per_second: float, clock: Callable[[], float]) -> None:
        self._sink = sink
        self._interval = 1.0 / per_second
        self._clock = clock
        self._last_sent = -float("inf")
        self._pending: float | None = None
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, value: float) -> None:
        now = self._clock()
        if value >= 1.0 or now - self._last_sent >= self._interval:
            self._send(value, now)
            return
        self._pending = value
        if self._timer is None:
            self._schedule(self._interval - (now - self._last_sent))

    def _send(self, value: float, now: float) -> None:
        self._pending = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._last_sent = now
        self._sink(value)

    def _schedule(self, delay: float) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # outside a loop the held-back value is simply superseded by the next one
        self._timer = loop.call_later(max(0.0, delay), self._flush)

    def _flush(self) -> None:
        self._timer = None
        if self._pending is not None:
            self._send(self._pending, self._clock())


def throttled(
    sink: ProgressSink, per_second: float = 10, *, clock: Callable[[], float] = time.monotonic
) -> ProgressSink:
    """Wrap `sink` so it is called at most `per_second` times a second; the final 1.0 always gets through."""
    if per_second <= 0:
        raise ValueError("per_second must be positive")
    return _Throttle(sink, per_second, clock)
