"""Marker edits: pure functions from a project to a project, like every edit (DESIGN §3).

Markers stay in time order, one to a moment: marking where a marker already is changes nothing. A marker is a moment
of the shot it is on, and `follow` keeps it there through every edit of the shots' timing.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from shotline.core.errors import EditError
from shotline.core.model import Marker, Project
from shotline.core.timecode import frame_index, frame_time_us
from shotline.core.timeline import Placement, layout


def add_marker(project: Project, marker: Marker) -> Project:
    if marker.at_us < 0:
        raise EditError("A marker cannot go before the start of the film.")
    if any(existing.at_us == marker.at_us for existing in project.markers):
        return project
    return replace(project, markers=tuple(sorted((*project.markers, marker), key=lambda m: m.at_us)))


def remove_marker(project: Project, marker_id: str) -> Project:
    kept = tuple(marker for marker in project.markers if marker.id != marker_id)
    if len(kept) == len(project.markers):
        raise EditError("That marker is no longer on the timeline.")
    return replace(project, markers=kept)


def follow(old: Project, new: Project) -> Project:
    """`new`, an edit of `old`, with each marker moved with the shot it was on in `old`, as Resolve's clip markers
    move with their clip and Kdenlive's guides with a ripple edit. Applied by `History` to every edit, so no edit
    has to know about markers, and undo and redo get them back exactly (they are part of each snapshot).

    Where a marker goes in `new`:
    - on a shot still in the film, showing the same take: at the same moment of the take's source, wherever the
      shot now starts (a trim before it, a move, a crossfade or another shot's new length slides it with the shot);
    - the moment was trimmed off that shot: on the shot's nearest moment still kept (its first frame, or its last),
      so it never lands on another shot's picture; if a split put the moment on the new second shot, there;
    - the shot now shows another take, or none: as far into the shot as it was, cut to the shot's length;
    - its shot was deleted: where that shot was, on the cut that closed over it (the end of the film if it was last),
      so its name stays near the story it marked;
    - it was on no shot (at or past the film's end): at the same film time, clamped to the film's new end, so it
      never points past the film.
    Markers that land on one moment are all kept (their names are the creator's). An edit of the markers themselves
    (adding, removing) places them itself: `new` is returned as it is, as it is when no shot's timing changed.
    """
    if not new.markers or new.markers != old.markers:
        return new
    before, after = layout(old), layout(new)
    if _timing(before) == _timing(after):
        return new
    fps = new.settings.fps
    end_us = after[-1].end_us if after else 0
    moved = (replace(m, at_us=_place(m.at_us, before, after, end_us, fps)) for m in new.markers)
    return replace(new, markers=tuple(sorted(moved, key=lambda m: m.at_us)))


def _timing(placements: tuple[Placement, ...]) -> list[tuple[object, ...]]:
    """What decides where a moment of a shot is on the film: each shot, its take, its trim and its place."""
    return [
        (p.shot.id, p.take.id if p.take else None, p.take.trim if p.take else None, p.start_us, p.duration_us)
        for p in placements
    ]


def _place(at_us: int, before: tuple[Placement, ...], after: tuple[Placement, ...], end_us: int, fps: Fraction) -> int:
    # the shot showing at_us: in a crossfade, the incoming one (as the preview cuts to it where the fade begins)
    was = next((p for p in before if at_us < p.cut_us), None)
    if was is None:
        return min(at_us, end_us)
    now = {p.shot.id: p for p in after}
    shot = now.get(was.shot.id)
    if shot is None:  # deleted: where it was, the start of the next shot still in the film
        later = before[before.index(was) + 1 :]
        return next((now[p.shot.id].start_us for p in later if p.shot.id in now), end_us)
    if was.take is None or shot.take is None or shot.take.id != was.take.id:
        return _within(shot, shot.start_us + at_us - was.start_us, fps)
    source_us = was.take.trim.in_us + at_us - was.start_us
    split_off = (p for p in after if p.shot.id not in {o.shot.id for o in before})
    for holder in (shot, *split_off):
        take = holder.take
        if take is not None and take.media == was.take.media and take.trim.in_us <= source_us < take.trim.out_us:
            return holder.clock_time(source_us)
    return _within(shot, shot.clock_time(source_us), fps)


def _within(shot: Placement, at_us: int, fps: Fraction) -> int:
    """`at_us` moved onto `shot`: its first frame at the earliest, its last frame's start at the latest."""
    last = max(frame_time_us(frame_index(shot.end_us, fps) - 1, fps), shot.start_us)
    return min(max(at_us, shot.start_us), last)
