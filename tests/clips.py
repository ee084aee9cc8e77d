"""Test clips made on the spot with ffmpeg's lavfi sources (shared by every test package that needs media).

Every clip is tiny so tests stay fast. A clip can carry a single white *flash* frame on black and a short 1 kHz
*beep* on silence, so tests can measure where picture and sound events land after an export.
"""

from __future__ import annotations

import os
import subprocess
import wave
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import imageio_ffmpeg

BEEP_SECONDS = 0.1
BEEP_HZ = 1000


def ffmpeg_exe() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run(argv: list[str]) -> None:
    """Run ffmpeg quietly; fail loudly with its stderr."""
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"ffmpeg failed making a test clip: {done.stderr}")


def flash_frame(flash_at: float, fps: str) -> int:
    """The frame index that carries the flash for a clip made with `flash_at`."""
    return round(Fraction(flash_at).limit_denominator(100000) * Fraction(fps))


def _video_source(seconds: float, size: tuple[int, int], fps: str, colour: str | None, flash_at: float | None) -> str:
    w, h = size
    if colour is None and flash_at is None:
        return f"testsrc2=size={w}x{h}:rate={fps}:duration={seconds}"
    chain = f"color=c={colour or 'black'}:size={w}x{h}:rate={fps}:duration={seconds}"
    if flash_at is not None:
        chain += f",drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n\\,{flash_frame(flash_at, fps)})'"
    return chain


def _audio_source(seconds: float, rate: int, channels: int, beep_at: float | None) -> str:
    if beep_at is None:
        wave = "0.2*sin(2*PI*440*t)"
    else:
        wave = f"if(between(t\\,{beep_at}\\,{beep_at + BEEP_SECONDS})\\,0.5*sin(2*PI*{BEEP_HZ}*t)\\,0)"
    return f"aevalsrc={'|'.join([wave] * channels)}:s={rate}:d={seconds}"


def make_clip(
    path: Path,
    *,
    seconds: float,
    size: tuple[int, int] = (320, 240),
    fps: str = "25",
    colour: str | None = None,
    audio: tuple[int, int] | None = None,
    beep_at: float | None = None,
    flash_at: float | None = None,
    vfr: bool = False,
    rotate: int | None = None,
    codec: str = "libx264",
    video: bool = True,
    gop: int | None = None,
) -> Path:
    """Make a clip at `path` (container from its suffix).

    colour None → the testsrc2 pattern (or black when there is a flash). audio=(rate, channels) adds sound:
    a quiet 440 Hz tone, or silence with a 1 kHz beep at `beep_at`. vfr drops every other frame in the first
    third, so frame durations vary. rotate writes display-rotation metadata (degrees counter-clockwise).
    video=False makes an audio-only file (needs audio).
    """
    argv: list[str] = []
    if video:
        argv += ["-f", "lavfi", "-i", _video_source(seconds, size, fps, colour, flash_at)]
    if audio is not None:
        argv += ["-f", "lavfi", "-i", _audio_source(seconds, audio[0], audio[1], beep_at)]
    if video:
        if vfr:
            argv += ["-vf", f"select='if(lt(t\\,{seconds / 3})\\,not(mod(n\\,2))\\,1)'", "-fps_mode", "vfr"]
        argv += ["-c:v", codec, "-pix_fmt", "yuv420p"]
        if codec == "libx264":
            argv += ["-preset", "ultrafast"]
        if gop is not None:
            argv += ["-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0"]
    if audio is not None:
        argv += ["-c:a", {".wav": "pcm_s16le", ".mp3": "libmp3lame"}.get(path.suffix, "aac")]
    target = path.with_name(f"{path.stem}.unrotated{path.suffix}") if rotate else path
    run([*argv, "-t", str(seconds), str(target)])
    if rotate:
        # display rotation travels as stream side data; set it on a stream copy so nothing re-renders the pixels
        run(["-display_rotation", str(rotate), "-i", str(target), "-c", "copy", str(path)])
        target.unlink()
    return path


def padded_clip(path: Path, padding: int) -> Path:
    """A real 0.2 s clip (an MP4, or MOV by its name) made heavier by `padding` bytes of random payload in MP4 `free`
    boxes, which every reader skips: a heavy stand-in that an unpack admits, where random bytes under a clip's name
    were now and then probed as a format Shotline does not take, and refused."""
    make_clip(path, seconds=0.2, size=(64, 36))
    with path.open("ab") as file:
        while padding > 0:
            payload = min(padding, 1 << 20)
            _free_box(file, payload)
            padding -= payload
    return path


def _free_box(file: BinaryIO, payload: int) -> None:
    file.write((8 + payload).to_bytes(4, "big") + b"free" + os.urandom(payload))


def admissible_media(name: str, size: int, folder: Path) -> bytes:
    """Exactly `size` bytes an unpack admits under `name`: a padded real clip for a clip's name, a WAV of random
    samples for a sound's, random bytes for a picture's (admitted by their names). Random bytes under a clip's or a
    sound's name were now and then probed as a format Shotline does not take, and the archive refused."""
    suffix = Path(name).suffix.lower()
    made = folder / f"admissible-{len(os.listdir(folder))}{suffix}"
    if suffix in {".mp4", ".mov"}:
        bare = make_clip(made, seconds=0.2, size=(64, 36)).stat().st_size
        if size < bare + 8:
            raise ValueError(f"{size} bytes cannot hold a clip")
        with made.open("ab") as file:
            _free_box(file, size - bare - 8)  # the rest in one `free` box
        return made.read_bytes()
    if suffix == ".wav":
        with wave.open(str(made), "wb") as sound:
            sound.setnchannels(2)
            sound.setsampwidth(2)
            sound.setframerate(48_000)
            sound.writeframes(os.urandom((size - 44) // 4 * 4))
        return made.read_bytes()
    return os.urandom(size)
