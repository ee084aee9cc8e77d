"""Edits as the creator names them: shots by id or position, times already parsed to microseconds."""

from __future__ import annotations

from shotline.core import commands
from shotline.core.errors import EditError, UnknownTake
from shotline.core.model import GenerationSettings, RemovedTake, Shot, new_id
from shotline.services.session import ProjectSession


def add_shot(
    session: ProjectSession, prompt: str, *, title: str = "", generation: GenerationSettings | None = None
) -> Shot:
    shot = Shot(id=new_id(), prompt=prompt, title=title, generation=generation or GenerationSettings())
    session.execute(commands.add_shot(shot))
    return shot


def trim(session: ProjectSession, shot_ref: str, in_us: int, out_us: int) -> None:
    session.execute(commands.trim_shot(session.project.shot(shot_ref).id, in_us, out_us))


def move(session: ProjectSession, shot_ref: str, position: int) -> None:
    """Move a shot to a 1-based position; one past the list is refused, not taken to mean the end."""
    shot = session.project.shot(shot_ref)
    count = len(session.project.shots)
    if not 1 <= position <= count:
        raise EditError(
            f"There is no position {position}: the film has {count} shot{'s' if count != 1 else ''}, "
            f"so a shot can move to a position from 1 to {count}."
        )
    session.execute(commands.move_shot(shot.id, position - 1))


def split(session: ProjectSession, shot_ref: str, at_us: int) -> str:
    """Split a shot `at_us` into its playing time; returns the new second half's id."""
    shot = session.project.shot(shot_ref)
    session.execute(commands.split_shot(shot.id, at_us))
    project = session.project
    return project.shots[project.index_of(shot.id) + 1].id


def pick(session: ProjectSession, shot_ref: str, take_ref: str) -> None:
    shot = session.project.shot(shot_ref)
    session.execute(commands.pick_take(shot.id, shot.take(take_ref).id))


def remove(session: ProjectSession, shot_ref: str) -> None:
    session.execute(commands.remove_shot(session.project.shot(shot_ref).id))


def delete_take(session: ProjectSession, shot_ref: str, take_ref: str) -> RemovedTake:
    """Delete a take from a shot as one undoable step: it goes to the project's deleted takes, its clip kept."""
    shot = session.project.shot(shot_ref)
    session.execute(commands.remove_take(shot.id, shot.take(take_ref).id))
    return session.project.removed_takes[-1]


def restore_take(session: ProjectSession, take_ref: str, to_shot: str | None = None) -> RemovedTake:
    """Put a deleted take back as one undoable step: on the shot it came from, or on `to_shot`.

    `take_ref` is its id or its 1-based number among the project's deleted takes, oldest first."""
    deleted = session.project.removed_takes
    removed = next((r for r in deleted if r.take.id == take_ref), None)
    if removed is None and take_ref.isdigit() and 1 <= int(take_ref) <= len(deleted):
        removed = deleted[int(take_ref) - 1]
    if removed is None:
        raise UnknownTake(
            f"This project has no deleted take {take_ref!r}; give its id or a number from 1 to {len(deleted)}."
            if deleted
            else "No take of this project has been deleted."
        )
    target = session.project.shot(to_shot).id if to_shot else None
    session.execute(commands.restore_take(removed.take.id, target))
    return removed
