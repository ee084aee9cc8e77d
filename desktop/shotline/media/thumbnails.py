"""Still pictures of a clip: decode the frame at a time with PyAV and write it as a JPEG (no Pillow).

The picture is turned upright by the clip's display rotation and scaled to `width`, keeping its aspect. Times are
on the take's clock (`media.clock`: 0 is the first picture frame), and the frame at a time is the one the export
shows there: the last frame that starts at or before it.
"""

from __future__ import annotations

import logging
import uuid
from fractions import Fraction
from pathlib import Path

import av
import av.error
import av.filter

from shotline.core.errors import MediaUnreadable, plain_reason
from shotline.core.timecode import US_PER_SECOND
from shotline.media.clock import FRAME_TOLERANCE_US, frame_start, opened_before, take_zero, timed_by_decoding

log = logging.getLogger(__name__)

_UPRIGHT = {90: ("transpose", "cclock"), 180: ("rotate", "PI"), 270: ("transpose", "clock")}
"""Filters that undo a counter-clockwise display rotation, as ffmpeg's own autorotate does."""


def thumbnail(path: Path, at_us: int, dest: Path, width: int = 320) -> Path:
    """Write the frame shown at `at_us` (µs on the take's clock) to `dest` as a JPEG `width` pixels wide."""
    if width < 2:
        raise ValueError("A thumbnail must be at least 2 pixels wide")
    at = take_zero(path) + Fraction(max(at_us, 0) + FRAME_TOLERANCE_US, US_PER_SECOND)
    try:
        with opened_before(path, "video", at) as container:
            if not container.streams.video:
                raise MediaUnreadable(f"{path.name} has no picture to make a thumbnail from.")
            video = container.streams.video[0]
            frame = _frame_at(container, video, at, timed_by_decoding(path))
            if frame is None:
                raise MediaUnreadable(f"{path.name} has no picture at that time.")
            upright = _upright_scaled(video, frame, width)
    except av.error.FFmpegError as exc:
        raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None
    _write_jpeg(upright, dest)
    return dest


def _frame_at(
    container: av.container.InputContainer, video: av.video.stream.VideoStream, at: Fraction, by_decoding: bool
) -> av.VideoFrame | None:
    """Decode forward from where the container stands to the last frame that starts at or before file time `at`
    (past the picture's end: its last frame)."""
    chosen: av.VideoFrame | None = None
    for frame in container.decode(video):
        if chosen is not None and frame_start(frame, by_decoding) > at:
            break
        chosen = frame
    return chosen


def _upright_scaled(video: av.video.stream.VideoStream, frame: av.VideoFrame, width: int) -> av.VideoFrame:
    rotation = round(getattr(frame, "rotation", 0) or 0) % 360
    graph = av.filter.Graph()
    nodes = [graph.add_buffer(template=video)]
    if rotation in _UPRIGHT:
        name, args = _UPRIGHT[rotation]
        if name == "rotate":
            nodes += [graph.add("hflip"), graph.add("vflip")]
        else:
            nodes.append(graph.add(name, args))
    # -2 keeps the aspect and an even height; yuvj420p is what the JPEG encoder takes
    nodes.append(graph.add("scale", f"{width - width % 2}:-2:flags=bicubic"))
    nodes.append(graph.add("format", "yuvj420p"))
    nodes.append(graph.add("buffersink"))
    graph.link_nodes(*nodes).configure()
    graph.push(frame)
    result = graph.pull()
    assert isinstance(result, av.VideoFrame)
    return result


def _write_jpeg(frame: av.VideoFrame, dest: Path) -> None:
    encoder = av.CodecContext.create("mjpeg", "w")
    assert isinstance(encoder, av.video.codeccontext.VideoCodecContext)
    encoder.width = frame.width
    encoder.height = frame.height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    frame.pts = None
    data = b"".join(bytes(packet) for packet in [*encoder.encode(frame), *encoder.encode(None)])
    dest.parent.mkdir(parents=True, exist_ok=True)
    # write beside and rename, so a half-written thumbnail is never shown
    partial = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
