"""Where each shot sits on the timeline: the picked takes in shot order, end to end, in exact microseconds.

A crossfade overlaps a shot with the next one: the next shot starts that much before this one ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shotline.core.model import Project, Shot, Take, transition_overlap_us


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
