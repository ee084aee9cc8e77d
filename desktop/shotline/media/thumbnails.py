"""Still pictures of a clip: decode the frame at a time with PyAV and write it as a JPEG (no Pillow).

The picture is turned upright by the clip's display rotation and scaled to `width`, keeping its aspect.
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
from shotline.media.probe import open_media

log = logging.getLogger(__name__)

_UPRIGHT = {90: ("transpose", "cclock"), 180: ("rotate", "PI"), 270: ("transpose", "clock")}
"""Filters that undo a counter-clockwise display rotation, as ffmpeg's own autorotate does."""


def thumbnail(path: Path, at_us: int, dest: Path, width: int = 320) -> Path:
    """Write the frame shown at `at_us` (µs from the file's start) to `dest` as a JPEG `width` pixels wide."""
    if width < 2:
        raise ValueError("A thumbnail must be at least 2 pixels wide")
    with open_media(path) as container:
        if not container.streams.video:
            raise MediaUnreadable(f"{path.name} has no picture to make a thumbnail from.")
        video = container.streams.video[0]
        try:
            frame = _frame_at(container, video, at_us)
        except av.error.FFmpegError as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None
        if frame is None:
            raise MediaUnreadable(f"{path.name} has no picture at that time.")
        upright = _upright_scaled(video, frame, width)
    _write_jpeg(upright, dest)
    return dest


def _frame_at(
    container: av.container.InputContainer, video: av.video.stream.VideoStream, at_us: int
) -> av.VideoFrame | None:
    """Seek to the keyframe at or before `at_us`, then decode forward to the frame showing at that time."""
    time_base = video.time_base or Fraction(1, 1_000_000)
    start = video.start_time or 0
    target = start + round(Fraction(max(at_us, 0), 1_000_000) / time_base)
    container.seek(target, stream=video, backward=True, any_frame=False)
    chosen: av.VideoFrame | None = None
    for frame in container.decode(video):
        if frame.pts is not None and frame.pts > target and chosen is not None:
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
