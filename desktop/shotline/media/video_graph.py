"""An export's picture as an ffmpeg filter graph, built from the plan (`media.encode` puts it into a command).

No process runs here; building the graph reads each clip's clock and where to seek in it (`media.clock`, PyAV,
cached). Each segment is conformed on its own (constant frame rate, the export's size by fit, fill or pad, square
pixels, one pixel format) and cut to exactly its planned frames; consecutive segments are joined by `concat` at a
cut and by `xfade` where the plan overlaps them, so the picture has exactly `plan.frames` frames.

Cuts are made on the take's clock (`media.clock`: it starts at the clip's first picture frame), in the graph, on the
source's own timestamps: each input is read with `-copyts` (a global flag, written with the input that needs it)
and `-noaccurate_seek` from a point `media.clock` checked lies before the keyframe the cut needs, so ffmpeg
neither shifts nor drops anything, and output frame n of a segment is the source frame showing at its in point plus
n frames. (Input seeking alone with a timestamp reset hid a seek that landed late: an MPEG-PS shot trimmed to 4 s
started 8 frames late.) Past the end of its picture a segment is black, never a frozen frame.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from shotline.core.model import ExportSettings, Fit, Size
from shotline.core.timecode import US_PER_SECOND, format_fps
from shotline.media.clock import FRAME_TOLERANCE_US, input_cut, seconds_arg
from shotline.media.encoders import Encoder
from shotline.media.intake import TAKE_INPUT, url
from shotline.media.plan import RenderPlan, Segment
from shotline.media.subtitles import burn


def picture(plan: RenderPlan, encoder: Encoder | None = None, captions: Path | None = None) -> Any:
    """The export's picture as one ffmpeg-python stream: conformed segments joined by cuts and crossfades, with the
    captions of the ASS file `captions` burned in (`media.subtitles`) when given."""
    joined: list[Any] = []
    for segment, (cut, source) in zip(plan.segments, _video_inputs(plan.segments), strict=True):
        stream = conform(source, segment, plan.settings, cut)
        if segment.crossfade_in_frames and joined:
            fps = plan.settings.fps
            outgoing = _concat(joined, fps)
            stream = ffmpeg.filter(
                [outgoing, stream],
                "xfade",
                transition="fade",
                duration=_seconds_of_frames(segment.crossfade_in_frames, fps),
                offset=_seconds_of_frames(segment.start_frame, fps),
            )
            joined = []
        joined.append(stream)
    stream = _concat(joined, plan.settings.fps)
    if captions is not None:
        stream = burn(stream, captions)  # on the finished frame (after crossfades), before any upload to a GPU
    for name in encoder.upload_filter() if encoder else ():
        filter_name, _, argument = name.partition("=")
        stream = stream.filter(filter_name, argument) if argument else stream.filter(filter_name)
    return stream


def _concat(streams: list[Any], fps: Fraction) -> Any:
    if len(streams) == 1:
        return streams[0]
    joined = ffmpeg.concat(*streams, n=len(streams), v=1, a=0)
    # concat answers in microseconds; xfade needs both inputs on the same (frame) time base
    return joined.filter("settb", expr=f"{fps.denominator}/{fps.numerator}")


def _video_inputs(segments: tuple[Segment, ...]) -> list[tuple[Fraction, Any]]:
    """Each segment's picture stream, with its in point's file time: one input per distinct read (a clip from one
    seek point), split when several segments read it (a repeated shot, or two cuts near a clip's start).

    ffmpeg-python merges identical nodes, so two equal inputs would become one with two consumers, which ffmpeg
    only accepts through `split`.
    """
    cuts = {key: input_cut(key[0], "video", key[1]) for key in {(s.source, s.trim.in_us) for s in segments}}
    reads = [(segment.source, cuts[(segment.source, segment.trim.in_us)]) for segment in segments]
    uses = Counter((source, cut.seek) for source, cut in reads)
    streams: dict[tuple[Path, Fraction | None], Iterator[Any]] = {}
    for (source, seek), count in uses.items():
        video = _input(source, seek).video
        if count == 1:
            streams[(source, seek)] = iter([video])
        else:
            split = video.filter_multi_output("split", count)
            streams[(source, seek)] = iter([split.stream(index) for index in range(count)])
    return [(cut.at, next(streams[(source, cut.seek)])) for source, cut in reads]


def _input(source: Path, seek: Fraction | None) -> Any:
    """`source` read on its own timestamps, from a point before the keyframe its in point needs (or its start).

    No `-t`: the graph's `trim` ends the segment, and ffmpeg stops reading an input once its graph is done (a
    duration limit counts from where the seek landed, which for a long keyframe interval is far before the cut).
    """
    options: dict[str, Any] = {"copyts": None, "noaccurate_seek": None}
    if seek is not None:
        # absolute: ffmpeg's plain -ss counts from the container's start, the earliest of all its streams
        options.update(seek_timestamp=1, ss=seconds_arg(seek))
    return ffmpeg.input(url(source), **TAKE_INPUT, **options)


def conform(stream: Any, segment: Segment, settings: ExportSettings, cut: Fraction) -> Any:
    """One segment at the export's rate, size, pixel shape and format, exactly `segment.frames` long, starting
    with the frame showing at file time `cut` (its in point on the take's clock).

    `fps` with `round=up` shows at each output frame the last source frame that started at or before it, and
    `start_time=0` starts the output at the cut exactly; the small tolerance lets a frame a rounding error after
    the cut count as showing at it.
    """
    out = settings.size
    # ffmpeg turns rotated clips upright before filtering, so sizes come from the display size
    shown = segment.info.display_size or out
    origin = cut + Fraction(FRAME_TOLERANCE_US, US_PER_SECOND)
    # on a microsecond time base first: in the clip's own (a whole frame, in an AVI) the tolerance rounds away and
    # each frame moves to the next output slot
    stream = (
        stream.filter("settb", expr=f"1/{US_PER_SECOND}")
        .filter("setpts", f"round(PTS-{seconds_arg(origin)}/TB)")
        .filter("fps", fps=format_fps(settings.fps), start_time=0, round="up")
    )
    if settings.fit is Fit.FILL:
        width, height = cover_size(shown, out)
        stream = stream.filter("scale", width, height).filter(
            "crop", out.width, out.height, _even((width - out.width) // 2), _even((height - out.height) // 2)
        )
    else:
        width, height = pad_size(shown, out) if settings.fit is Fit.PAD else fit_size(shown, out)
        stream = stream.filter("scale", width, height).filter(
            "pad", out.width, out.height, _even((out.width - width) // 2), _even((out.height - height) // 2), "black"
        )
    # a take whose trim runs past its picture (saved before lengths were the picture's) shows black there
    pad_seconds = _seconds(round(Fraction(segment.frames + 1) * US_PER_SECOND / settings.fps))
    return (
        stream.filter("setsar", "1")
        .filter("format", settings.pixel_format)
        .filter("tpad", stop_mode="add", stop_duration=pad_seconds, color="black")
        .filter("trim", end_frame=segment.frames)
        .filter("setpts", "PTS-STARTPTS")
    )


def fit_size(source: Size, frame: Size) -> tuple[int, int]:
    """The even size that fits `source` inside `frame` keeping its aspect."""
    scale = min(Fraction(frame.width, source.width), Fraction(frame.height, source.height))
    return min(_even_round(source.width * scale), frame.width), min(_even_round(source.height * scale), frame.height)


def cover_size(source: Size, frame: Size) -> tuple[int, int]:
    """The even size that covers `frame` with `source` keeping its aspect (the overflow is cropped)."""
    scale = max(Fraction(frame.width, source.width), Fraction(frame.height, source.height))
    return max(_even_ceil(source.width * scale), frame.width), max(_even_ceil(source.height * scale), frame.height)


def pad_size(source: Size, frame: Size) -> tuple[int, int]:
    """`source` at its own size (made even) when it fits in `frame`; scaled down to fit only when it would not."""
    if source.width <= frame.width and source.height <= frame.height:
        return max(2, _even(source.width)), max(2, _even(source.height))
    return fit_size(source, frame)


def _seconds(us: int) -> str:
    whole, rest = divmod(us, US_PER_SECOND)
    return f"{whole}.{rest:06d}"


def _seconds_of_frames(frames: int, fps: Fraction) -> str:
    # exact to the microsecond; xfade works on the frame grid so this lands on frame `frames`
    return _seconds(round(Fraction(frames) * US_PER_SECOND / fps))


def _even_round(value: Fraction) -> int:
    return max(2, 2 * round(value / 2))


def _even_ceil(value: Fraction) -> int:
    return max(2, 2 * math.ceil(value / 2))


def _even(value: int) -> int:
    # chroma is subsampled 2:1, so offsets stay even to keep colour edges aligned
    return value - value % 2
