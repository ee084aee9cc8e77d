"""The export plan: which part of which clip lands on which frames and samples, and the ffmpeg argv to render it.

Pure: no process runs here. Segment boundaries sit on the cumulative timeline, so rounding never accumulates:
segment i starts at frame round(start_us · fps) and at the sample that begins at that same instant, and the
totals are exactly round(total · fps) frames and the matching number of samples (DESIGN §6).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from shotline.core.errors import EditError, MediaMissing
from shotline.core.model import ExportSettings, Fit, MediaInfo, Project, Shot, Size, Trim
from shotline.core.timecode import US_PER_SECOND, format_fps

log = logging.getLogger(__name__)

INPUT_MARGIN_US = 250_000
"""Read a little past the trim so a clip's last frame is never lost; the trim filter cuts the rest exactly."""
PROTOCOLS = "file,pipe"


@dataclass(frozen=True, slots=True)
class Segment:
    """One picked take on the export timeline, with its exact place in output frames and samples."""

    shot_id: str
    take_id: str
    source: Path
    trim: Trim
    info: MediaInfo
    gain_db: float
    muted: bool
    start_frame: int
    frames: int
    start_sample: int
    samples: int
    crossfade_in_frames: int = 0
    """Frames at this segment's start that overlap the previous segment's end (a crossfade into this one)."""
    crossfade_out_frames: int = 0
    crossfade_in_samples: int = 0
    crossfade_out_samples: int = 0

    @property
    def plays_own_sound(self) -> bool:
        return self.info.has_audio and not self.muted

    @property
    def end_frame(self) -> int:
        return self.start_frame + self.frames

    @property
    def end_sample(self) -> int:
        return self.start_sample + self.samples


@dataclass(frozen=True, slots=True)
class RenderPlan:
    """Segments placed on the output's frames and samples. Segments overlap where a crossfade joins them.

    `window` is the part of the timeline (timeline µs) this plan renders: the whole film, a range or one shot.
    Output frame 0 / sample 0 is timeline time `window.in_us`.
    """

    segments: tuple[Segment, ...]
    settings: ExportSettings
    frames: int
    samples: int
    window: Trim = field(default_factory=lambda: Trim(0, 0))

    @property
    def duration_us(self) -> int:
        return round(Fraction(self.frames) * US_PER_SECOND / self.settings.fps)

    def sources(self) -> set[Path]:
        return {segment.source for segment in self.segments}


def plan_export(project: Project, settings: ExportSettings, resolve: Callable[[str], Path]) -> RenderPlan:
    """The picked takes in shot order, placed on exact frames and samples. `resolve` maps a take's media path."""
    if not project.shots:
        raise EditError("This project has no shots yet; add a shot and give it a take before exporting.")
    segments: list[Segment] = []
    cumulative_us = 0
    for number, shot in enumerate(project.shots, start=1):
        take = shot.picked_take
        if take is None:
            raise EditError(f"{_shot_name(number, shot)} has no take yet; generate or import one before exporting.")
        if take.trim.duration_us <= 0:
            raise EditError(f"{_shot_name(number, shot)} is trimmed to nothing; widen its trim before exporting.")
        source = resolve(take.media)
        if not source.is_file():
            raise MediaMissing(
                f"{_shot_name(number, shot)}: its clip {Path(take.media).name} is missing (looked for {source}). "
                "Relink the file or pick another take, then export again."
            )
        start_frame = _frame_at(cumulative_us, settings.fps)
        segments.append(
            Segment(shot.id, take.id, source, take.trim, take.info, shot.gain_db, shot.muted, start_frame, 0, 0, 0)
        )
        cumulative_us += take.trim.duration_us
    return _place(segments, settings, _frame_at(cumulative_us, settings.fps), project, number_of=len(segments))


def _place(
    segments: list[Segment], settings: ExportSettings, total_frames: int, project: Project, number_of: int
) -> RenderPlan:
    """Fill in frame and sample counts as differences of consecutive boundaries, so the totals come out exact."""
    boundaries = [s.start_frame for s in segments] + [total_frames]
    sample_bounds = [_sample_at(frame, settings) for frame in boundaries]
    placed = []
    for index, segment in enumerate(segments):
        frames = boundaries[index + 1] - boundaries[index]
        if frames <= 0:
            shot = project.shot(segment.shot_id)
            raise EditError(
                f"{_shot_name(index + 1, shot)} is shorter than one frame at {format_fps(settings.fps)} fps; "
                "lengthen its trim or remove it."
            )
        samples = sample_bounds[index + 1] - sample_bounds[index]
        placed.append(_with_counts(segment, frames, sample_bounds[index], samples))
    log.debug("planned %d segments, %d frames", number_of, total_frames)
    return RenderPlan(tuple(placed), settings, total_frames, sample_bounds[-1])


def _with_counts(segment: Segment, frames: int, start_sample: int, samples: int) -> Segment:
    return replace(segment, frames=frames, start_sample=start_sample, samples=samples)


def frame_at(us: int, fps: Fraction) -> int:
    """The output frame that starts nearest to `us` (output time)."""
    return round(Fraction(us) * fps / US_PER_SECOND)


def sample_at_frame(frame: int, fps: Fraction, sample_rate: int) -> int:
    """The sample that starts at the same instant as `frame`, so picture and sound boundaries coincide."""
    return round(Fraction(frame) * sample_rate / fps)


def sample_at(us: int, sample_rate: int) -> int:
    """The sample nearest to `us` (output time), for sound placed freely rather than on picture frames."""
    return round(Fraction(us) * sample_rate / US_PER_SECOND)


def _frame_at(us: int, fps: Fraction) -> int:
    return frame_at(us, fps)


