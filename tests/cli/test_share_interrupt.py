"""`shotline share` and `shotline unpack` interrupted with Ctrl+C (a real SIGINT to the child process) while they copy:
each says it was cancelled, exits as an interrupted export does (130) and leaves every folder as it was. On a terminal
they show a progress bar; into a pipe or a file, nothing but their result.

The project holds a hundred-odd MB of random bytes as its media (sharing never decodes media), so the copy runs long
enough for the signal to land in the middle of it.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from shotline.storage.bundle import ProjectBundle
from shotline.storage.sharing import pack
from tests.cli.shotline_cli import Result, shotline
from tests.clips import padded_clip
from tests.storage.projects import sample_project

SIGKILL = signal.SIGKILL
INTERRUPTED = 130
"""What `shotline` exits with when Ctrl+C stops a command (an export too: see cli/main.py)."""


def _project(folder: Path, media_mb: int) -> Path:
    """A saved project whose media files hold `media_mb` MB of random bytes in all."""
    project = sample_project()
    path = folder / "Harbour.shotline"
    media = project.media_paths()
    with ProjectBundle.create(path, project):
        for rel in media:
            chunks = max(1, media_mb // len(media))
            if rel.endswith((".mp4", ".mov")):
                padded_clip(path / rel, chunks << 20)  # likewise a clip (an unpack refused random bytes once)
                continue
            if rel.endswith(".wav"):
                # a sound clip is admitted by what it holds when the archive unpacks: random bytes under a WAV's
                # name were sometimes taken for another format and refused (the fresh-clone run failed on it), so
                # the music is a real WAV whose samples are the random bytes
                with wave.open(str(path / rel), "wb") as sound:
                    sound.setnchannels(2)
                    sound.setsampwidth(2)
                    sound.setframerate(48_000)
                    for _ in range(chunks):
                        sound.writeframes(os.urandom(1 << 20))
                continue
            with (path / rel).open("wb") as file:
                for _ in range(chunks):
                    file.write(os.urandom(1 << 20))
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _interrupted(args: list[str | Path], started: Callable[[], bool], sig: int = signal.SIGINT) -> Result:
    """Run `shotline ARGS` and send it `sig` (Ctrl+C's SIGINT) as soon as `started()` sees its work under way."""
    child = subprocess.Popen(
        [sys.executable, "-m", "shotline", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not started():
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the work never started (or finished at once): {child.communicate()}")
            time.sleep(0.002)
        child.send_signal(sig)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return Result(child.returncode, out, err)


@pytest.mark.slow
def test_ctrl_c_during_share_leaves_no_archive(tmp_path: Path) -> None:
    project = _project(tmp_path, media_mb=160)
    out = tmp_path / "out"
    out.mkdir()
    before, project_before = _listing(out), _listing(project)

    result = _interrupted(["share", project, "-o", out / "Film.shotline.zip"], lambda: any(out.iterdir()))

    assert result.code == INTERRUPTED, result.err
    assert "Sharing was cancelled; Film.shotline.zip was not written." in result.err
    assert "Cancelled." in result.err and "Traceback" not in result.err and result.out == ""
    assert _listing(out) == before  # the partial archive is gone
    assert _listing(project) == project_before


@pytest.mark.slow
def test_ctrl_c_during_unpack_leaves_no_folder(tmp_path: Path) -> None:
    archive = pack(_project(tmp_path, media_mb=160), tmp_path / "Film.shotline.zip")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    around = sorted(p.name for p in tmp_path.iterdir())

    result = _interrupted(["unpack", archive, "--to", inbox], lambda: any(inbox.iterdir()))

    assert result.code == INTERRUPTED, result.err
    assert "Opening Film.shotline.zip was cancelled; nothing was unpacked." in result.err
    assert "Cancelled." in result.err and "Traceback" not in result.err and result.out == ""
    assert _listing(inbox) == []  # neither the project nor its hidden staging folder
    assert sorted(p.name for p in tmp_path.iterdir()) == around


@pytest.mark.slow
def test_what_a_killed_share_or_unpack_left_is_swept_by_the_next(tmp_path: Path) -> None:
    """SIGKILL runs no clean-up: the hidden partial archive or staging folder stays, named with the dead owner's
    pid, and the next share or unpack in that folder removes it (and nothing else)."""
    project = _project(tmp_path, media_mb=160)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("the creator's own")

    killed = _interrupted(["share", project, "-o", out / "Film.shotline.zip"], lambda: any(out.glob(".*")), SIGKILL)
    assert killed.code == -SIGKILL
    [left] = out.glob(".*")
    assert left.name.startswith(".Film.shotline.zip.partial-")
    assert shotline("share", project, "-o", out / "Film.shotline.zip").code == 0
    assert sorted(p.name for p in out.iterdir()) == ["Film.shotline.zip", "notes.txt"]

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    killed = _interrupted(["unpack", out / "Film.shotline.zip", "--to", inbox], lambda: any(inbox.iterdir()), SIGKILL)
    assert killed.code == -SIGKILL
    [left] = inbox.iterdir()
    assert left.name.startswith(".Film.shotline.partial-") and left.name.endswith(".unpack")
    assert shotline("unpack", out / "Film.shotline.zip", "--to", inbox).code == 0
    assert sorted(p.name for p in inbox.iterdir()) == ["Film.shotline"]


def _on_a_terminal(args: list[str | Path]) -> tuple[int, str]:
    """Run `shotline ARGS` with its stderr on a pseudo-terminal; returns its exit code and what the terminal showed."""
    main, side = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "shotline", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=side,
    )
    os.close(side)
    shown = bytearray()
    try:
        while chunk := os.read(main, 4096):
            shown += chunk
    except OSError:
        pass  # EIO: the child has closed the terminal
    finally:
        os.close(main)
        child.wait(timeout=60)
    return child.returncode, shown.decode(errors="replace")


def test_progress_is_shown_on_a_terminal_only(tmp_path: Path) -> None:
    project = _project(tmp_path, media_mb=16)
    code, terminal = _on_a_terminal(["share", project, "-o", tmp_path / "Film.shotline.zip"])
    assert code == 0, terminal
    assert "Sharing" in terminal and "100%" in terminal

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    code, terminal = _on_a_terminal(["unpack", tmp_path / "Film.shotline.zip", "--to", inbox])
    assert code == 0, terminal
    assert "Unpacking" in terminal and "100%" in terminal

    piped = shotline("share", project, "-o", tmp_path / "Piped.shotline.zip")
    assert piped.code == 0 and piped.err == ""
    assert "Shared" in piped.out and "%" not in piped.out
