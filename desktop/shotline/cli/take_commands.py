"""take delete / take deleted / take restore: a take leaves its shot only by a deliberate delete, which keeps it and
its clip in the project (a generated take may have been paid for), so it can be put back — as in the window."""

from __future__ import annotations

import json
import shlex

import click

from shotline.cli.naming import named
from shotline.cli.session_scope import editing, looking, saved
from shotline.core.model import Project, RemovedTake
from shotline.services import editing as edits
from shotline.services.take_origin import take_origin


def _from(project: Project, removed: RemovedTake) -> str:
    if project.has_shot(removed.shot_id):
        return named(project.index_of(removed.shot_id) + 1, project.shot(removed.shot_id))
    return "a shot deleted since"


@click.group()
def take() -> None:
    """Delete a shot's take (kept, restorable), list the deleted takes, restore one."""


@take.command("delete")
@click.argument("project")
@click.argument("shot")
@click.argument("take_ref", metavar="TAKE")
def take_delete(project: str, shot: str, take_ref: str) -> None:
    """Take TAKE (id or 1-based number) out of SHOT; it and its clip stay in the project for `take restore`."""
    with editing(project) as session:
        removed = edits.delete_take(session, shot, take_ref)
        saved(session)
        number = len(session.project.removed_takes)
        where = _from(session.project, removed)
        click.echo(f"Deleted a take of {where} ({take_origin(removed.take)}); its clip stays in the project.")
        click.echo(f"To put it back: shotline take restore {shlex.quote(project)} {number}")


@take.command("deleted")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def take_deleted(project: str, as_json: bool) -> None:
    """List the deleted takes, numbered for `take restore`, oldest first."""
    with looking(project) as session:
        project_now = session.project
        rows = [
            {
                "number": number,
                "take_id": removed.take.id,
                "shot_id": removed.shot_id,
                "from": _from(project_now, removed),
                "source": take_origin(removed.take),
                "media": removed.take.media,
                "was_picked": removed.picked,
            }
            for number, removed in enumerate(project_now.removed_takes, start=1)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No take has been deleted.")
    for row in rows:
        picked = ", was picked" if row["was_picked"] else ""
        click.echo(f"{row['number']}. from {row['from']}: {row['source']}{picked} — {row['media']}")


@take.command("restore")
@click.argument("project")
@click.argument("take_ref", metavar="TAKE")
@click.option("--to", "to_shot", default=None, help="The shot to put it on (default: the one it was deleted from).")
def take_restore(project: str, take_ref: str, to_shot: str | None) -> None:
    """Put deleted take TAKE (its number in `take deleted`, or its id) back on its shot, or on --to SHOT."""
    with editing(project) as session:
        removed = edits.restore_take(session, take_ref, to_shot)
        saved(session)
        target = to_shot or removed.shot_id
        shot = session.project.shot(target)
        number = session.project.index_of(shot.id) + 1
        position = [t.id for t in shot.takes].index(removed.take.id) + 1
        picked = " and picked" if shot.picked_take_id == removed.take.id else ""
        click.echo(f"Restored take {position} of {named(number, shot)}{picked} ({take_origin(removed.take)}).")


COMMANDS = [take]
