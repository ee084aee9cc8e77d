"""Exact time: integer microseconds, frame rates as Fractions, and parsing/formatting timecodes.

Times in the model are whole microseconds so that sums never drift. Frame times at 29.97 fps are not whole
microseconds; they are rounded to the nearest one, and the frame index is recovered by rounding again, which
is unambiguous because a frame lasts tens of thousands of microseconds.
"""

from __future__ import annotations

import re
from fractions import Fraction

from shotline.core.model import MAX_FPS, MIN_FPS

US_PER_SECOND = 1_000_000

_TIMECODE = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)$")


def seconds_to_us(seconds: Fraction | int | str) -> int:
    """Convert seconds (exact: a Fraction, an int or a decimal string) to whole microseconds."""
    return round(Fraction(seconds) * US_PER_SECOND)


def parse_time(text: str) -> int:
    """Parse `2.5`, `1:02.5` or `00:00:02.500` to microseconds. Raises ValueError with a readable message."""
    match = _TIMECODE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time; use seconds (2.5) or a timecode (00:00:02.500)")
    hours, minutes, seconds = match.groups()
    total = Fraction(seconds) + 60 * int(minutes or 0) + 3600 * int(hours or 0)
    if minutes is not None and Fraction(seconds) >= 60:
        raise ValueError(f"{text!r}: seconds must be below 60 in a timecode")
    return seconds_to_us(total)


def format_time(us: int) -> str:
    """Format microseconds as HH:MM:SS.mmm (milliseconds rounded)."""
    sign = "-" if us < 0 else ""
    ms = round(abs(us) / 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def parse_fps(text: str | int | Fraction) -> Fraction:
    """Parse a frame rate: `25`, `29.97` (read as 30000/1001), `30000/1001`."""
    if isinstance(text, Fraction | int):
        fps = Fraction(text)
    else:
        value = text.strip()
        try:
            fps = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{text!r} is not a frame rate") from None
        fps = _ntsc(fps)
    if not MIN_FPS <= fps <= MAX_FPS:
        raise ValueError(f"{text!r} is not a usable frame rate; use {MIN_FPS} to {MAX_FPS} frames per second")
    return fps


def _ntsc(fps: Fraction) -> Fraction:
    """Read 23.976, 29.97 and 59.94 as the NTSC rates they stand for."""
    for base in (24, 30, 60):
        ntsc = Fraction(base * 1000, 1001)
        if fps != ntsc and abs(fps - ntsc) < Fraction(1, 100):
            return ntsc
    return fps


def format_fps(fps: Fraction) -> str:
    return str(fps.numerator) if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}"


def frame_duration_us(fps: Fraction) -> Fraction:
    return US_PER_SECOND / fps


def frame_index(us: int, fps: Fraction) -> int:
    """The frame that starts nearest to `us`."""
    return round(us * fps / US_PER_SECOND)


def frame_time_us(index: int, fps: Fraction) -> int:
    return round(index * US_PER_SECOND / fps)


def snap_to_frame(us: int, fps: Fraction) -> int:
    """Move a time onto the nearest frame boundary of a source at `fps`."""
    return frame_time_us(frame_index(us, fps), fps)


def frame_count(duration_us: int, fps: Fraction) -> int:
    return frame_index(duration_us, fps)
