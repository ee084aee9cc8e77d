"""A child started through media.lifeline dies with the Shotline that started it, however that one dies.

The parent is a real Python process killed with SIGKILL (it runs no code after that), the child a real ffmpeg that
would otherwise run forever. Both ties POSIX uses run here: Linux's own (the kernel's parent-death signal) and the
watcher macOS and the BSDs use. Windows' job object cannot be run here.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from shotline.media import lifeline
from tests.clips import ffmpeg_exe
from tests.processes import DEADLINE_S, alive, in_group, kill_if_running, needs_proc, wait_until_gone

pytestmark = [pytest.mark.ffmpeg, needs_proc]

FOREVER = ["-nostdin", "-re", "-f", "lavfi", "-i", "anullsrc", "-f", "null", "-"]
"""Silence at the pace of a clock, to nowhere: an ffmpeg that never ends by itself (and barely works)."""

_PARENT = textwrap.dedent(
    """
    import asyncio, sys
    from shotline.media import lifeline

    async def main():
        argv = sys.argv[2:]
        if sys.argv[1] == "untied":
            process = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL)
        else:
            process = (await lifeline.start(argv, tie=sys.argv[1])).process
        print(process.pid, flush=True)
        await process.wait()

    asyncio.run(main())
    """
)


@pytest.mark.parametrize("tie", ["kernel", "watcher", "untied"])
def test_a_child_dies_with_its_killed_parent(tie: str) -> None:
    if tie == "kernel" and not sys.platform.startswith("linux"):
        pytest.skip("the parent-death signal is Linux's")
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, tie, ffmpeg_exe(), *FOREVER], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.stdout.close()
    try:
        assert alive(child)
        parent.kill()
        parent.wait(timeout=30)
        if tie == "untied":
            # the control: a child started the ordinary way outlives its killed parent, so this test can fail
            assert alive(child)
        else:
            left = wait_until_gone([child, *(p.pid for p in in_group(child))])
            assert left == [], f"{tie}: ffmpeg (or its watcher) outlived the Shotline that started it"
    finally:
        kill_if_running([child])


def test_kill_ends_the_child_and_its_watcher() -> None:
    async def started_then_killed() -> int:
        child = await lifeline.start([ffmpeg_exe(), *FOREVER], tie="watcher")
        try:
            # ffmpeg and its watcher: the shell forks the watcher's subshell as it starts, so on a busy machine
            # the group may hold only the shell for a moment
            deadline = time.monotonic() + DEADLINE_S
            while len(in_group(child.process.pid)) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert len(in_group(child.process.pid)) == 2
            lifeline.kill(child.process)
            assert await child.process.wait() == -signal.SIGKILL
        finally:
            child.done()
        return child.process.pid

    pid = asyncio.run(started_then_killed())
    assert wait_until_gone([p.pid for p in in_group(pid)]) == []


def test_done_lets_the_watcher_of_a_finished_child_go() -> None:
    async def version() -> tuple[int | None, bytes, list[int]]:
        child = await lifeline.start([ffmpeg_exe(), "-version"], stdout=asyncio.subprocess.PIPE, tie="watcher")
        output, _ = await child.process.communicate()  # returns once ffmpeg has exited; its watcher still waits
        watchers = [p.pid for p in in_group(child.process.pid)]
        child.done()
        return child.process.returncode, output, watchers

    code, output, watchers = asyncio.run(version())
    assert code == 0 and output.startswith(b"ffmpeg version")  # the watcher changed neither its output nor its code
    assert len(watchers) == 1
    assert wait_until_gone(watchers) == []


def test_run_returns_what_the_child_said_and_kills_it_at_the_timeout() -> None:
    done = lifeline.run([ffmpeg_exe(), "-hide_banner", "-version"], timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("ffmpeg version")
    with pytest.raises(subprocess.TimeoutExpired):
        lifeline.run([ffmpeg_exe(), *FOREVER], timeout=0.5)
    # nothing is left running: tests/conftest.py fails any test that leaves a child behind


@pytest.mark.parametrize("tie", ["kernel", "watcher"])
def test_a_fed_child_reads_the_feed_under_either_tie(tie: str) -> None:
    """A feed reaches ffmpeg as the pipe its `url` names: the child's input under the kernel's tie, an fd of its own
    under the watcher (which keeps the child's input for itself)."""
    feed = lifeline.feed(tie)  # type: ignore[arg-type]
    sound = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=0.5", "-f", "wav", "-"],
        capture_output=True,
        check=True,
        timeout=DEADLINE_S,
    ).stdout

    async def read() -> bytes:
        argv = [ffmpeg_exe(), "-loglevel", "error", "-f", "wav", "-i", feed.url, "-f", "s16le", "-"]
        child = await lifeline.start(argv, stdout=asyncio.subprocess.PIPE, tie=tie, feed=feed.read)  # type: ignore[arg-type]
        feed.release(feed.read)
        with open(feed.write, "wb", closefd=False) as writing:
            writing.write(sound)
        feed.release(feed.write)
        out, _ = await child.process.communicate()
        child.done()
        return out

    try:
        assert len(asyncio.run(read())) == 22_050 * 2  # every sample of the half second at 44.1 kHz, 16-bit
    finally:
        feed.close()


_STARTS_BESIDE_A_SCALER = textwrap.dedent(
    """
    import threading
    import av, numpy as np
    from shotline.media import lifeline

    # PyAV keeps a scaler per thread once a frame is converted; this thread now holds one (with its worker threads)
    frame = av.VideoFrame.from_ndarray(np.zeros((360, 640, 3), np.uint8), format="rgb24")
    frame.reformat(format="yuv420p", width=320, height=180)
    codes = []
    start = lambda: codes.append(lifeline.run([sys.argv[1], "-version"], timeout=30).returncode)
    runner = threading.Thread(target=start)
    runner.start()
    runner.join()
    print(codes)
    """
).replace("import threading", "import sys, threading")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's tie is Linux's")
def test_a_tied_child_starts_while_another_thread_holds_a_pyav_scaler() -> None:
    """Starting ffmpeg on the runner's thread while the window's thread has converted a frame: a tie made by Python
    code between fork and exec hung the child before it ran (tearing down the other thread's scaler in the fork)."""
    done = subprocess.run(
        [sys.executable, "-c", _STARTS_BESIDE_A_SCALER, ffmpeg_exe()], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "[0]", done.stderr
