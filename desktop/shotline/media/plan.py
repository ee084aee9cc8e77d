"""The export plan: which part of which clip lands on which frames and samples of the output.

Pure: no process runs here. Every segment boundary is rounded from exact timeline time, so rounding never
accumulates: a segment starts at frame round((start_us - window.in_us) · fps) and at the sample that begins at that
same instant, and the totals are exactly round(window · fps) frames and the matching number of samples (DESIGN §6).
That frame count is `core.timeline.film_frames`, the one length of the film every other surface shows.
Shots joined by a crossfade overlap by the crossfade's frames and samples. The ffmpeg graphs live in
`video_graph` (picture) and `audio_graph` (sound).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path, PurePosixPath

from shotline.core.errors import EditError, MediaMissing
from shotline.core.model import ExportSettings, MediaInfo, Project, Shot, Take, Trim
from shotline.core.timecode import US_PER_SECOND, format_fps, format_time
from shotline.core.timeline import Placement, describe_film_length, film_frames, film_window, layout

log = logging.getLogger(__name__)


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
    """The picked takes in shot order, placed on exact frames and samples. `resolve` maps a take's media path.

    Shots joined by a crossfade overlap; `settings.range` (timeline time) limits the plan to that window, cutting
    the first and last shots in it. An audio-only codec plans the same way: the segments drive the shots' sound.
    """
    if not project.shots:
        raise EditError("This project has no shots yet; add a shot and give it a take before exporting.")
    for number, shot in enumerate(project.shots, start=1):
        _check_playable(number, shot, resolve)
    window = _window(project, settings.range, settings.fps)
    total_frames = film_frames(project, settings.fps, settings.range)
    kept = _visible(layout(project), window, settings.fps)
    segments: list[Segment] = []
    for index, (placement, visible) in enumerate(kept):
        number = project.index_of(placement.shot.id) + 1
        segment = _segment(number, placement, visible, window, settings, resolve)
        previous = segments[-1] if segments else None
        joined = previous is not None and kept[index - 1][0].overlap_out_us > 0
        if previous is not None and joined and previous.end_frame > segment.start_frame:
            overlap_frames = previous.end_frame - segment.start_frame
            overlap_samples = previous.end_sample - segment.start_sample
            segments[-1] = replace(previous, crossfade_out_frames=overlap_frames, crossfade_out_samples=overlap_samples)
            segment = replace(segment, crossfade_in_frames=overlap_frames, crossfade_in_samples=overlap_samples)
        segments.append(segment)
    log.debug("planned %d segments, %d frames, window %s", len(segments), total_frames, window)
    samples = sample_at_frame(total_frames, settings.fps, settings.sample_rate)
    return RenderPlan(tuple(segments), settings, total_frames, samples, window)


def shot_window(project: Project, shot_id: str) -> Trim:
    """The timeline window that exports one shot whole: from its start to its end (crossfades left out)."""
    for placement in layout(project):
        if placement.shot.id == shot_id:
            return Trim(placement.start_us, placement.end_us)
    return Trim(0, project.shot(shot_id).duration_us)  # raises UnknownShot for an unknown id


def _check_playable(number: int, shot: Shot, resolve: Callable[[str], Path]) -> None:
    take = shot.picked_take
    if take is None:
        raise EditError(f"{_shot_name(number, shot)} has no take yet; generate or import one before exporting.")
    if take.trim.duration_us <= 0:
        raise EditError(f"{_shot_name(number, shot)} is trimmed to nothing; widen its trim before exporting.")
    if not resolve(take.media).is_file():
        raise MediaMissing(
            f"{_shot_name(number, shot)}: {_take_name(take)} is missing from the project folder. Relink the file or "
            "pick another take, then export again."
        )


def _take_name(take: Take) -> str:
    """A take as the creator knows it: by the name of the file it was imported from, or by who generated it (the
    project stores its media under an id, which means nothing to the creator)."""
    if take.source_name:
        return f"its clip {take.source_name}"
    if take.generation is not None:
        model = f" ({take.generation.model})" if take.generation.model else ""
        return f"its take generated by {take.generation.backend}{model}"
    return f"its clip {PurePosixPath(take.media).name}"


def _window(project: Project, wanted: Trim | None, fps: Fraction) -> Trim:
    """The part of the film to render: the range clamped to the film, refused when not one frame would be left."""
    if wanted is not None and film_frames(project, fps, wanted) <= 0:
        raise EditError(
            f"The export range {format_time(wanted.in_us)}–{format_time(wanted.out_us)} holds no picture "
            f"(the film lasts {describe_film_length(project, fps)}); choose a range inside the film."
        )
    return film_window(project, wanted)


def _visible(placements: tuple[Placement, ...], window: Trim, fps: Fraction) -> list[tuple[Placement, Trim]]:
    """The shots seen in `window`, each with its visible part (timeline µs).

    A window edge inside a crossfade does not start or end on half a blend: a window that starts inside a
    crossfade starts on the incoming shot alone, one that ends inside it ends on the outgoing shot alone. So
    the window of one shot (`shot_window`) renders that shot and nothing of its neighbours.
    """
    kept: list[tuple[Placement, Trim]] = []
    for index, placement in enumerate(placements):
        visible = Trim(max(placement.start_us, window.in_us), min(placement.end_us, window.out_us))
        if frame_at(visible.out_us - window.in_us, fps) - frame_at(visible.in_us - window.in_us, fps) <= 0:
            continue
        following = placements[index + 1] if index + 1 < len(placements) else None
        if following is not None and placement.overlap_out_us > 0 and window.in_us >= following.start_us:
            continue  # the window starts in the blend into the next shot: start on that shot
        if kept and kept[-1][0] is placements[index - 1] and _ends_in_blend(kept[-1][0], window):
            continue  # the window ends in the blend out of the previous shot: end on that shot
        kept.append((placement, visible))
    return kept


def _ends_in_blend(previous: Placement, window: Trim) -> bool:
    return previous.overlap_out_us > 0 and window.out_us <= previous.end_us


def _segment(
    number: int,
    placement: Placement,
    visible: Trim,
    window: Trim,
    settings: ExportSettings,
    resolve: Callable[[str], Path],
) -> Segment:
    """A shot's visible part on the output grid: its boundaries rounded from exact timeline time, never summed."""
    shot, take = placement.shot, placement.take
    assert take is not None  # _check_playable ran
    start_frame = frame_at(visible.in_us - window.in_us, settings.fps)
    end_frame = frame_at(visible.out_us - window.in_us, settings.fps)
    if end_frame <= start_frame:
        raise EditError(
            f"{_shot_name(number, shot)} is shorter than one frame at {format_fps(settings.fps)} fps; "
            "lengthen its trim or remove it."
        )
    start_sample = sample_at_frame(start_frame, settings.fps, settings.sample_rate)
    end_sample = sample_at_frame(end_frame, settings.fps, settings.sample_rate)
    trim = Trim(
        take.trim.in_us + (visible.in_us - placement.start_us),
        take.trim.out_us - (placement.end_us - visible.out_us),
    )
    return Segment(
        shot.id,
        take.id,
        resolve(take.media),
        trim,
        take.info,
        shot.gain_db,
        shot.muted,
        start_frame,
        end_frame - start_frame,
        start_sample,
        end_sample - start_sample,
    )


def frame_at(us: int, fps: Fraction) -> int:
    """The output frame that starts nearest to `us` (output time)."""
    return round(Fraction(us) * fps / US_PER_SECOND)


def sample_at_frame(frame: int, fps: Fraction, sample_rate: int) -> int:
    """The sample that starts at the same instant as `frame`, so picture and sound boundaries coincide."""
    return round(Fraction(frame) * sample_rate / fps)


def sample_at(us: int, sample_rate: int) -> int:
    """The sample nearest to `us` (output time), for sound placed freely rather than on picture frames."""
    return round(Fraction(us) * sample_rate / US_PER_SECOND)


def _shot_name(number: int, shot: Shot) -> str:
    return f"Shot {number} ({shot.title})" if shot.title else f"Shot {number}"
