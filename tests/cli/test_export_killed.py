"""SIGKILL of a real `shotline export` mid-export: its ffmpeg dies with it, and the next export sweeps the hidden
files and temporary folders the killed one left.

The moment is found, not timed: the test watches /proc until the export has an ffmpeg child and a hidden file
beside its target. That ffmpeg is then stopped (SIGSTOP), so it cannot finish on its own however fast the machine
is: if it is gone after Shotline is killed, something killed it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.shotline_cli import ok
from tests.clips import make_clip
from tests.processes import DEADLINE_S, Process, children, kill_if_running, needs_proc, wait_until_gone

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow, needs_proc]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("killed")
    clips = [
        make_clip(folder / f"{n}.mp4", seconds=6, size=(320, 180), fps="24", audio=(48_000, 2), gop=12)
        for n in range(2)
    ]
    path = folder / "Film.shotline"
    ok("new", path, "--size", "320x180", "--fps", "24")
    ok("import", path, *clips)
    return path


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


def _stopped_ffmpeg_mid_export(export: subprocess.Popen[bytes], out: Path) -> list[int]:
    """Wait until the export runs an ffmpeg and has written a hidden file beside its target; stop those ffmpegs."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert export.poll() is None, "the export ended before it could be caught at work"
        running: list[Process] = [p for p in children(export.pid) if "ffmpeg" in p.program]
        if running and _hidden(out):
            for process in running:
                os.kill(process.pid, signal.SIGSTOP)
            stopped = [p.pid for p in running if _state(p.pid) == "T"]
            if stopped:
                return stopped
        time.sleep(0.01)
    raise AssertionError("the export never ran an ffmpeg")


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return stat[stat.rfind(")") + 2]


def test_killing_an_export_kills_its_ffmpeg_and_the_next_export_sweeps_what_it_left(
    project: Path, tmp_path: Path
) -> None:
    out, temp = tmp_path / "out", tmp_path / "temp"
    out.mkdir()
    temp.mkdir()
    target = out / "Film.mp4"
    env = {**os.environ, "TMPDIR": str(temp)}
    argv = [sys.executable, "-m", "shotline", "export", str(project), "-o", str(target), "--no-lossless"]
    with (tmp_path / "stderr.txt").open("wb") as stderr:
        export = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    stopped: list[int] = []
    try:
        stopped = _stopped_ffmpeg_mid_export(export, out)
        export.send_signal(signal.SIGKILL)
        assert export.wait(timeout=60) == -signal.SIGKILL
        assert wait_until_gone(stopped) == [], "ffmpeg outlived the export that started it"
    finally:
        export.kill()
        export.wait()
        kill_if_running(stopped)
    left = _hidden(out)
    assert left, "the killed export left no hidden file (then this test proves nothing about sweeping)"

    ok("export", project, "-o", target, "--no-lossless", env={"TMPDIR": str(temp)})

    assert _hidden(out) == [], "the next export left the killed one's hidden files"
    assert target.is_file()
    assert [p.name for p in temp.iterdir() if p.name.startswith("shotline-")] == []
