"""Where each shot sits on the timeline: the picked takes in shot order, end to end, in exact microseconds.

A crossfade overlaps a shot with the next one: the next shot starts that much before this one ends.

How long the film is has one answer, `film_frames`: the film's exact end rounded to a whole frame of the export's
rate, as the export renders it. Every length a creator is shown is that many frames (`film_length_us`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise

from shotline.core.model import Project, Shot, Take, Trim, transition_overlap_us
from shotline.core.timecode import format_fps, format_time, frame_index, frame_time_us


@dataclass(frozen=True, slots=True)
class Span:
    """A take (or nothing, for a shot without one) playing on some clock during [start_us, end_us)."""

    take: Take | None
    start_us: int
    duration_us: int

    @property
    def end_us(self) -> int:
        return self.start_us + self.duration_us

    def source_time(self, clock_us: int) -> int | None:
        """The take's source time shown at `clock_us` (clamped into the span), None without a take."""
        if self.take is None:
            return None
        return self.take.trim.in_us + min(max(clock_us - self.start_us, 0), self.duration_us)

    def clock_time(self, source_us: int) -> int:
        """The clock time at which the take's source time `source_us` plays."""
        in_us = self.take.trim.in_us if self.take else 0
        return self.start_us + min(max(source_us - in_us, 0), self.duration_us)


@dataclass(frozen=True, slots=True)
class Placement(Span):
    """A shot on the timeline clock."""

    shot: Shot = field(kw_only=True)
    overlap_out_us: int = field(default=0, kw_only=True)
    """How long this shot crossfades into the next one (the next starts this much before this one ends)."""

    @property
    def cut_us(self) -> int:
        """Where a preview without transitions cuts to the next shot: where the crossfade begins."""
        return self.end_us - self.overlap_out_us


def layout(project: Project) -> tuple[Placement, ...]:
    placements = []
    start = 0
    shots = project.shots
    for index, shot in enumerate(shots):
        overlap = transition_overlap_us(shot, shots[index + 1]) if index + 1 < len(shots) else 0
        placements.append(Placement(shot.picked_take, start, shot.duration_us, shot=shot, overlap_out_us=overlap))
        start += shot.duration_us - overlap
    return tuple(placements)


def placement_at(project: Project, timeline_us: int) -> Placement | None:
    """The shot playing at `timeline_us` (the last one at or after the end), None for an empty project."""
    placements = layout(project)
    for placement in placements:
        if timeline_us < placement.cut_us:
            return placement
    return placements[-1] if placements else None


def start_of(project: Project, shot_id: str) -> int:
    return next(p.start_us for p in layout(project) if p.shot.id == shot_id)


def film_window(project: Project, wanted: Trim | None = None) -> Trim:
    """The timeline time a film covers: from 0 to where the last shot ends, or the range `wanted` cut to that.

    A shot without a take counts its requested length. Sound clips may run past the end; the film ends with
    the picture.
    """
    placements = layout(project)
    end_us = placements[-1].end_us if placements else 0
    if wanted is None:
        return Trim(0, end_us)
    return Trim(max(0, wanted.in_us), min(end_us, wanted.out_us))


def film_frames(project: Project, fps: Fraction | None = None, wanted: Trim | None = None) -> int:
    """How many frames the film (or its range `wanted`) lasts at `fps`, the project's rate unless given.

    Exactly the frames the export renders: shots sit at exact times, and only the film's end is rounded, to the
    nearest frame (a 2.52 s clip at 25 fps lasts 60 frames at 24 fps, not 60.48), so rounding never adds up.
    """
    window = film_window(project, wanted)
    return max(frame_index(window.duration_us, fps or project.settings.fps), 0)


def film_length_us(project: Project, fps: Fraction | None = None, wanted: Trim | None = None) -> int:
    """The film's length as a creator is shown it: `film_frames` frames at `fps`, in whole microseconds."""
    rate = fps or project.settings.fps
    return frame_time_us(film_frames(project, rate, wanted), rate)


def length_frames(duration_us: int, fps: Fraction) -> int:
    """How many frames of `fps` a shot or take lasting `duration_us` fills: the nearest whole frame, as the film's
    end is rounded."""
    return max(frame_index(duration_us, fps), 0)


def format_length(duration_us: int, fps: Fraction) -> str:
    """A shot's or take's length as the creator reads it everywhere (inspector, take rows, the timeline's trim
    readout): its whole frames at the project's rate `fps`, in seconds to the millisecond, `3.042 s`.

    One function so the views agree: they once showed 4.0 s, 3.0 s and 3.042 s for the same shot.
    """
    seconds = f"{frame_time_us(length_frames(duration_us, fps), fps) / 1_000_000:.3f}".rstrip("0").rstrip(".")
    return f"{seconds} s"


def describe_film_length(project: Project, fps: Fraction | None = None) -> str:
    """How long the film is, in words for messages: `00:00:15.750 (378 frames at 24 fps)`."""
    rate = fps or project.settings.fps
    frames = film_frames(project, rate)
    return f"{format_time(frame_time_us(frames, rate))} ({frames} frames at {format_fps(rate)} fps)"


@dataclass(frozen=True, slots=True)
class Crossfade:
    """Two neighbouring shots blended over `frames` frames (of the rate it was asked at), as the export blends them."""

    outgoing: Placement
    incoming: Placement
    frames: int


def crossfades(project: Project, fps: Fraction | None = None) -> tuple[Crossfade, ...]:
    """The film's crossfades. Each lasts from the frame the incoming shot starts on to the one the outgoing shot
    ends on (both rounded from exact time, as the export places them); one shorter than half a frame is a cut."""
    rate = fps or project.settings.fps
    found = []
    for outgoing, incoming in pairwise(layout(project)):
        frames = frame_index(outgoing.end_us, rate) - frame_index(incoming.start_us, rate)
        if outgoing.overlap_out_us > 0 and frames > 0:
            found.append(Crossfade(outgoing, incoming, frames))
    return tuple(found)
