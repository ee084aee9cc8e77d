"""Frames: which frame a time names, where a paused player stops, what to ask a decoder for, and how a timecode reads.

The player's frame logic, kept free of Qt so it is tested without decoding. Times are whole microseconds
(`core.timecode`); frame starts at 24 or 29.97 fps are not, so they are rounded, and a time a little before a
frame's rounded start (sums of rounded lengths drift by a microsecond a shot) still names that frame: anything
within `EDGE` of a frame's start belongs to it.

A paused decoder asked for a time exactly on a frame's start may show the frame before: Qt's player keeps whole
milliseconds and rounds down (0.125 s is frame 3 at 24 fps; it showed frame 2). Asked for the frame's middle it
shows that frame whatever it rounds, so `decoder_time` names the middle.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from fractions import Fraction

from shotline.core.timecode import US_PER_SECOND, format_time, frame_time_us, parse_time

EDGE = Fraction(1, 100)
"""How close before a frame's start (in frames) a time still names that frame rather than the one before."""


class ClockStyle(StrEnum):
    """How times read to the creator: timecode (HH:MM:SS:FF, as editors show it) or seconds (HH:MM:SS.mmm)."""

    FRAMES = "frames"
    SECONDS = "seconds"


def frame_at(us: int, fps: Fraction) -> int:
    """The frame on screen at `us`: the one that started last, at or (within `EDGE`) just after it."""
    return math.floor(Fraction(us) * fps / US_PER_SECOND + EDGE)


def frame_start(us: int, fps: Fraction) -> int:
    """Where the frame on screen at `us` starts: a paused player's stop that keeps the picture it shows."""
    return frame_time_us(frame_at(us, fps), fps)


def nearest_frame(us: int, fps: Fraction) -> int:
    """The frame start nearest to `us`: where a seek to an arbitrary time (a click, a scrub) stops."""
    return frame_time_us(round(Fraction(us) * fps / US_PER_SECOND), fps)


def last_frame_before(end_us: int, fps: Fraction) -> int:
    """Where the last frame that starts before `end_us` starts (a film's last frame; one ending mid-frame shows
    that frame's beginning)."""
    return frame_time_us(math.ceil(Fraction(end_us) * fps / US_PER_SECOND - EDGE) - 1, fps)


def decoder_time(us: int, fps: Fraction) -> int:
    """The time to ask a decoder for to show the frame on screen at `us`: that frame's middle."""
    index = frame_at(us, fps)
    return frame_time_us(index, fps) + (frame_time_us(index + 1, fps) - frame_time_us(index, fps)) // 2


def timecode_base(fps: Fraction) -> int:
    """Frames counted per timecode second: the rate rounded (30 for 29.97, counted without dropping frames)."""
    return max(1, round(fps))


def format_timecode(us: int, fps: Fraction) -> str:
    """HH:MM:SS:FF of the frame on screen at `us` (non-drop-frame at NTSC rates)."""
    sign = "-" if us < 0 else ""
    index = frame_at(abs(us), fps)
    base = timecode_base(fps)
    seconds, frame = divmod(index, base)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}:{frame:02d}"


def format_clock(us: int, fps: Fraction, style: ClockStyle) -> str:
    """A time as the creator chose to read times (`ClockStyle`)."""
    return format_timecode(us, fps) if style is ClockStyle.FRAMES else format_time(us)


def parse_clock(text: str, fps: Fraction) -> int:
    """A time typed as either clock reads it, to microseconds: a timecode `HH:MM:SS:FF` (the frame's start) or
    seconds (`2.5`, `00:00:02.500`, as `parse_time`). Raises ValueError with a readable message."""
    match = _FRAME_TIMECODE.match(text.strip())
    if match is None:
        return parse_time(text)
    hours, minutes, seconds, frame = (int(part) for part in match.groups())
    base = timecode_base(fps)
    if minutes >= 60 or seconds >= 60 or frame >= base:
        raise ValueError(f"{text!r} is not a timecode: minutes and seconds count to 59, frames to {base - 1}")
    return frame_time_us(((hours * 60 + minutes) * 60 + seconds) * base + frame, fps)


_FRAME_TIMECODE = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2}):(\d{1,2})$")


def clock_style(value: str) -> ClockStyle:
    """The setting's value as a style; anything unknown reads as timecode, the default."""
    try:
        return ClockStyle(value)
    except ValueError:
        return ClockStyle.FRAMES
