"""Pure edits: each takes a Project and returns a new one, or raises an EditError that says why not.

Ids for new objects are passed in (or derived from ids passed in), so the same edit on the same project always
gives the same result. Trims land on the source's frames.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from shotline.core.errors import EditError, InvalidTrim
from shotline.core.model import GenerationSettings, Project, ProjectSettings, RemovedTake, Shot, Take, Trim
from shotline.core.timecode import format_time, frame_duration_us, snap_to_frame

_DERIVED = uuid.UUID("6f1d2c1e-5b7a-4f7e-9c55-2a1f5d1b0a11")


def derived_id(*parts: str) -> str:
    """A stable id for an object made from others (a duplicated or split take)."""
    return str(uuid.uuid5(_DERIVED, "/".join(parts)))


def with_shot(project: Project, shot_id: str, change: Callable[[Shot], Shot]) -> Project:
    index = project.index_of(shot_id)
    shots = list(project.shots)
    shots[index] = change(shots[index])
    return replace(project, shots=tuple(shots))


def add_shot(project: Project, shot: Shot, index: int | None = None) -> Project:
    if project.has_shot(shot.id):
        raise EditError(f"A shot with id {shot.id} is already in the project.")
    shots = list(project.shots)
    shots.insert(len(shots) if index is None else max(0, min(index, len(shots))), shot)
    return replace(project, shots=tuple(shots))


def duplicate_shot(project: Project, shot_id: str, new_shot_id: str) -> Project:
    """Insert a copy of a shot right after it; its takes and lines are copied too (same media and words, new ids)."""
    shot = project.shot(shot_id)
    takes = tuple(replace(t, id=derived_id(new_shot_id, t.id)) for t in shot.takes)
    picked = derived_id(new_shot_id, shot.picked_take_id) if shot.picked_take_id else None
    lines = tuple(replace(line, id=derived_id(new_shot_id, line.id)) for line in shot.dialogue)
    copy = replace(shot, id=new_shot_id, takes=takes, picked_take_id=picked, dialogue=lines)
    return add_shot(project, copy, project.index_of(shot_id) + 1)


def remove_shot(project: Project, shot_id: str) -> Project:
    """Take a shot out of the film. Its takes wait among the deleted takes (their clips may have been paid for), so
    Restore take… can put them on another shot after the undo history is gone."""
    shot = project.shots[project.index_of(shot_id)]
    kept = tuple(RemovedTake(shot.id, take, picked=take.id == shot.picked_take_id) for take in shot.takes)
    return replace(
        project,
        shots=tuple(s for s in project.shots if s.id != shot_id),
        removed_takes=(*project.removed_takes, *kept),
    )


def move_shot(project: Project, shot_id: str, to_index: int) -> Project:
    """Move a shot to a 0-based position (clamped to the list)."""
    index = project.index_of(shot_id)
    shots = list(project.shots)
    shot = shots.pop(index)
    shots.insert(max(0, min(to_index, len(shots))), shot)
    return replace(project, shots=tuple(shots))


def _picked(shot: Shot) -> Take:
    take = shot.picked_take
    if take is None:
        raise EditError(f"Shot {shot.title or shot.id} has no take yet; generate or import one first.")
    return take


def checked_trim(take: Take, in_us: int, out_us: int) -> Trim:
    """Snap a trim to the take's frames and check it lies inside the clip and keeps at least one frame."""
    length = take.info.duration_us
    if in_us < 0 or out_us > length + 1000 or in_us >= out_us:
        raise InvalidTrim(
            f"The trim {format_time(in_us)}–{format_time(out_us)} is outside the clip, "
            f"which runs 00:00:00.000–{format_time(length)}; in must come before out."
        )
    fps = take.info.fps
    if fps is not None:
        in_us, out_us = snap_to_frame(in_us, fps), min(snap_to_frame(out_us, fps), length)
        if out_us - in_us < frame_duration_us(fps) - 1:
            raise InvalidTrim("A trim must keep at least one frame.")
    return Trim(in_us, min(out_us, length))


def _with_take(shot: Shot, take_id: str, change: Callable[[Take], Take]) -> Shot:
    shot.take(take_id)
    return replace(shot, takes=tuple(change(t) if t.id == take_id else t for t in shot.takes))


def trim_shot(project: Project, shot_id: str, in_us: int, out_us: int, take_id: str | None = None) -> Project:
    """Set the in/out points (source time) of a shot's picked take, or of `take_id`."""

    def change(shot: Shot) -> Shot:
        take = shot.take(take_id) if take_id else _picked(shot)
        trim = checked_trim(take, in_us, out_us)
        return _with_take(shot, take.id, lambda t: replace(t, trim=trim))

    return with_shot(project, shot_id, change)


def split_shot(project: Project, shot_id: str, at_us: int, new_shot_id: str) -> Project:
    """Cut a shot in two at `at_us`, measured from the start of the shot as it plays.

    Both halves keep every take (the second half's get new ids); the picked take ends at the cut in the first
    half and starts there in the second. The lines stay with the first half: copied, they would be said twice.
    """
    shot = project.shot(shot_id)
    take = _picked(shot)
    cut = take.trim.in_us + at_us
    if take.info.fps is not None:
        cut = snap_to_frame(cut, take.info.fps)
    if not take.trim.in_us < cut < take.trim.out_us:
        raise InvalidTrim(
            f"Split point {format_time(at_us)} is not inside the shot, which plays for {format_time(take.duration_us)}."
        )
    first = _with_take(shot, take.id, lambda t: replace(t, trim=Trim(t.trim.in_us, cut)))
    second_takes = tuple(
        replace(t, id=derived_id(new_shot_id, t.id), trim=Trim(cut, t.trim.out_us) if t.id == take.id else t.trim)
        for t in shot.takes
    )
    second = replace(
        shot,
        id=new_shot_id,
        title=f"{shot.title} (2)" if shot.title else "",
        takes=second_takes,
        picked_take_id=derived_id(new_shot_id, take.id),
        dialogue=(),
    )
    project = with_shot(project, shot_id, lambda _: first)
    return add_shot(project, second, project.index_of(shot_id) + 1)


