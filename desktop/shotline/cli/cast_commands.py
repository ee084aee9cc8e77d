"""`shotline cast`: the project's cast and places — characters, places, props and looks a prompt mentions as @Name.

A member is named by its name (with or without "@", any case) or its id. Each command that changes one prints it as
it now is; a rename says which shots' prompts it rewrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from shotline.cli.params import TIME
from shotline.cli.session_scope import editing, looking, saved
from shotline.core.model import CastKind, CastMember, Project
from shotline.services import cast as cast_service
from shotline.services.session import ProjectSession

KIND = click.Choice([kind.value for kind in CastKind], case_sensitive=False)


def _line(project: Project, member: CastMember) -> str:
    pictures = len(member.images)
    shots = cast_service.shots_mentioning(project, member)
    where = f"in shot{'s' if len(shots) > 1 else ''} {', '.join(map(str, shots))}" if shots else "in no prompt yet"
    said = f" — {member.description}" if member.description else ""
    return f"@{member.name}  ({member.kind.value}, {pictures} picture{'' if pictures == 1 else 's'}, {where}){said}"


def _json(project: Project, member: CastMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "name": member.name,
        "kind": member.kind.value,
        "description": member.description,
        "images": list(member.images),
        "shots": cast_service.shots_mentioning(project, member),
    }


def _echo(session: ProjectSession, member: CastMember) -> None:
    saved(session)
    project = session.project
    click.echo(_line(project, project.member(member.id)))


@click.group()
def cast() -> None:
    """The cast and places: characters, places, props and looks, with pictures, mentioned in prompts as @Name."""


@cast.command("add")
@click.argument("project")
@click.argument("name")
@click.option("--kind", type=KIND, default=CastKind.CHARACTER.value, show_default=True, help="What it is.")
@click.option(
    "--description", default="", help="A short description (written into prompts for models without pictures)."
)
@click.option(
    "--image",
    "images",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A reference picture (PNG, JPEG, WebP); repeat for more.",
)
def cast_add(project: str, name: str, kind: str, description: str, images: tuple[Path, ...]) -> None:
    """Add NAME to the cast, with its pictures copied into the project."""
    with editing(project) as session:
        member = cast_service.add_member(session, name, CastKind(kind.lower()), description, images)
        _echo(session, member)


@cast.command("list")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def cast_list(project: str, as_json: bool) -> None:
    """List the cast and places, with the shots whose prompts mention each."""
    with looking(project) as session:
        now = session.project
        if as_json:
            click.echo(json.dumps([_json(now, member) for member in now.cast], indent=2, ensure_ascii=False))
            return
        if not now.cast:
            click.echo("No cast or places yet; add one with `shotline cast add PROJECT NAME`.")
        for member in now.cast:
            click.echo(_line(now, member))


@cast.command("rename")
@click.argument("project")
@click.argument("member")
@click.argument("name")
def cast_rename(project: str, member: str, name: str) -> None:
    """Rename MEMBER to NAME, rewriting every @mention of it in every prompt."""
    with editing(project) as session:
        before = session.project
        renamed = cast_service.rename(session, member, name)
        changed = [
            n for n, (old, new) in enumerate(zip(before.shots, session.project.shots, strict=True), 1) if old != new
        ]
        _echo(session, renamed)
        if changed:
            click.echo(f"Rewrote the mentions in shot{'s' if len(changed) > 1 else ''} {', '.join(map(str, changed))}.")


@cast.command("describe")
@click.argument("project")
@click.argument("member")
@click.argument("description")
def cast_describe(project: str, member: str, description: str) -> None:
    """Set MEMBER's short description."""
    with editing(project) as session:
        _echo(session, cast_service.describe(session, member, description))


@cast.command("remove")
@click.argument("project")
@click.argument("member")
def cast_remove(project: str, member: str) -> None:
    """Remove MEMBER from the cast; prompts that mention it keep their words."""
    with editing(project) as session:
        removed = cast_service.remove(session, member)
        saved(session)
        click.echo(f"Removed @{removed.name} from the cast; its pictures stay in the project's media.")


@cast.group("image")
def cast_image() -> None:
    """A cast member's reference pictures: add files, take a take's frame, remove one."""


@cast_image.command("add")
@click.argument("project")
@click.argument("member")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def cast_image_add(project: str, member: str, files: tuple[Path, ...]) -> None:
    """Add picture FILES (PNG, JPEG, WebP) to MEMBER, after its others."""
    with editing(project) as session:
        _echo(session, cast_service.add_pictures(session, member, files))


@cast_image.command("frame")
@click.argument("project")
@click.argument("member")
@click.argument("shot")
@click.option("--take", "take_ref", default=None, help="The take (id or number; default the shot's picked take).")
@click.option("--at", "at", type=TIME, default=None, help="When in the take (default the middle of what plays).")
def cast_image_frame(project: str, member: str, shot: str, take_ref: str | None, at: int | None) -> None:
    """Add a frame of SHOT's take to MEMBER's pictures."""
    with editing(project) as session:
        chosen = session.project.shot(shot)
        if take_ref is None:
            if chosen.picked_take is None:
                raise click.UsageError(f"Shot {shot} has no take yet; generate or import one, or give --take.")
            take_ref = chosen.picked_take.id
        _echo(session, cast_service.add_frame(session, member, chosen.id, take_ref, at))


@cast_image.command("remove")
@click.argument("project")
@click.argument("member")
@click.argument("picture")
def cast_image_remove(project: str, member: str, picture: str) -> None:
    """Take PICTURE (its number in MEMBER's pictures, or its media path) off MEMBER; the file stays in the project."""
    with editing(project) as session:
        _echo(session, cast_service.remove_picture(session, member, picture))


COMMANDS = [cast]
