"""The lossless copy: the plan's segments written packet for packet into one MP4/MOV, no decoding or encoding.

A PyAV remux, not ffmpeg's concat demuxer: the demuxer cuts its `outpoint` by decoding time, so with B-frames it
carries the next keyframe (and its first P-frame) into the export, where they collide with the next shot's packets.
Choosing packets by presentation time keeps exactly the source's packets of each trim, byte for byte.
`media.lossless.decide` says when this is allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import av.error

from shotline.core.errors import MediaError, RenderFailed, in_creator_words, plain_reason
from shotline.core.partial import partial_path
from shotline.core.ports import ProgressSink
from shotline.core.timecode import US_PER_SECOND
from shotline.media.clock import take_zero
from shotline.media.plan import RenderPlan, Segment
from shotline.media.probe import open_media, probe

log = logging.getLogger(__name__)

KEYFRAME_TOLERANCE_US = 1000
"""A cut this close to a keyframe is on it: trims and keyframe times are both rounded to whole microseconds."""
_PROGRESS_INTERVAL_S = 0.1


class _Stopped(Exception):
    """The copy was cancelled between two packets."""


@dataclass(frozen=True, slots=True)
class _Window:
    """One segment's packets in one stream's ticks: keep pts in [low, high), then add `shift` (or, when `lands` is
    given, whatever shift puts the first packet kept at output tick `lands`)."""

    low: int
    high: int
    shift: int
    lands: int | None = None


@dataclass(slots=True)
class _SoundEnd:
    """Where the sound copied so far ends on the film's clock, in seconds (None before any is copied)."""

    at: Fraction | None = None


def copy_streams(
    plan: RenderPlan,
    destination: Path,
    *,
    progress: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
    metadata: Mapping[str, str] | None = None,
    sound: bool = True,
    fast_start: bool = True,
) -> int:
    """Write the segments' packets, unchanged, one shot after another into `destination` (MP4, or MOV by suffix),
    with `metadata` as the container's tags: the picture, and the clips' own sound too when `sound` is set; its
    index first (`fast_start`, for playing while it downloads) unless it is only a step on the way to the film.

    Blocking; returns the number of video packets written. Raises RenderFailed when a packet cannot be written.
    """
    if not plan.segments:
        raise RenderFailed("There is nothing to export.")
    fmt = "mov" if destination.suffix.lower() == ".mov" else "mp4"
    with_sound = sound and plan.segments[0].plays_own_sound
    report = _throttled(progress) if progress is not None else None
    frames = 0
    try:
        # moving the index to the front writes the whole file again: worth it for a film, not for a step to one
        options = {"movflags": "+faststart"} if fast_start else {}
        with av.open(str(destination), "w", format=fmt, options=options) as output:
            output.metadata.update(metadata or {})
            streams: list[av.stream.Stream] = []
            sound_end = _SoundEnd()
            for segment in plan.segments:
                frames += _copy_segment(plan, segment, output, streams, with_sound, sound_end, report, stop)
    except (av.error.FFmpegError, ValueError) as exc:
        # `destination` is the hidden partial file: the message names the file it becomes
        name = in_creator_words(destination.name)
        raise RenderFailed(f"Copying the clips into {name} failed ({plain_reason(exc)}); try a re-encode.") from None
    if progress is not None:
        progress(1.0)
    return frames


