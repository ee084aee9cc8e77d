"""Read a media file's facts with PyAV, in a worker thread with a time limit (no ffprobe needed).

`probe` is the `core.ports.MediaProbe` port. Anything that is not playable media becomes a `MediaUnreadable`
(or `MediaMissing`) whose message names the file, so a creator can tell which clip to replace.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import av
import av.error

from shotline.core.errors import MediaError, MediaMissing, MediaUnreadable, plain_reason
from shotline.core.model import MediaInfo, Size

log = logging.getLogger(__name__)

T = TypeVar("T")

OPEN_OPTIONS = {"protocol_whitelist": "file"}
"""A media file must not pull in anything but local files (e.g. an HLS playlist hidden in a clip)."""
PACKETS_ONLY = {**OPEN_OPTIONS, "probesize": "32", "analyzeduration": "0"}
"""For reading packets alone: skips decoding frames to learn the streams' details (MP4 keeps its index in the
header), which is most of the time an open takes."""
_VFR_PACKETS = 120
"""How many frames, in presentation order, the frame-rate check looks at."""
_REORDER_DEPTH = 16
"""How far a frame can arrive ahead of its place in presentation order (B-frames; H.264 and HEVC allow at most 16
frames of reordering). Reading this many packets more than the check needs means none of the frames it looks at is
still missing: a B-frame group cut at the window's end looked like a dropped frame (a constant 25 fps clip was
called variable, which ruled out the lossless route)."""
_NTSC = tuple(Fraction(base * 1000, 1001) for base in (24, 30, 60, 120))


def probe(path: Path, timeout: float = 15.0) -> MediaInfo:
    """Duration, frame rate, size, rotation, codecs and audio format of `path`."""
    return in_worker(lambda: _probe(path), path, timeout)


def keyframe_times(path: Path, timeout: float = 15.0) -> list[int]:
    """Times (µs from the start of the file) of the video keyframes, found by demuxing only."""
    return in_worker(lambda: _keyframe_times(path), path, timeout)


def in_worker(work: Callable[[], T], path: Path, timeout: float) -> T:
    """Run `work` in a daemon thread; a file that hangs the demuxer becomes MediaUnreadable after `timeout`.

    A daemon thread, not a pool: a hung decoder cannot be interrupted, and it must not block the app's exit.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=target, name=f"probe {path.name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise MediaUnreadable(
            f"Reading {path.name} took too long (over {timeout:g} s); the file may be damaged or on a slow drive."
        )
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def open_media(path: Path, options: dict[str, str] | None = None) -> av.container.InputContainer:
    """Open `path` for reading, turning every way it can fail into a message about that file."""
    if not path.exists():
        raise MediaMissing(f"{path.name} is missing (looked in {path.parent}). Relink it or remove the take.")
    if path.is_dir():
        raise MediaUnreadable(f"{path.name} is a folder, not a video or audio file.")
    if path.stat().st_size == 0:
        raise MediaUnreadable(f"{path.name} is empty (0 bytes); it was probably not downloaded completely.")
    try:
        return av.open(str(path), options=OPEN_OPTIONS if options is None else options)
    except av.error.FileNotFoundError:
        raise MediaMissing(f"{path.name} is missing (looked in {path.parent}).") from None
    except av.error.PermissionError:
        raise MediaUnreadable(f"Shotline is not allowed to read {path.name}; check the file's permissions.") from None
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaUnreadable(
            f"{path.name} is not a video or audio file Shotline can read ({plain_reason(exc)})."
        ) from None


def _probe(path: Path) -> MediaInfo:
    with open_media(path) as container:
        try:
            return _read_info(path, container)
        except MediaError:
            raise
        except (av.error.FFmpegError, ValueError, ZeroDivisionError) as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None


def _read_info(path: Path, container: av.container.InputContainer) -> MediaInfo:
    video = container.streams.video[0] if container.streams.video else None
    audio = container.streams.audio[0] if container.streams.audio else None
    if video is None and audio is None:
        raise MediaUnreadable(f"{path.name} has neither picture nor sound.")
    duration_us = _duration_us(container, video, audio)
    if duration_us <= 0:
        raise MediaUnreadable(f"{path.name} has no length; it may be truncated.")
    info = MediaInfo(duration_us=duration_us, has_video=video is not None, has_audio=audio is not None)
    if audio is not None:
        info = _with_audio(info, audio)
    if video is not None:
        info = _with_video(path, info, container, video)
    return info


