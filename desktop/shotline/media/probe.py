"""Read a media file's facts with PyAV, in a worker thread with a time limit (no ffprobe needed).

`probe` is the `core.ports.MediaProbe` port. Anything that is not playable media becomes a `MediaUnreadable`
(or `MediaMissing`) whose message names the file, so a creator can tell which clip to replace.

A clip's length is its picture's: from its first frame's start to its last frame's end (`media.clock` says why the
take's clock starts at that first frame). A clip whose sound runs on past its picture is as long as its picture;
a file without picture is as long as its sound.

Every file is opened here under `media.intake`'s rules (one regular file, a container on the allow-list, declared
sizes within bounds); `admit` adds what only reading a whole file tells, for a file coming into a project.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import av
import av.error

from shotline.core.errors import MediaError, MediaMissing, MediaUnreadable, plain_reason
from shotline.core.file_reading import DECODER_OPTIONS
from shotline.core.model import MediaInfo, Size
from shotline.media import intake

log = logging.getLogger(__name__)

T = TypeVar("T")

OPEN_OPTIONS = intake.OPEN_OPTIONS
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
_READ_BYTES_PER_S = 20_000_000
"""How fast `admit` is sure to read a file, even from a slow drive: its time limit grows with the file's size."""
_TAIL_SECONDS = 4
"""How much of a file's end is read first to find its last frame (doubled until a frame is found)."""


def probe(path: Path, timeout: float = 15.0) -> MediaInfo:
    """Duration, frame rate, size, rotation, codecs and audio format of `path`."""
    return in_worker(lambda: _probe(path), path, timeout)


def sound_length_us(path: Path, timeout: float = 15.0) -> int | None:
    """How long `path`'s sound lasts, from its first sample to its end (None: it has no sound). A clip's length is
    its picture's (`probe`); this says how far its sound differs."""
    return in_worker(lambda: _sound_length_us(path), path, timeout)


def _sound_length_us(path: Path) -> int | None:
    with open_media(path) as container:
        if not container.streams.audio:
            return None
        audio = container.streams.audio[0]
        try:
            first, pts = _read_start(container, audio, packets=_PLACED_PACKETS)
            if len(set(pts)) < len(pts):
                # packets sharing a time: the demuxer could not place them (an AVI whose first sound packet is cut
                # short numbers the rest from the bytes), and the times at the end are as wrong. The decoder plays
                # every packet in turn, so the sound lasts as long as its packets together.
                return _us(_packets_length(container, audio))
            end = _stream_end(container, audio, Fraction(0))
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None
        if end is None:
            return _duration_us(container, audio)
        return _us(end - _frame_time(first, audio))


_PLACED_PACKETS = 8
"""Sound packets read at the start to see whether the demuxer gives each its own time."""


def _packets_length(container: av.container.InputContainer, stream: av.stream.Stream) -> Fraction:
    """The sum of `stream`'s packet durations, from its start to its end."""
    container.seek(container.start_time or 0, backward=True, any_frame=False)
    base = Fraction(stream.time_base or 0)
    return sum((Fraction(packet.duration) * base for packet in container.demux(stream) if packet.duration), Fraction(0))


def admit(path: Path, timeout: float = 15.0) -> MediaInfo:
    """`probe` for a file coming into a project, after the checks only reading all of it can make: it holds the
    whole of what its structure and header promise (an MP4 cut at half its length otherwise imported as a
    full-length take that froze mid-export), and no more than `intake.MAX_FRAME_RATE` frames a second. Reads every
    packet without decoding any: a fraction of the time the copy into the project takes."""
    size = path.stat().st_size if path.is_file() else 0
    in_worker(lambda: _check_whole(path), path, timeout + size / _READ_BYTES_PER_S)
    return probe(path, timeout)


def admitted(path: Path, timeout: float = 15.0) -> MediaInfo:
    """`admit`, once per file as it is on disk: what hands a project's file to a player, a thumbnail, a waveform or
    an export asks this first, so a file swapped after it came in (a take replaced by a playlist naming files
    outside the project) is refused there, not read. Keyed on the file's identity (device, inode, size, modification
    and change times): a swap or an edit in place changes it, and the next use admits the file again; an unchanged
    file is read whole once a session."""
    identity = _identity(path)
    with _admitted_lock:
        known = _admitted.get(identity)
    if known is not None:
        return known
    info = admit(path, timeout)
    if _identity(path) == identity:  # changed while it was read: what was read says nothing of it now
        with _admitted_lock:
            if len(_admitted) >= _ADMITTED_FILES:
                _admitted.pop(next(iter(_admitted)))
            _admitted[identity] = info
    return info


