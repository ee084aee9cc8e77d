"""Find the ffmpeg binary (setting → PATH → the one shipped by imageio-ffmpeg), check one, point pydub at it."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import warnings
from pathlib import Path

from shotline.core.errors import ToolMissing
from shotline.media import lifeline

log = logging.getLogger(__name__)

VERSION_TIMEOUT_S = 10.0
"""How long `ffmpeg -version` may take; a real ffmpeg answers in well under a second."""
_VERSION_PREFIX = "ffmpeg version"


def _executable(candidate: Path) -> bool:
    return candidate.is_file() and os.access(candidate, os.X_OK)


def find_ffmpeg(setting: str | None = None) -> Path:
    """The ffmpeg to run: the creator's setting if it is an executable, else `ffmpeg` on PATH, else the bundled one."""
    if setting:
        chosen = Path(setting).expanduser()
        if _executable(chosen):
            return chosen
        log.warning("The ffmpeg set in preferences (%s) is not an executable file; looking elsewhere", chosen)
    on_path = shutil.which("ffmpeg")
    if on_path:
        return Path(on_path)
    try:
        import imageio_ffmpeg

        bundled = Path(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError, OSError) as exc:
        log.debug("imageio-ffmpeg has no usable binary: %s", exc)
    else:
        if _executable(bundled):
            return bundled
    raise ToolMissing(
        "Shotline could not find ffmpeg, which it needs to export and to read audio. "
        "Install ffmpeg (or the imageio-ffmpeg package), or choose the ffmpeg program in Preferences → Media → ffmpeg "
        "(it is kept as ffmpeg_path in Shotline's settings.json)."
    )


def check_executable(path: Path) -> Path:
    """`path` if it is a program this user may run; otherwise ToolMissing saying what is wrong with it."""
    if not path.exists():
        raise ToolMissing(f"There is no file at {path}.")
    if path.is_dir():
        raise ToolMissing(f"{path} is a folder; choose the ffmpeg program inside it.")
    if not os.access(path, os.X_OK):
        raise ToolMissing(f"{path} is not a program this user may run (it lacks execute permission).")
    return path


async def ffmpeg_version(path: Path) -> str:
    """Run `path -version` and return its version line; ToolMissing if it fails or is not ffmpeg.

    Cancelling kills the program, so a check nobody waits for any more never outlives its caller.
    """
    check_executable(path)
    try:
        child = await lifeline.start(
            [str(path), "-version"], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
    except OSError as error:
        raise ToolMissing(f"{path} could not be started: {error.strerror or error}.") from error
    process = child.process
    try:
        output, _ = await asyncio.wait_for(process.communicate(), VERSION_TIMEOUT_S)
    except TimeoutError as error:
        raise ToolMissing(f"{path} did not answer `-version` within {VERSION_TIMEOUT_S:g} s; is it ffmpeg?") from error
    finally:
        if process.returncode is None:
            child.kill()
            await process.wait()
        child.done()
    first = output.decode("utf-8", "replace").strip().splitlines()[:1]
    line = first[0].split(" Copyright", 1)[0].strip() if first else ""
    if process.returncode != 0 or not line.startswith(_VERSION_PREFIX):
        said = f"it printed {line!r}" if line else "it printed nothing"
        raise ToolMissing(f"{path} is not ffmpeg: asked for its version, {said} (exit code {process.returncode}).")
    return line


def configure_pydub(ffmpeg: Path) -> None:
    """Make pydub run `ffmpeg`. Call once at startup, before any audio work.

    pydub resolves its converter at import time and would warn when ffmpeg is not on PATH, so the import is
    quietened here. pydub never needs ffprobe from us: Shotline probes with PyAV and always tells pydub the
    format/codec (or hands it WAV), which skips pydub's own ffprobe call.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # pydub imports audioop, deprecated in 3.11+
        from pydub import AudioSegment

    AudioSegment.converter = str(ffmpeg)
    log.debug("pydub will run %s", ffmpeg)
