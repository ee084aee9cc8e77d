"""`shotline line`: what is said in a shot — its dialogue lines, each with who says it.

A shot is named by its id or position, a line by its id or its position among the shot's lines (as `line list` shows
them). A speaker is a cast member ("@Mara", or "Mara" when the cast has her) or any name typed ("Harbourmaster").
Each command that changes a line prints the shot's lines as they now are, and says when the shot's model cannot
speak them (they are then not sent; a voice can say them).
"""

from __future__ import annotations

import json
from typing import Any

import click

from shotline.cli.session_scope import editing, looking, saved
from shotline.core import commands, dialogue
from shotline.core.model import DialogueLine, Project, Shot
from shotline.services.context import open_context
from shotline.services.session import ProjectSession
from shotline.services.shot_fit import fit_shot
from shotline.services.shots import model_info


def _said(project: Project, line: DialogueLine) -> str:
    member = dialogue.speaker_member(project, line)
    who = f"@{member.name}" if member else line.speaker or "(nobody named)"
    words = json.dumps(line.text, ensure_ascii=False) if line.text.strip() else "(unwritten: not sent or spoken)"
    return f"{who}  {words}"


def _shot_lines(project: Project, shot: Shot) -> list[str]:
    number = project.index_of(shot.id) + 1
    title = f' "{shot.title}"' if shot.title else ""
    if not shot.dialogue:
        return [f"Shot {number}{title}: no lines."]
    said = [f"{n:>3}  {line.id[:8]}  {_said(project, line)}" for n, line in enumerate(shot.dialogue, start=1)]
    return [f"Shot {number}{title}:", *said]


def _json(project: Project, shot: Shot) -> dict[str, Any]:
    def line_json(line: DialogueLine) -> dict[str, Any]:
        return {
            "id": line.id,
            "text": line.text,
            "speaker": dialogue.speaker_name(project, line),
            "member_id": line.member_id,
        }

    return {"shot": project.index_of(shot.id) + 1, "shot_id": shot.id, "lines": [line_json(x) for x in shot.dialogue]}


def _echo(session: ProjectSession, shot_id: str) -> None:
    """Save, then print the shot's lines, and why its model will not be sent them, if it will not."""
    saved(session)
    project = session.project
    shot = project.shot(shot_id)
    click.echo("\n".join(_shot_lines(project, shot)))
    with open_context() as ctx:
        model = model_info(ctx.registry, shot.generation)
        unspoken = fit_shot(shot, model).unspoken if model is not None else ""
    if unspoken:
        click.echo(unspoken)


@click.group()
def line() -> None:
    """A shot's dialogue lines: who says what. Models that speak are sent them; a voice can say them."""


@line.command("add")
@click.argument("project")
@click.argument("shot_ref", metavar="SHOT")
@click.argument("text")
@click.option("--by", "who", default="", help='Who says it: a cast member ("@Mara") or any name ("Narrator").')
@click.option(
    "--at", "position", type=click.IntRange(min=1), default=None, help="Its place among the lines (1 = first)."
)
def line_add(project: str, shot_ref: str, text: str, who: str, position: int | None) -> None:
    """Add a line TEXT to SHOT (id or position), last unless --at says where."""
    with editing(project) as session:
        shot = session.project.shot(shot_ref)
        speaker, member_id = dialogue.said_by(session.project, who)
        index = None if position is None else position - 1
        session.execute(commands.add_line(shot.id, text, speaker=speaker, member_id=member_id, index=index))
        _echo(session, shot.id)


@line.command("list")
@click.argument("project")
@click.argument("shot_ref", metavar="[SHOT]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def line_list(project: str, shot_ref: str | None, as_json: bool) -> None:
    """List the lines of SHOT, or of every shot that has any."""
    with looking(project) as session:
        now = session.project
        shots = [now.shot(shot_ref)] if shot_ref else [shot for shot in now.shots if shot.dialogue]
        if as_json:
            click.echo(json.dumps([_json(now, shot) for shot in shots], indent=2, ensure_ascii=False))
        elif not shots:
            click.echo("No shot has lines yet; add one with `shotline line add PROJECT SHOT TEXT`.")
        else:
            click.echo("\n".join(text for shot in shots for text in _shot_lines(now, shot)))


@line.command("edit")
@click.argument("project")
@click.argument("shot_ref", metavar="SHOT")
@click.argument("line_ref", metavar="LINE")
@click.option("--text", default=None, help="Its new words.")
@click.option("--by", "who", default=None, help='Who says it now: "@Mara", any name, or "" for nobody named.')
def line_edit(project: str, shot_ref: str, line_ref: str, text: str | None, who: str | None) -> None:
    """Change LINE (id or position) of SHOT: its words, who says it, or both."""
    if text is None and who is None:
        raise click.UsageError("Say what to change: --text, --by, or both.")
    with editing(project) as session:
        shot = session.project.shot(shot_ref)
        line_id = dialogue.line_of(shot, line_ref).id
        if text is not None:
            session.execute(commands.edit_line(shot.id, line_id, text=text))
        if who is not None:
            speaker, member_id = dialogue.said_by(session.project, who)
            changed = {"member_id": member_id} if member_id is not None else {"speaker": speaker}
            session.execute(commands.edit_line(shot.id, line_id, **changed))
        _echo(session, shot.id)


@line.command("move")
@click.argument("project")
@click.argument("shot_ref", metavar="SHOT")
@click.argument("line_ref", metavar="LINE")
@click.argument("position", type=click.IntRange(min=1))
def line_move(project: str, shot_ref: str, line_ref: str, position: int) -> None:
    """Move LINE of SHOT to POSITION among its lines (1 = said first)."""
    with editing(project) as session:
        shot = session.project.shot(shot_ref)
        session.execute(commands.move_line(shot.id, dialogue.line_of(shot, line_ref).id, position - 1))
        _echo(session, shot.id)


@line.command("remove")
@click.argument("project")
@click.argument("shot_ref", metavar="SHOT")
@click.argument("line_ref", metavar="LINE")
def line_remove(project: str, shot_ref: str, line_ref: str) -> None:
    """Remove LINE (id or position) from SHOT."""
    with editing(project) as session:
        shot = session.project.shot(shot_ref)
        session.execute(commands.remove_line(shot.id, dialogue.line_of(shot, line_ref).id))
        _echo(session, shot.id)


COMMANDS = [line]