_admitted: dict[tuple[Path, int, int, int, int, int], MediaInfo] = {}
_admitted_lock = threading.Lock()
_ADMITTED_FILES = 1024
"""Files whose admission is remembered (the oldest is forgotten first and read again when next used)."""


def _identity(path: Path) -> tuple[Path, int, int, int, int, int]:
    path = path.absolute()
    intake.check_regular(path)  # the message for a missing file, a folder, a pipe or a device
    stat = path.stat()
    return path, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def _check_whole(path: Path) -> None:
    with open_media(path) as container:
        intake.check_layout(path, container.format.name)
        counts: Counter[int] = Counter()
        lasting: Counter[int] = Counter()
        cut_off: set[int] = set()
        video = container.streams.video[0] if container.streams.video else None
        span: list[Fraction] = []
        try:
            for packet in container.demux():
                if packet.size == 0 and packet.dts is None:
                    continue  # the empty packet each stream ends with, not one of the file's
                index = packet.stream.index
                counts[index] += 1
                lasting[index] += packet.duration or 0
                if packet.is_corrupt:
                    cut_off.add(index)
                if video is not None and index == video.index and packet.pts is not None and video.time_base:
                    span.append(Fraction(packet.pts) * Fraction(video.time_base))
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None
        if "mov" in container.format.name.split(","):
            _check_samples(path, container, counts, lasting, cut_off)
        if video is not None and len(span) > 1:
            _check_frame_rate(path, len(span), max(span) - min(span))


def _check_samples(
    path: Path,
    container: av.container.InputContainer,
    counts: Counter[int],
    lasting: Counter[int],
    cut_off: set[int],
) -> None:
    """MP4/MOV list every sample of every track in their header: each must be in the file, and whole (a sample
    cut off by the file's end comes out short, flagged as corrupt). `counts` and `lasting` are each stream's
    packets and their durations together (in its time base)."""
    for stream in sorted(container.streams, key=lambda each: each.type != "video"):
        unit = "frames" if stream.type == "video" else f"{stream.type} packets"
        held = counts[stream.index]
        if stream.duration and _in_chunks(stream, held):
            unit = "sound samples"
            held = lasting[stream.index] * stream.frames // stream.duration
        if stream.frames and held < stream.frames:
            raise intake.cut_message(path, f"it holds {held} of the {stream.frames} {unit} its header lists")
        if stream.index in cut_off:
            raise intake.cut_message(path, f"its last {unit} are cut off")


def _in_chunks(stream: av.stream.Stream, packets: int) -> bool:
    """Whether `stream`'s header lists its samples one by one while its packets each hold many: uncompressed sound
    (PCM in a camera's or editor's MOV: 384000 samples in 498 packets), whose samples are then counted by how long
    its packets last. Compressed sound is one sample per packet, counted as such."""
    return stream.type == "audio" and stream.frames >= 2 * max(packets, 1)


def _check_frame_rate(path: Path, frames: int, span: Fraction) -> None:
    if frames - 1 > intake.MAX_FRAME_RATE * span:
        rate = f"{frames - 1} frames in {float(span):.3g} s" if span else f"{frames} frames at one time"
        raise intake.Refused(
            f"{path.name} packs {rate}; Shotline takes clips of up to {intake.MAX_FRAME_RATE} frames a second."
        )


def file_key(path: Path) -> tuple[Path, int, int]:
    """What a cache of a file's facts is keyed on: its absolute path, size and modification time (a relinked file
    with the same name must not be mistaken for the old one). Raises the message for a missing or unreadable file."""
    path = path.absolute()
    try:
        stat = path.stat()
    except OSError:
        open_media(path)  # raises the message for a missing or unreadable file
        raise
    return path, stat.st_size, stat.st_mtime_ns