def _throttled(progress: Callable[[float], None]) -> Callable[[float], None]:
    """At most ten reports a second: a copy runs through thousands of packets a second."""
    last = [0.0]

    def report(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= _PROGRESS_INTERVAL_S:
            last[0] = now
            progress(fraction)

    return report


def _copy_segment(
    plan: RenderPlan,
    segment: Segment,
    output: av.container.OutputContainer,
    streams: list[av.stream.Stream],
    with_sound: bool,
    sound_end: _SoundEnd,
    progress: Callable[[float], None] | None,
    stop: threading.Event | None,
) -> int:
    with open_media(segment.source) as source:
        video = source.streams.video[0]
        audio = source.streams.audio[0] if with_sound and source.streams.audio else None
        if not streams:
            streams.append(output.add_stream_from_template(video))
            if audio is not None:
                streams.append(output.add_stream_from_template(audio))
        origin = take_zero(segment.source)  # the take's clock, as every other reader of the clip counts it
        start = origin + Fraction(segment.trim.in_us, US_PER_SECOND)
        end = origin + Fraction(segment.trim.out_us, US_PER_SECOND)
        place = Fraction(segment.start_frame) / plan.settings.fps
        # shift by the keyframe's own time, so the shot's first frame lands exactly on its output frame
        start = round(start / _time_base(video)) * _time_base(video)
        windows = {video.index: _window(video, start, end, place)}
        if audio is not None:
            windows[audio.index] = _sound_window(audio, start, end, place, sound_end.at)
        # a later shot's sound may start up to half a packet before its first frame
        earliest = min([start] + [w.low * _time_base(source.streams[i]) for i, w in windows.items()])
        source.seek(math.floor(earliest * 1_000_000), backward=True)
        return _copy_packets(source, windows, output, streams, plan, sound_end, progress, stop)


def _time_base(stream: av.stream.Stream) -> Fraction:
    assert stream.time_base is not None
    return Fraction(stream.time_base)


def _window(stream: av.stream.Stream, start: Fraction, end: Fraction, place: Fraction) -> _Window:
    base = _time_base(stream)
    tolerance = Fraction(KEYFRAME_TOLERANCE_US, US_PER_SECOND)
    return _Window(
        math.ceil((start - tolerance) / base), math.ceil((end - tolerance) / base), round((place - start) / base)
    )


def _sound_window(
    stream: av.stream.Stream, start: Fraction, end: Fraction, place: Fraction, written: Fraction | None
) -> _Window:
    """A shot's sound, copied in whole packets (AAC: 1024 samples), which never fit its picture's length exactly.
    The first shot's starts at its first packet inside the trim, where its timestamps put it (an MP4's edit list
    keeps a sound's delay at the start). Every later shot's is laid on where the sound before it ends, without a
    gap (a player plays a sound's packets one after another, whatever their timestamps say), from the packet
    nearest the source time that belongs there: each shot is within half a packet of its picture, and what one
    shot's packets miss or add of its length is made good by the next, never carried on."""
    window = _window(stream, start, end, place)
    if written is None:
        return window
    lands = round(written / _time_base(stream))
    belongs = lands - window.shift  # the source tick whose sample plays where the sound written so far ends
    return _Window(math.ceil(belongs - Fraction(_packet_ticks(stream), 2)), window.high, window.shift, lands=lands)


def _packet_ticks(stream: av.stream.Stream) -> int:
    """How long one of `stream`'s sound packets plays, in its ticks (0 when the codec does not say)."""
    samples = getattr(stream.codec_context, "frame_size", 0) or 0
    rate = getattr(stream, "rate", 0) or 0
    return round(Fraction(samples, rate) / _time_base(stream)) if samples and rate else 0


def _plays(duration: int | None, stream: av.stream.Stream) -> int:
    """How long a sound packet of `duration` plays, in `stream`'s ticks: a whole packet's samples, even where its
    duration says less (a clip's last AAC packet, whose padding only that clip's edit list cut off, decodes whole in
    the film)."""
    return max(duration or 0, _packet_ticks(stream))


def _copy_packets(
    source: av.container.InputContainer,
    windows: dict[int, _Window],
    output: av.container.OutputContainer,
    streams: list[av.stream.Stream],
    plan: RenderPlan,
    sound_end: _SoundEnd,
    progress: Callable[[float], None] | None,
    stop: threading.Event | None,
) -> int:
    video = source.streams.video[0]
    targets = {video.index: streams[0]}
    if len(windows) > 1:
        targets[next(i for i in windows if i != video.index)] = streams[1]
    open_streams = set(windows)
    last_dts: dict[int, int] = {}
    seconds_per_tick, frames_per_second = float(_time_base(video)), float(plan.settings.fps)
    total_frames = max(plan.frames, 1)
    frames = 0
    for packet in source.demux([s for s in source.streams if s.index in windows]):
        if stop is not None and stop.is_set():
            raise _Stopped
        index = packet.stream.index
        window = windows[index]
        if packet.pts is None:
            continue
        # decoding order: once a packet decodes at or after the out point, nothing later shows before it
        if packet.dts is not None and packet.dts >= window.high:
            open_streams.discard(index)
            if not open_streams:
                break
        if not window.low <= packet.pts < window.high:
            continue
        if window.lands is not None:  # the first packet kept decides the shift of all the rest
            window = windows[index] = replace(window, shift=window.lands - packet.pts, lands=None)
        packet.pts += window.shift
        if packet.dts is not None:
            packet.dts += window.shift
            if packet.dts <= last_dts.get(index, -(2**62)):
                continue  # a sound packet overlapping the previous shot's last one
            last_dts[index] = packet.dts
        if index != video.index:
            sound_end.at = (packet.pts + _plays(packet.duration, packet.stream)) * _time_base(packet.stream)
        packet.stream = targets[index]
        output.mux(packet)
        if index == video.index:
            frames += 1
            if progress is not None:
                progress(min(1.0, packet.pts * seconds_per_tick * frames_per_second / total_frames))
    return frames


async def render_copy(
    plan: RenderPlan,
    output: Path,
    *,
    progress: ProgressSink | None = None,
    metadata: Mapping[str, str] | None = None,
    sound: bool = True,
    fast_start: bool = True,
) -> None:
    """Copy `plan` into `output` (with `metadata` as its tags; without sound unless `sound`; its index first unless
    not `fast_start`) through a hidden partial file that replaces it only once the copy plays and has exactly the
    film's frames.

    The copy runs on a worker thread; cancelling stops it between two packets and removes the partial file.
    """
    output, partial = _paths(output)
    loop = asyncio.get_running_loop()

    def report(fraction: float) -> None:
        if progress is not None:
            loop.call_soon_threadsafe(progress, fraction)

    stop = threading.Event()
    work = asyncio.ensure_future(
        asyncio.to_thread(
            copy_streams,
            plan,
            partial,
            progress=report,
            stop=stop,
            metadata=metadata,
            sound=sound,
            fast_start=fast_start,
        )
    )
    try:
        frames = await _until_done(work, stop)
        await _check_copy(partial, output, plan, frames)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    log.info("copied %s losslessly (%d frames)", output, frames)


def _paths(output: Path) -> tuple[Path, Path]:
    """The target and its hidden partial file (sync: quick local path work)."""
    output = output.absolute()
    return output, partial_path(output)


async def _until_done(work: asyncio.Future[int], stop: threading.Event) -> int:
    """Wait for the copy; on cancel, stop the thread and wait until it has let go of the partial file."""
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        stop.set()
        while not work.done():
            with contextlib.suppress(asyncio.CancelledError, _Stopped):
                await asyncio.shield(work)
        with contextlib.suppress(asyncio.CancelledError, _Stopped, RenderFailed):
            work.result()
        raise


async def _check_copy(partial: Path, output: Path, plan: RenderPlan, frames: int) -> None:
    try:
        info = await asyncio.to_thread(probe, partial)
    except MediaError as exc:
        reason = in_creator_words(str(exc))
        raise RenderFailed(
            f"The copy into {output.name} does not play back ({reason}); nothing was replaced."
        ) from None
    if not info.has_video or frames == 0:
        raise RenderFailed(f"The copy into {output.name} has no picture; nothing was replaced.")
    if frames != plan.frames:
        # a clip whose picture ends before its trim (or a damaged one) would leave a hole in the film: never
        # write fewer frames than the timeline shows (the caller re-encodes instead)
        raise RenderFailed(f"the copy would have {frames} frames where the film has {plan.frames}")
