"""run_ffmpeg: progress, errors with ffmpeg's words, and cancellation that leaves no ffmpeg behind."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from shotline.core.errors import RenderFailed
from shotline.media.process import ProcessRegistry, run_ffmpeg
from tests.clips import ffmpeg_exe

pytestmark = pytest.mark.ffmpeg


def test_progress_reaches_one(tmp_path: Path) -> None:
    seen: list[float] = []
    out = tmp_path / "out.mp4"
    argv = [
        ffmpeg_exe(),
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=160x120:rate=25:duration=2",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-y",
        f"file:{out}",
    ]
    asyncio.run(run_ffmpeg(argv, duration_us=2_000_000, progress=seen.append))
    assert out.stat().st_size > 0
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen)
    assert all(0.0 <= f <= 1.0 for f in seen)


def test_failure_raises_render_failed_with_ffmpeg_words(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    argv = [ffmpeg_exe(), "-i", f"file:{missing}", "-y", f"file:{tmp_path / 'out.mp4'}"]
    registry = ProcessRegistry()
    with pytest.raises(RenderFailed) as caught:
        asyncio.run(run_ffmpeg(argv, registry=registry))
    assert "No such file" in str(caught.value)
    assert "exit code" in str(caught.value)
    assert not re.search(r"@ 0x[0-9a-f]+|error code", str(caught.value)), "ffmpeg's words, not its addresses"
    assert len(registry) == 0


def test_a_film_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    film = tmp_path / "My film.mp4"
    partial = tmp_path / "gone" / ".My film.mp4.partial-1ceef352.mp4"  # its folder went away: nothing can be written
    argv = [ffmpeg_exe(), "-f", "lavfi", "-i", "anullsrc=d=0.1", "-y", f"file:{partial}"]
    with pytest.raises(RenderFailed) as caught:
        asyncio.run(run_ffmpeg(argv, writing=film))
    message = str(caught.value)
    assert "while making My film.mp4" in message and "No such file or directory" in message, message
    assert ".partial" not in message and not re.search(r"@ 0x[0-9a-f]+", message), message


def test_an_ffmpeg_that_exits_0_after_failing_to_write_the_film_fails_the_render(tmp_path: Path) -> None:
    """Debian's ffmpeg 5.1 on a full disk: "Error writing trailer … No space left on device", then exit code 0 (seen
    on this Debian; the bundled ffmpeg exits 1). Played by a script saying what it said, since which ffmpeg a test
    machine has is not the test's to choose."""
    stand_in = tmp_path / "ffmpeg"
    stand_in.write_text(
        "#!/bin/sh\n"
        'echo "[mp4 @ 0x5581d3a8a380] Error writing trailer of file:$1: No space left on device" >&2\n'
        "exit 0\n"
    )
    stand_in.chmod(0o755)
    film = tmp_path / "My film.mp4"
    with pytest.raises(RenderFailed) as caught:
        asyncio.run(run_ffmpeg([str(stand_in), str(tmp_path / ".My film.mp4.partial-1ceef352.mp4")], writing=film))
    assert str(caught.value).startswith("Could not write My film.mp4: No space left on device. Free some space")


def test_cancel_kills_a_long_render(tmp_path: Path) -> None:
    registry = ProcessRegistry()
    pids: list[int] = []
    argv = [ffmpeg_exe(), "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=600", "-f", "null", "-"]

    async def scenario() -> None:
        task = asyncio.ensure_future(run_ffmpeg(argv, duration_us=600_000_000, registry=registry))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if len(registry):
                break
        pids.extend(registry.pids())
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert len(pids) == 1
    assert not Path(f"/proc/{pids[0]}").exists(), "ffmpeg survived (or was left a zombie) after cancel"
    assert len(registry) == 0


def test_kill_all_stops_running_renders() -> None:
    registry = ProcessRegistry()
    argv = [ffmpeg_exe(), "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=600", "-f", "null", "-"]

    async def scenario() -> None:
        task = asyncio.ensure_future(run_ffmpeg(argv, registry=registry))
        while not len(registry):
            await asyncio.sleep(0.02)
        assert registry.kill_all() == 1
        with pytest.raises(RenderFailed):
            await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert len(registry) == 0