def first_time(container: av.container.InputContainer) -> Fraction:
    """Where the take's clock starts, in the file's own time (seconds): its first picture frame as decoded (after
    any edit list, in presentation order), or for a file without picture its first sound sample.

    Reads from where the container stands, so call it on a container just opened."""
    streams = container.streams.video or container.streams.audio
    if not streams:
        return Fraction(0)
    stream = streams[0]
    frame, _ = _read_start(container, stream)
    return _frame_time(frame, stream)


_MOST_REFUSED_PACKETS = 16
"""Packets at a stream's start its decoder may refuse (damaged, cut short) before the file is called damaged."""


def _read_start(
    container: av.container.InputContainer, stream: av.stream.Stream, packets: int = 0
) -> tuple[av.frame.Frame | None, list[int]]:
    """Decode `stream` until its first frame, reading on until at least `packets` packets of the frames it shows
    (`shown`) are read: that frame (None: none decodes) and the presentation times of all the packets read, in the
    order they came."""
    first: av.frame.Frame | None = None
    pts: list[int] = []
    refused = 0
    for packet in container.demux(stream):
        if packet.pts is not None:
            pts.append(packet.pts)
        if first is None:
            try:
                # a flush packet at the end of the file lets a short clip give up its frames too
                first = next((f for f in packet.decode() if isinstance(f, av.VideoFrame | av.AudioFrame)), None)
            except av.error.FFmpegError:
                # a packet cut short (Megamind.avi's first AC-3 packet; its decoder answers with a code of its own):
                # ffmpeg drops it and plays from the next, so the stream starts there; one that never decodes is
                # damaged
                refused += 1
                if refused > _MOST_REFUSED_PACKETS:
                    raise
        if first is not None and len(_shown(pts, first)) >= packets:
            break
    return first, pts


def _shown(pts: list[int], first: av.frame.Frame | None) -> list[int]:
    """The presentation times among `pts` of frames the clip shows: from its first decoded frame on. A recording
    that starts mid-GOP (a transport stream cut anywhere) opens with packets of a group whose keyframe was never
    recorded; the decoder drops them, so they are no frames of the clip."""
    if first is None or first.pts is None:
        return pts
    return [each for each in pts if each >= first.pts]


def _frame_time(frame: av.frame.Frame | None, stream: av.stream.Stream) -> Fraction:
    if frame is not None and frame.pts is not None and frame.time_base is not None:
        return Fraction(frame.pts) * Fraction(frame.time_base)
    if stream.start_time is not None and stream.time_base is not None:
        return Fraction(stream.start_time) * Fraction(stream.time_base)
    return Fraction(0)


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
    """Open `path` for reading under `media.intake`'s rules (`options` adds to them), turning every way it can fail
    into a message about that file. Its decoders make no picture larger than Shotline takes."""
    intake.check_regular(path)
    try:
        container = av.open(intake.url(path), options={**OPEN_OPTIONS, **(options or {})})
    except av.error.FileNotFoundError:
        raise MediaMissing(f"{path.name} is missing (looked in {path.parent}).") from None
    except av.error.PermissionError:
        raise MediaUnreadable(f"Shotline is not allowed to read {path.name}; check the file's permissions.") from None
    except av.error.ArgumentError:
        # FFmpeg recognised the file as a container that is not on the allow-list, and read nothing more
        raise intake.refused_format(path) from None
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise intake.unreadable(path, plain_reason(exc)) from None
    try:
        intake.check_declared(path, container)
    except BaseException:
        container.close()
        raise
    for stream in container.streams:
        if stream.codec_context is not None:
            stream.codec_context.options = {**stream.codec_context.options, **DECODER_OPTIONS}
    return container


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
    info = MediaInfo(duration_us=0, has_video=video is not None, has_audio=audio is not None)
    if audio is not None:
        info = _with_audio(info, audio)
    if video is not None:
        info = _with_video(path, info, container, video)
    else:
        info = replace(info, duration_us=_duration_us(container, audio))
    if info.duration_us <= 0:
        raise MediaUnreadable(f"{path.name} has no length; it may be truncated.")
    return info


def _duration_us(container: av.container.InputContainer, stream: av.stream.Stream | None) -> int:
    """The container's length (its streams' span), or `stream`'s own when the container does not say."""
    if container.duration is not None and container.duration > 0:
        return int(container.duration)  # container durations are in AV_TIME_BASE, i.e. microseconds
    if stream is not None and stream.duration is not None and stream.time_base is not None:
        return _us(stream.duration * Fraction(stream.time_base))
    return 0


