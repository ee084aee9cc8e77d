"""Run ffmpeg as an asyncio subprocess: stream its progress, surface its errors, and never leave one behind.

`run_ffmpeg` receives a complete command line *without* the reporting flags and inserts them itself, right after
the executable, so every caller gets the same quiet, machine-readable behaviour:
`-nostdin -hide_banner -loglevel error -nostats -progress pipe:1`. Callers must not add these flags.

Cancelling the awaiting task kills ffmpeg and waits for it to exit before the cancellation goes on. Every
running ffmpeg is also listed in the caller's `ProcessRegistry` (the app owns one), so shutdown can `kill_all()`
whatever is still going.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import time
from collections import deque

from shotline.core.errors import RenderFailed
from shotline.core.ports import ProgressSink
from shotline.media.progress import ProgressParser

log = logging.getLogger(__name__)

REPORTING_FLAGS = ("-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1")
MIN_PROGRESS_INTERVAL_S = 0.1
"""At most ten progress calls a second: the window cannot show more and each one crosses threads."""
_STDERR_LINES_KEPT = 12
BACKGROUND_NICENESS = 10


class ProcessRegistry:
    """The ffmpeg processes this app has running, so shutdown can stop them all."""

    def __init__(self) -> None:
        self._running: set[asyncio.subprocess.Process] = set()

    def add(self, process: asyncio.subprocess.Process) -> None:
        self._running.add(process)

    def discard(self, process: asyncio.subprocess.Process) -> None:
        self._running.discard(process)

    def __len__(self) -> int:
        return len(self._running)

    def pids(self) -> list[int]:
        return [p.pid for p in self._running]

    def kill_all(self) -> int:
        """Kill every ffmpeg still running; returns how many were killed. Safe to call from shutdown code."""
        killed = 0
        for process in list(self._running):
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                    killed += 1
        return killed


def _yield_to_the_window(pid: int) -> None:
    """Run ffmpeg a little below normal priority: renders take the spare cores, the window stays smooth."""
    if hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICENESS)


def with_reporting_flags(argv: list[str]) -> list[str]:
    if not argv:
        raise ValueError("An ffmpeg command line needs at least the executable")
    return [argv[0], *REPORTING_FLAGS, *argv[1:]]


async def run_ffmpeg(
    argv: list[str],
    *,
    duration_us: int | None = None,
    progress: ProgressSink | None = None,
    registry: ProcessRegistry | None = None,
) -> None:
    """Run ffmpeg to completion. Raises RenderFailed on a non-zero exit; kills ffmpeg if cancelled."""
    registry = ProcessRegistry() if registry is None else registry
    command = with_reporting_flags(argv)
    log.debug("running %s", shlex.join(command))
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    registry.add(process)
    _yield_to_the_window(process.pid)
    stderr_tail: deque[str] = deque(maxlen=_STDERR_LINES_KEPT)
    readers = [
        asyncio.ensure_future(_read_progress(process, duration_us, progress)),
        asyncio.ensure_future(_read_stderr(process, stderr_tail)),
    ]
    try:
        await asyncio.gather(*readers)
        returncode = await process.wait()
    finally:
        for reader in readers:
            reader.cancel()
        if process.returncode is None:
            await _kill_and_reap(process)
        registry.discard(process)
    if returncode != 0:
        detail = "\n".join(stderr_tail) or "(ffmpeg printed no error)"
        raise RenderFailed(
            f"ffmpeg stopped with an error (exit code {returncode}). Check that every clip still plays, "
            f"then try again. ffmpeg said:\n{detail}"
        )


async def _kill_and_reap(process: asyncio.subprocess.Process) -> None:
    """Kill ffmpeg and wait until it has exited, even if we are cancelled again meanwhile."""
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    waiter = asyncio.ensure_future(process.wait())
    while not waiter.done():
        try:
            await asyncio.shield(waiter)
        except asyncio.CancelledError:
            # a second cancel must not leave a zombie behind; the first one is already being delivered
            continue
    log.debug("ffmpeg %s killed", process.pid)


async def _read_progress(
    process: asyncio.subprocess.Process, duration_us: int | None, progress: ProgressSink | None
) -> None:
    assert process.stdout is not None
    parser = ProgressParser(duration_us)
    last_report = 0.0
    reported = -1.0
    while chunk := await process.stdout.read(4096):
        if not parser.feed(chunk.decode("utf-8", "replace")) or progress is None:
            continue
        now = time.monotonic()
        if parser.finished or (now - last_report >= MIN_PROGRESS_INTERVAL_S and parser.fraction != reported):
            last_report, reported = now, parser.fraction
            progress(parser.fraction)


async def _read_stderr(process: asyncio.subprocess.Process, tail: deque[str]) -> None:
    assert process.stderr is not None
    while line := await process.stderr.readline():
        text = line.decode("utf-8", "replace").rstrip()
        if text:
            tail.append(text)
            log.debug("ffmpeg: %s", text)
