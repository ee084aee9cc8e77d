"""Find the ffmpeg binary (setting → PATH → the one shipped by imageio-ffmpeg) and point pydub at it."""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from pathlib import Path

from shotline.core.errors import ToolMissing

log = logging.getLogger(__name__)


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
        "Install ffmpeg (or the imageio-ffmpeg package), or set the path to ffmpeg in Preferences."
    )


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