def _sample_at(frame: int, settings: ExportSettings) -> int:
    return sample_at_frame(frame, settings.fps, settings.sample_rate)


def _shot_name(number: int, shot: Shot) -> str:
    return f"Shot {number} ({shot.title})" if shot.title else f"Shot {number}"


# ---------------------------------------------------------------------------------------------- argv


def ffmpeg_argv(plan: RenderPlan, output: Path, ffmpeg_exe: Path, *, legacy_vsync: bool = False) -> list[str]:
    """The ffmpeg command that renders `plan` to `output` (without the reporting flags `run_ffmpeg` adds).

    `legacy_vsync` writes `-vsync cfr` for ffmpeg builds older than 5.1, which lack `-fps_mode`.
    """
    settings = plan.settings
    streams: list[Any] = []
    for segment in plan.segments:
        seek = {"ss": _seconds(segment.trim.in_us)} if segment.trim.in_us > 0 else {}
        # no `-ss 0`: with it ffmpeg keeps an AAC source's priming samples and the sound plays ~23 ms early
        clip = ffmpeg.input(
            f"file:{segment.source}",
            t=_seconds(segment.trim.duration_us + INPUT_MARGIN_US),
            protocol_whitelist=PROTOCOLS,
            **seek,
        )
        streams.append(_video_chain(clip.video, segment, settings))
        if segment.plays_own_sound:
            sound = clip.audio
        else:
            silence_us = round(Fraction(segment.samples) * US_PER_SECOND / settings.sample_rate) + INPUT_MARGIN_US
            sound = ffmpeg.input(
                f"anullsrc=r={settings.sample_rate}:cl=stereo", f="lavfi", t=_seconds(silence_us)
            ).audio
        streams.append(_audio_chain(sound, segment, settings))
    joined = ffmpeg.concat(*streams, n=len(plan.segments), v=1, a=1).node
    output_options: dict[str, str] = {
        "c:v": "libx264",
        "crf": str(settings.crf),
        "preset": settings.preset,
        "pix_fmt": "yuv420p",
        "r": format_fps(settings.fps),
        "c:a": "aac",
        "b:a": settings.audio_bitrate,
        "ar": str(settings.sample_rate),
        "ac": str(settings.channels),
        "movflags": "+faststart",
        ("vsync" if legacy_vsync else "fps_mode"): "cfr",
    }
    graph = ffmpeg.output(joined[0], joined[1], f"file:{output}", **output_options).global_args("-y")
    argv: list[str] = graph.compile(cmd=str(ffmpeg_exe))
    return argv


def _seconds(us: int) -> str:
    whole, rest = divmod(us, US_PER_SECOND)
    return f"{whole}.{rest:06d}"


def _video_chain(stream: Any, segment: Segment, settings: ExportSettings) -> Any:
    out = settings.size
    # ffmpeg turns rotated clips upright before filtering, so sizes come from the display size
    shown = segment.info.display_size or out
    stream = stream.filter("setpts", "PTS-STARTPTS").filter("fps", fps=format_fps(settings.fps))
    if settings.fit is Fit.FILL:
        width, height = cover_size(shown, out)
        stream = stream.filter("scale", width, height).filter(
            "crop", out.width, out.height, _even((width - out.width) // 2), _even((height - out.height) // 2)
        )
    else:
        width, height = fit_size(shown, out)
        stream = stream.filter("scale", width, height).filter(
            "pad", out.width, out.height, _even((out.width - width) // 2), _even((out.height - height) // 2), "black"
        )
    pad_seconds = _seconds(round(Fraction(segment.frames) * US_PER_SECOND / settings.fps) + INPUT_MARGIN_US)
    return (
        stream.filter("setsar", "1")
        .filter("format", settings.pixel_format)
        .filter("tpad", stop_mode="clone", stop_duration=pad_seconds)
        .filter("trim", end_frame=segment.frames)
        .filter("setpts", "PTS-STARTPTS")
    )


def _audio_chain(stream: Any, segment: Segment, settings: ExportSettings) -> Any:
    stream = stream.filter("asetpts", "PTS-STARTPTS").filter("aresample", settings.sample_rate)
    stream = stream.filter("aformat", sample_fmts="fltp", sample_rates=settings.sample_rate, channel_layouts="stereo")
    if segment.plays_own_sound and segment.gain_db:
        stream = stream.filter("volume", f"{segment.gain_db:g}dB")
    return (
        stream.filter("apad", whole_len=segment.samples)
        .filter("atrim", end_sample=segment.samples)
        .filter("asetpts", "PTS-STARTPTS")
    )


def fit_size(source: Size, frame: Size) -> tuple[int, int]:
    """The even size that fits `source` inside `frame` keeping its aspect."""
    scale = min(Fraction(frame.width, source.width), Fraction(frame.height, source.height))
    return min(_even_round(source.width * scale), frame.width), min(_even_round(source.height * scale), frame.height)


def cover_size(source: Size, frame: Size) -> tuple[int, int]:
    """The even size that covers `frame` with `source` keeping its aspect (the overflow is cropped)."""
    scale = max(Fraction(frame.width, source.width), Fraction(frame.height, source.height))
    return max(_even_ceil(source.width * scale), frame.width), max(_even_ceil(source.height * scale), frame.height)


def _even_round(value: Fraction) -> int:
    return max(2, 2 * round(value / 2))


def _even_ceil(value: Fraction) -> int:
    return max(2, 2 * math.ceil(value / 2))


def _even(value: int) -> int:
    # chroma is subsampled 2:1, so offsets stay even to keep colour edges aligned
    return value - value % 2
