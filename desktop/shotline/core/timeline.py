"""Where each shot sits on the timeline: the picked takes in shot order, end to end, in exact microseconds."""

from __future__ import annotations

from dataclasses import dataclass

from shotline.core.model import Project, Shot, Take


@dataclass(frozen=True, slots=True)
class Placement:
    shot: Shot
    take: Take | None
    start_us: int
    duration_us: int

    @property
    def end_us(self) -> int:
        return self.start_us + self.duration_us

    def source_time(self, timeline_us: int) -> int | None:
        """The take's source time shown at `timeline_us`, or None for a shot without a take."""
        if self.take is None:
            return None
        return self.take.trim.in_us + min(max(timeline_us - self.start_us, 0), self.duration_us)


def layout(project: Project) -> tuple[Placement, ...]:
    placements = []
    start = 0
    for shot in project.shots:
        placements.append(Placement(shot, shot.picked_take, start, shot.duration_us))
        start += shot.duration_us
    return tuple(placements)


def placement_at(project: Project, timeline_us: int) -> Placement | None:
    """The shot playing at `timeline_us` (the last one at or after the end), None for an empty project."""
    placements = layout(project)
    for placement in placements:
        if timeline_us < placement.end_us:
            return placement
    return placements[-1] if placements else None


def start_of(project: Project, shot_id: str) -> int:
    return next(p.start_us for p in layout(project) if p.shot.id == shot_id)