def _stream_end(container: av.container.InputContainer, stream: av.stream.Stream, frame: Fraction) -> Fraction | None:
    """The file time (seconds) at which `stream`'s last frame ends: the latest presentation time plus duration
    among its packets at the file's end (`frame` for a packet that gives no duration). None when it cannot be read
    (the caller falls back to the container's length)."""
    if stream.time_base is None:
        return None
    base = Fraction(stream.time_base)
    if container.duration is None or container.duration <= 0:
        return _latest_end(container, stream, base, frame)
    start = container.start_time or 0
    tail = _TAIL_SECONDS
    while True:
        target = start + container.duration - tail * 1_000_000
        try:
            container.seek(max(target, start), backward=True, any_frame=False)
        except av.error.FFmpegError:
            return None
        end = _latest_end(container, stream, base, frame)
        if end is not None or target <= start:
            return end
        tail *= 2


def _latest_end(
    container: av.container.InputContainer, stream: av.stream.Stream, base: Fraction, frame: Fraction
) -> Fraction | None:
    latest: Fraction | None = None
    for packet in container.demux(stream):
        if packet.pts is None or packet.is_discard:
            continue
        end = Fraction(packet.pts) * base + (Fraction(packet.duration) * base if packet.duration else frame)
        latest = end if latest is None else max(latest, end)
    return latest


def _us(seconds: Fraction) -> int:
    return math.floor(seconds * 1_000_000 + Fraction(1, 2))


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
        if not _has_keyframe(container, video):
            # a recording cut after its last keyframe (a transport stream cut anywhere, say): nothing in it can be
            # decoded into a picture, which is why the decoder found no size
            raise MediaUnreadable(
                f"{path.name} has no keyframe, so none of its picture can be shown: it was probably cut from a longer "
                "recording after its last keyframe. Cut it again from the original, starting at or before a keyframe."
            )
        raise MediaUnreadable(f"{path.name} has a picture stream with no size; it may be damaged.")
    first, pts = _read_start(container, video, _VFR_PACKETS + _REORDER_DEPTH)
    if not pts:
        raise MediaUnreadable(f"{path.name} has a picture stream with no frames; it may be damaged.")
    # packets come in decode order: only the earliest _VFR_PACKETS are sure to have every frame before them read
    # (when the stream ended sooner, every frame was read and all of them count)
    pts = sorted(_shown(pts, first))[:_VFR_PACKETS]
    fps = frame_rate(video)
    end = _stream_end(container, video, Fraction(1) / fps if fps else Fraction(0))
    length_us = _duration_us(container, video) if end is None else _us(end - _frame_time(first, video))
    return replace(
        info,
        duration_us=length_us,
        fps=fps,
        size=Size(video.width, video.height),
        rotation=_rotation(video, first),
        video_codec=video.codec_context.codec.canonical_name,
        variable_frame_rate=_is_vfr(video, pts, fps),
    )


_KEYFRAME_SEARCH_PACKETS = 5000
"""How far into a picture without a size a keyframe is looked for (minutes of video at any usual keyframe spacing)."""


def _has_keyframe(container: av.container.InputContainer, video: av.video.stream.VideoStream) -> bool:
    try:
        for count, packet in enumerate(container.demux(video)):
            if packet.is_keyframe or count >= _KEYFRAME_SEARCH_PACKETS:
                return True
    except (av.error.FFmpegError, ValueError):
        return True  # damaged: said as such
    return False


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


def _rotation(video: av.video.stream.VideoStream, first: av.frame.Frame | None) -> int:
    """Display rotation in degrees counter-clockwise (0, 90, 180, 270), from the display matrix or old tags."""
    tag = video.metadata.get("rotate")
    if tag:
        try:
            # the old "rotate" tag is clockwise; the display matrix (and MediaInfo) count counter-clockwise
            return (-round(float(tag))) % 360
        except ValueError:
            pass
    # PyAV exposes the display matrix on decoded frames, not on the stream
    return round(getattr(first, "rotation", 0) or 0) % 360


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
