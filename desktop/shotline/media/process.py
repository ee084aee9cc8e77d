"""Run ffmpeg as an asyncio subprocess: stream its progress, surface its errors, and never leave one behind.

`run_ffmpeg` receives a complete command line *without* the reporting flags and inserts them itself, right after
the executable, so every caller gets the same quiet, machine-readable behaviour:
`-nostdin -hide_banner -loglevel error -nostats -progress pipe:1`. Callers must not add these flags.

A failure is told in plain words: ffmpeg's last lines without its internal addresses and error numbers, Shotline's
hidden temporary files named as the file they become, and a file that could not be written (a full disk, a
read-only folder) said as such, naming the creator's file.

Cancelling the awaiting task kills ffmpeg and waits for it to exit before the cancellation goes on. Every
running ffmpeg is also listed in the caller's `ProcessRegistry` (the app owns one), so shutdown can `kill_all()`
whatever is still going. A Shotline killed outright runs none of this: each ffmpeg is started tied to it
(media.lifeline), so it dies with Shotline.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import re
import shlex
import time
from collections import deque
from pathlib import Path

from shotline.core.errors import RenderFailed, in_creator_words
from shotline.core.ports import ProgressSink
from shotline.media import lifeline
from shotline.media.progress import ProgressParser

log = logging.getLogger(__name__)

REPORTING_FLAGS = ("-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1")
MIN_PROGRESS_INTERVAL_S = 0.1
"""At most ten progress calls a second: the window cannot show more and each one crosses threads."""
_STDERR_LINES_KEPT = 12
BACKGROUND_NICENESS = 10

_FREE_SPACE = "Free some space on that disk or export to another one, then try again."
_WRITABLE = "Choose a folder you can write to, then try again."
_WRITE_FAILURES = {
    os.strerror(errno.ENOSPC): _FREE_SPACE,
    os.strerror(getattr(errno, "EDQUOT", errno.ENOSPC)): _FREE_SPACE,
    os.strerror(errno.EFBIG): "The disk cannot hold a file this large; export to another disk, then try again.",
    os.strerror(errno.EROFS): _WRITABLE,
    os.strerror(errno.EACCES): _WRITABLE,
    os.strerror(errno.EPERM): _WRITABLE,
    os.strerror(errno.EIO): "The disk reported an error; check it, or export to another disk, then try again.",
}
"""What the system says when a file cannot be written (ffmpeg prints the same words), and what the creator can do."""
_CONTEXT = re.compile(r"^(?:\[[^\]]* @ 0x[0-9a-f]+\]\s*)+")
"""ffmpeg's "[out#0/mp4 @ 0x55b4c3166f80] " prefixes: where in ffmpeg, at which address."""
_CODE = re.compile(r"(?:error|return) code:? -?\d+ \(([^)]*)\)", re.IGNORECASE)
_NUMBERED = re.compile(r"error number -?\d+ occurred|^\s*last message repeated", re.IGNORECASE)


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
                lifeline.kill(process)
                killed += 1
        return killed


def _yield_to_the_window(pid: int) -> None:
    """Run ffmpeg a little below normal priority: renders take the spare cores, the window stays smooth."""
    if hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICENESS)


def with_reporting_flags(argv: list[str], *, progress: bool = True) -> list[str]:
    if not argv:
        raise ValueError("An ffmpeg command line needs at least the executable")
    flags = REPORTING_FLAGS if progress else REPORTING_FLAGS[: REPORTING_FLAGS.index("-progress")]
    return [argv[0], *flags, *argv[1:]]


async def run_ffmpeg(
    argv: list[str],
    *,
    duration_us: int | None = None,
    progress: ProgressSink | None = None,
    registry: ProcessRegistry | None = None,
    writing: Path | None = None,
    feeding: lifeline.Feed | None = None,
    fed: lifeline.Feed | None = None,
) -> None:
    """Run ffmpeg to completion. Raises RenderFailed on a non-zero exit; kills ffmpeg if cancelled.

    `writing` is the creator's file this command makes (directly or through a hidden partial file), named when the
    command fails. A command `feeding` another writes into that pipe as its output `pipe:1` (so it reports no
    progress: the one it feeds does); one `fed` reads it as `fed.url`. Each closes its own end once started."""
    registry = ProcessRegistry() if registry is None else registry
    command = with_reporting_flags(argv, progress=feeding is None)
    log.debug("running %s", shlex.join(command))
    try:
        child = await lifeline.start(
            command,
            stdout=asyncio.subprocess.PIPE if feeding is None else feeding.write,
            stderr=asyncio.subprocess.PIPE,
            feed=None if fed is None else fed.read,
        )
    finally:
        # this process's copy of the pipe's end: the child has its own, and the other side sees the pipe end
        # only once every copy of the write end is closed
        if feeding is not None:
            feeding.release(feeding.write)
        if fed is not None:
            fed.release(fed.read)
    process = child.process
    registry.add(process)
    _yield_to_the_window(process.pid)
    stderr_tail: deque[str] = deque(maxlen=_STDERR_LINES_KEPT)
    readers = [asyncio.ensure_future(_read_stderr(process, stderr_tail))]
    if feeding is None:
        readers.append(asyncio.ensure_future(_read_progress(process, duration_us, progress)))
    try:
        await asyncio.gather(*readers)
        returncode = await process.wait()
    finally:
        for reader in readers:
            reader.cancel()
        if process.returncode is None:
            await _kill_and_reap(process)
        child.done()
        registry.discard(process)
    if returncode != 0:
        raise _failure(returncode, list(stderr_tail), writing)
    if writing is not None and (unwritten := _write_failure(returncode, list(stderr_tail), writing)):
        # Debian's ffmpeg 5.1 exits 0 after "Error writing trailer of …: No space left on device" (and a tee muxer
        # carries on without the output it could not write): the file is broken however ffmpeg exits
        raise unwritten


def _failure(returncode: int, tail: list[str], writing: Path | None) -> RenderFailed:
    if writing is not None and (unwritten := _write_failure(returncode, tail, writing)):
        return unwritten
    said = list(dict.fromkeys(line for line in map(_plain, tail) if line))
    making = f" while making {writing.name}" if writing is not None else ""
    detail = "\n".join(said) or "(ffmpeg printed no error)"
    return RenderFailed(
        f"ffmpeg stopped with an error{making} (exit code {returncode}). Check that every clip still plays, then try "
        f"again. ffmpeg said:\n{detail}"
    )


def _write_failure(returncode: int, tail: list[str], writing: Path) -> RenderFailed | None:
    """The creator's words for a file ffmpeg said it could not write, or None when it said no such thing."""
    said = list(dict.fromkeys(line for line in map(_plain, tail) if line))
    for line in said:
        if "input" in line.lower():
            continue  # reading a clip failed, not writing the film
        for reason, advice in _WRITE_FAILURES.items():
            if reason in line:
                log.info("ffmpeg could not write %s (exit code %s): %s", writing, returncode, " | ".join(said))
                return RenderFailed(f"Could not write {writing.name}: {reason}. {advice}")
    return None


def _plain(line: str) -> str:
    """One line of ffmpeg's complaint without its internal addresses and error numbers, naming the creator's files."""
    if _NUMBERED.search(line):
        return ""  # "Error number -1145393733 occurred", "Last message repeated 1 times": nothing to say
    return in_creator_words(_CODE.sub(r"error: \1", _CONTEXT.sub("", line))).strip()


async def _kill_and_reap(process: asyncio.subprocess.Process) -> None:
    """Kill ffmpeg and wait until it has exited, even if we are cancelled again meanwhile."""
    lifeline.kill(process)
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