def _duration_us(container: av.container.InputContainer, *streams: av.stream.Stream | None) -> int:
    if container.duration is not None and container.duration > 0:
        return int(container.duration)  # container durations are in AV_TIME_BASE, i.e. microseconds
    longest = 0
    for stream in streams:
        if stream is not None and stream.duration is not None and stream.time_base is not None:
            longest = max(longest, round(stream.duration * stream.time_base * 1_000_000))
    return longest


def _with_audio(info: MediaInfo, audio: av.audio.stream.AudioStream) -> MediaInfo:
    return replace(
        info,
        audio_codec=audio.codec_context.codec.canonical_name,
        sample_rate=int(audio.rate or 0),
        channels=int(audio.channels),
    )


def _with_video(
    path: Path, info: MediaInfo, container: av.container.InputContainer, video: av.video.stream.VideoStream
) -> MediaInfo:
    if not video.width or not video.height:
        raise MediaUnreadable(f"{path.name} has a picture stream with no size; it may be damaged.")
    pts = _first_pts(container, video)
    rotation = _rotation(container, video)
    fps = frame_rate(video)
    return replace(
        info,
        fps=fps,
        size=Size(video.width, video.height),
        rotation=rotation,
        video_codec=video.codec_context.codec.canonical_name,
        variable_frame_rate=_is_vfr(video, pts, fps),
    )


def frame_rate(video: av.video.stream.VideoStream) -> Fraction | None:
    """The stream's nominal rate, with 29.97-style rates read as the exact NTSC fraction."""
    rate = video.guessed_rate or video.average_rate or video.base_rate
    if not rate:
        return None
    fps = Fraction(rate.numerator, rate.denominator)
    for ntsc in _NTSC:
        if abs(fps - ntsc) < Fraction(1, 100):
            return ntsc
    return fps


def _first_pts(container: av.container.InputContainer, video: av.video.stream.VideoStream) -> list[int]:
    """Presentation times of the first video frames in presentation order, with none missing between them."""
    pts: list[int] = []
    for packet in container.demux(video):
        if packet.pts is not None:
            pts.append(packet.pts)
        if len(pts) >= _VFR_PACKETS + _REORDER_DEPTH:
            break
    if not pts:
        raise MediaUnreadable("the picture stream has no frames")
    container.seek(0)
    # packets come in decode order: only the earliest _VFR_PACKETS are sure to have every frame before them read
    # (when the stream ended sooner, every frame was read and all of them count)
    return sorted(pts)[:_VFR_PACKETS]


def _rotation(container: av.container.InputContainer, video: av.video.stream.VideoStream) -> int:
    """Display rotation in degrees counter-clockwise (0, 90, 180, 270), from the display matrix or old tags."""
    tag = video.metadata.get("rotate")
    if tag:
        try:
            # the old "rotate" tag is clockwise; the display matrix (and MediaInfo) count counter-clockwise
            return (-round(float(tag))) % 360
        except ValueError:
            pass
    for frame in container.decode(video):
        # PyAV exposes the display matrix on decoded frames, not on the stream
        return round(getattr(frame, "rotation", 0) or 0) % 360
    return 0


def _is_vfr(video: av.video.stream.VideoStream, pts: list[int], fps: Fraction | None) -> bool:
    """Variable frame rate: packet spacing varies, or the average rate differs from the nominal one."""
    if fps is None or video.time_base is None:
        return False
    deltas = [b - a for a, b in itertools.pairwise(pts) if b > a]
    if len(deltas) >= 2:
        tolerance = max(1, round(0.05 * min(deltas)))
        if max(deltas) - min(deltas) > tolerance:
            return True
    average = video.average_rate
    return average is not None and abs(float(average) - float(fps)) > 0.01 * float(fps)


def _keyframe_times(path: Path) -> list[int]:
    with open_media(path) as container:
        if not container.streams.video:
            return []
        video = container.streams.video[0]
        if video.time_base is None:
            return []
        start = video.start_time or 0
        times = []
        try:
            for packet in container.demux(video):
                if packet.is_keyframe and packet.pts is not None:
                    times.append(round((packet.pts - start) * video.time_base * 1_000_000))
        except av.error.FFmpegError as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None
        return sorted(times)
