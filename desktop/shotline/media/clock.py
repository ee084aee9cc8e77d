"""A take's clock: the one time line every reader of a clip counts on (the export, thumbnails, preview mixes).

The rule: **a take's clock starts at its first picture frame** — the video stream's first frame in presentation
order, as the decoder gives it (after any MP4 edit list) — and, for a file without picture, at its first sound
sample. Trims, thumbnails and the export all count from there. The sound keeps its own offset from the picture on
that clock: sound that starts 67 ms after the first frame is heard 67 ms after it (silence before it), and sound
that starts before the picture is cut at the picture's start.

Neither of the file's own starting points is that zero. A container's start (what ffmpeg's `-ss` counts from) is
the earliest of its streams, often the sound's, and a video stream's `start_time` is its first *decoding* time in
some containers (AVI with B-frames stores no presentation times). So times here are the file's own timestamps, in
seconds (`Fraction`), and a take's time t is file time `take_zero(path) + t`.

Seeking is where cuts went wrong: a file without an index (MPEG-PS/TS) seeks by decoding time to any packet, often
after the keyframe a frame needs, and the decoder then starts at the next keyframe — late. `seek_before` checks
where a seek landed and seeks earlier until the first keyframe decoding meets is at or before the time wanted.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import av.error

from shotline.core.errors import MediaError, MediaUnreadable, plain_reason
from shotline.core.timecode import US_PER_SECOND
from shotline.media.intake import Refused
from shotline.media.probe import file_key, first_time, in_worker, open_media

log = logging.getLogger(__name__)

FRAME_TOLERANCE_US = 1000
"""A frame that starts this little after a time counts as showing at it: trims and frame times are both rounded
to whole microseconds (and ffmpeg's filters to their time base), so a frame named by a trim may sit a hair late."""
SEEK_LEADS = tuple(Fraction(2**n) for n in range(8))
"""How far before the time wanted each try aims (seconds), never less than a second: a file without an index
(MPEG-PS/TS) seeks by decoding time, which runs ahead of presentation by the reordering delay, to any packet, and
its packets carry a timestamp only every so often (at least every 0.7 s), so the first frames decoded after a seek
have guessed times (aiming right at the time put an MPEG-PS thumbnail 3 frames early). Past 128 s, reading from the
file's start is as quick."""
READ_TIMEOUT_S = 15.0
_CACHED_FILES = 256


def take_zero(path: Path) -> Fraction:
    """The file time (seconds, in the file's own timestamps) at which `path`'s take clock reads zero."""
    return _zero_cached(*file_key(path))


@lru_cache(maxsize=_CACHED_FILES)
def _zero_cached(path: Path, size: int, mtime_ns: int) -> Fraction:
    return in_worker(lambda: _read_zero(path), path, READ_TIMEOUT_S)


def _read_zero(path: Path) -> Fraction:
    with open_media(path) as container:
        try:
            return first_time(container)
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None


def timed_by_decoding(path: Path) -> bool:
    """Whether `path`'s decoded picture frames are timed by their decoding stamps, as ffmpeg (and so the export)
    times them: Xvid and DivX in AVI pack each B-frame with the frame before it (OpenCV's Megamind.avi), and the
    decoder gives the frames in order with the presentation stamps of each such pair swapped. ffmpeg's best-effort
    timestamp then follows the decoding stamps, which run in order; the thumbnails and the viewer follow it too."""
    return _by_decoding_cached(*file_key(path))


def frame_start(frame: av.VideoFrame, by_decoding: bool) -> Fraction:
    """When `frame` starts showing (file seconds; see `timed_by_decoding`); a frame without a time shows now."""
    stamp = frame.dts if by_decoding and frame.dts is not None else frame.pts
    if stamp is None or frame.time_base is None:
        return Fraction(0)
    return Fraction(stamp) * Fraction(frame.time_base)


_TIMING_FRAMES = 48
"""Frames decoded from the start to tell which stamps run in order (ffmpeg counts the same way as it decodes)."""


@lru_cache(maxsize=_CACHED_FILES)
def _by_decoding_cached(path: Path, size: int, mtime_ns: int) -> bool:
    return in_worker(lambda: _read_by_decoding(path), path, READ_TIMEOUT_S)


def _read_by_decoding(path: Path) -> bool:
    """ffmpeg's rule (guess_correct_pts): the decoding stamps once the presentation stamps have gone back more
    often than they."""
    back = {"pts": 0, "dts": 0}
    last: dict[str, int] = {}
    with open_media(path) as container:
        if not container.streams.video:
            return False
        try:
            for frame, _ in zip(container.decode(container.streams.video[0]), range(_TIMING_FRAMES), strict=False):
                for kind, stamp in (("pts", frame.pts), ("dts", frame.dts)):
                    if stamp is None:
                        continue
                    back[kind] += kind in last and stamp <= last[kind]
                    last[kind] = stamp
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None
    return back["pts"] > back["dts"]


def file_time(path: Path, at_us: int) -> Fraction:
    """The file time of take time `at_us` (µs on `path`'s take clock)."""
    return take_zero(path) + Fraction(at_us, US_PER_SECOND)


def seconds_arg(seconds: Fraction) -> str:
    """A file time as a decimal for ffmpeg (`-ss`, filter expressions), to the nanosecond: finer than any stream's
    time base, so ffmpeg's own rounding decides."""
    nanoseconds = math.floor(seconds * 1_000_000_000 + Fraction(1, 2))
    sign, whole = ("-" if nanoseconds < 0 else ""), abs(nanoseconds)
    return f"{sign}{whole // 1_000_000_000}.{whole % 1_000_000_000:09d}"


def seek_before(container: av.container.InputContainer, stream: av.stream.Stream, at: Fraction) -> Fraction | None:
    """Seek `container` so that decoding `stream` passes through a keyframe at or before file time `at`.

    Returns the time it seeked to (file seconds), or None when only the file's start will do (the container was
    moved by the tries: open it afresh, as a seek to the start itself can skip the first keyframe in MPEG-TS).
    The seek is the one ffmpeg's own `-ss` makes with `-seek_timestamp 1`, so its answer is also where an ffmpeg
    input can start.
    """
    start = Fraction(container.start_time or 0, US_PER_SECOND)
    for lead in SEEK_LEADS:
        target = at - lead
        if target <= start:
            return None
        try:
            container.seek(math.floor(target * US_PER_SECOND), backward=True, any_frame=False)
            first = _first_keyframe(container, stream)
        except av.error.FFmpegError:
            return None  # a file that cannot seek is read from its start
        if first is not None and first <= at:
            container.seek(math.floor(target * US_PER_SECOND), backward=True, any_frame=False)
            return target
    return None


def _first_keyframe(container: av.container.InputContainer, stream: av.stream.Stream) -> Fraction | None:
    """The presentation time of the first keyframe of `stream` read from where the container stands."""
    base = stream.time_base
    if base is None:
        return None
    for packet in container.demux(stream):
        time = packet.pts if packet.pts is not None else packet.dts
        if packet.is_keyframe and time is not None:
            return Fraction(time) * Fraction(base)
    return None


@contextmanager
def opened_before(path: Path, kind: str, at: Fraction) -> Iterator[av.container.InputContainer]:
    """`path` opened and placed so decoding its first `kind` ("video" or "audio") stream passes through a keyframe
    at or before file time `at` (or opened at its start; also when it has no such stream, for the caller to say)."""
    container = open_media(path)
    try:
        streams = container.streams.video if kind == "video" else container.streams.audio
        placed = seek_before(container, streams[0], at) if streams else Fraction(0)
    except BaseException:
        container.close()
        raise
    if placed is None:
        container.close()
        container = open_media(path)
    try:
        yield container
    finally:
        container.close()


@dataclass(frozen=True, slots=True)
class InputCut:
    """How an ffmpeg input reads a file from a take time: the file time of that take time, and where the input
    seeks (for `-ss` with `-seek_timestamp 1`; None: read from the file's start)."""

    at: Fraction
    seek: Fraction | None


def input_cut(path: Path, kind: str, at_us: int) -> InputCut:
    """Where take time `at_us` of `path` lies in the file, and where an ffmpeg input reading its first `kind`
    ("video" or "audio") stream should seek so decoding passes through a keyframe at or before it.

    A file that cannot be read here is left to ffmpeg, read from its start: its own error then says what is wrong,
    as an export's failure does. A file Shotline does not take (`media.intake`) is refused here instead.
    """
    try:
        at = file_time(path, at_us)
        return InputCut(at, _input_seek(path, kind, at) if at_us > 0 else None)
    except Refused:
        raise  # a file Shotline does not take is not handed to ffmpeg either
    except MediaError as exc:
        log.warning("could not read where to cut %s: %s", path.name, exc)
        return InputCut(Fraction(at_us, US_PER_SECOND), None)


def _input_seek(path: Path, kind: str, at: Fraction) -> Fraction | None:
    def find() -> Fraction | None:
        with open_media(path) as container:
            streams = container.streams.video if kind == "video" else container.streams.audio
            if not streams:
                return None
            try:
                return seek_before(container, streams[0], at)
            except (av.error.FFmpegError, ValueError) as exc:
                raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None

    return in_worker(find, path, READ_TIMEOUT_S)