def pick_take(project: Project, shot_id: str, take_id: str) -> Project:
    return with_shot(project, shot_id, lambda s: replace(s, picked_take_id=s.take(take_id).id))


def attach_take(project: Project, shot_id: str, take: Take, pick: bool = True) -> Project:
    """Add a take to a shot (picked if asked, or if it is the first); to the library if the shot is gone."""
    if any(t.id == take.id for t in project.all_takes()):
        raise EditError(f"Take {take.id} is already in the project.")
    if not project.has_shot(shot_id):
        return replace(project, assets=(*project.assets, take))

    def change(shot: Shot) -> Shot:
        picked = take.id if pick or shot.picked_take_id is None else shot.picked_take_id
        return replace(shot, takes=(*shot.takes, take), picked_take_id=picked)

    return with_shot(project, shot_id, change)


def land_take(project: Project, shot_id: str, take: Take) -> Project:
    """A take that arrived from a job, added to its shot (picked only if the shot had none, since which take plays
    is the creator's choice); unchanged if the project already holds it. If the shot is not in the film (deleted
    meanwhile, or not made yet in an older snapshot) the take waits among the deleted takes, with the shot it was
    made for, so Restore take… can put it on any shot.

    Never raises: `History.land` applies it to every snapshot, the ones before the shot existed included."""
    if any(t.id == take.id for t in project.all_takes()):
        return project
    if not project.has_shot(shot_id):
        return replace(project, removed_takes=(*project.removed_takes, RemovedTake(shot_id, take)))
    return attach_take(project, shot_id, take, pick=False)


def keep_generated_takes(project: Project, source: Project) -> Project:
    """`project` with every generated take `source` holds and it lacks, where `source` has it (on its shot, else among
    the deleted takes). For a project from elsewhere that replaces the present one — unsaved work restored from an
    autosave written before a job's take landed — without losing paid work. (A generated take leaves a project only
    by a delete, which keeps it, so one missing was never there; an imported take may have been undone: not kept.)"""
    have = {take.id for take in project.all_takes()}
    for shot in source.shots:
        for take in shot.takes:
            if take.generation is not None and take.id not in have:
                project = land_take(project, shot.id, take)
    waiting = tuple(r for r in source.removed_takes if r.take.generation is not None and r.take.id not in have)
    return replace(project, removed_takes=(*project.removed_takes, *waiting)) if waiting else project


def remove_take(project: Project, shot_id: str, take_id: str) -> Project:
    """Take a take out of a shot into the project's deleted takes (its clip stays, it can be restored); if it was
    picked, the last remaining one is picked."""
    removed: list[RemovedTake] = []

    def change(shot: Shot) -> Shot:
        take = shot.take(take_id)
        removed.append(RemovedTake(shot.id, take, picked=shot.picked_take_id == take.id))
        takes = tuple(t for t in shot.takes if t.id != take.id)
        picked = shot.picked_take_id
        if picked == take.id:
            picked = takes[-1].id if takes else None
        return replace(shot, takes=takes, picked_take_id=picked)

    project = with_shot(project, shot_id, change)
    return replace(project, removed_takes=(*project.removed_takes, *removed))


def restore_take(project: Project, take_id: str, shot_id: str | None = None) -> Project:
    """Put a deleted take back on the shot it came from (picked again if it was picked there), or on `shot_id`."""
    removed = next((r for r in project.removed_takes if r.take.id == take_id), None)
    if removed is None:
        raise EditError(f"Take {take_id} is not among this project's deleted takes.")
    target = shot_id or removed.shot_id
    if not project.has_shot(target):
        raise EditError("The shot this take was deleted from is no longer in the film; choose a shot to restore it to.")
    rest = tuple(r for r in project.removed_takes if r is not removed)

    def change(shot: Shot) -> Shot:
        # picked again on the shot it was picked on; on another shot (or one with a take picked since) that shot's
        # own pick stays, unless it has none
        again = removed.picked and shot.id == removed.shot_id
        picked = removed.take.id if again or shot.picked_take_id is None else shot.picked_take_id
        return replace(shot, takes=(*shot.takes, removed.take), picked_take_id=picked)

    return replace(with_shot(project, target, change), removed_takes=rest)


def set_prompt(project: Project, shot_id: str, prompt: str, negative_prompt: str | None = None) -> Project:
    def change(shot: Shot) -> Shot:
        negative = shot.negative_prompt if negative_prompt is None else negative_prompt
        return replace(shot, prompt=prompt, negative_prompt=negative)

    return with_shot(project, shot_id, change)


def set_title(project: Project, shot_id: str, title: str) -> Project:
    return with_shot(project, shot_id, lambda s: replace(s, title=title))


def set_generation(project: Project, shot_id: str, settings: GenerationSettings) -> Project:
    if settings.duration_us <= 0:
        raise EditError("A shot's requested duration must be longer than zero.")
    return with_shot(project, shot_id, lambda s: replace(s, generation=settings))


def set_project_settings(project: Project, settings: ProjectSettings) -> Project:
    return replace(project, settings=settings)
