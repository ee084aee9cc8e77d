"""`shotline captions`: make the film's captions from its dialogue lines, list them, and edit them as the timeline's
captions lane does (move, trim, split, words, add, delete). Captions are named by their 1-based number in `list`.

Each command that changes something prints the captions as they now are, so a script sees what happened.
"""

from __future__ import annotations

import click

from shotline.cli.params import TIME
from shotline.cli.session_scope import editing, looking, saved
from shotline.core import commands
from shotline.core.model import Caption, Project
from shotline.core.timecode import format_time
from shotline.services.captions import make_captions
from shotline.services.session import ProjectSession


def _line(number: int, caption: Caption) -> str:
    who = f"{caption.speaker}: " if caption.speaker else ""
    mark = "  (edited)" if caption.edited else ""
    return f"{number:>3}  {format_time(caption.start_us)} – {format_time(caption.end_us)}  {who}{caption.text}{mark}"


def _echo_all(session: ProjectSession) -> None:
    saved(session)
    captions = session.project.captions
    if not captions:
        click.echo("No captions yet: give the shots dialogue lines (shotline line add), then shotline captions make.")
    for number, caption in enumerate(captions, start=1):
        click.echo(_line(number, caption))


def _caption(project: Project, number: int) -> Caption:
    if not 1 <= number <= len(project.captions):
        raise click.BadParameter(
            f"the film has {len(project.captions)} captions; give a number from `shotline captions list`",
            param_hint="CAPTION",
        )
    return project.captions[number - 1]


@click.group()
def captions() -> None:
    """The film's captions: made from the dialogue lines, timed to their voices."""


@captions.command("make")
@click.argument("project")
def captions_make(project: str) -> None:
    """Make the captions from the dialogue lines: each timed to its voice on the voice-over lane, else spread over
    its shot. Captions you edited (or added) are kept as they are."""
    with editing(project) as session:
        make_captions(session)
        _echo_all(session)


@captions.command("list")
@click.argument("project")
def captions_list(project: str) -> None:
    """The captions in time order, numbered."""
    with looking(project) as session:
        _echo_all(session)


@captions.command("add")
@click.argument("project")
@click.argument("start", type=TIME)
@click.argument("end", type=TIME)
@click.argument("text")
def captions_add(project: str, start: int, end: int, text: str) -> None:
    """Add a caption of your own from START to END (timeline times, e.g. 1.5 or 0:01.500)."""
    with editing(project) as session:
        session.execute(commands.add_caption(start, end, text))
        _echo_all(session)


@captions.command("edit")
@click.argument("project")
@click.argument("number", metavar="CAPTION", type=int)
@click.option("--text", default=None, help="New words.")
@click.option("--at", "at", type=TIME, default=None, help="Move it to start here, keeping its length.")
@click.option("--from", "start", type=TIME, default=None, help="Trim: where it starts.")
@click.option("--to", "end", type=TIME, default=None, help="Trim: where it ends.")
def captions_edit(
    project: str, number: int, text: str | None, at: int | None, start: int | None, end: int | None
) -> None:
    """Change a caption's words, move it, or trim it."""
    if text is None and at is None and start is None and end is None:
        raise click.UsageError("Nothing to change; give --text, --at, --from or --to.")
    with editing(project) as session:
        caption = _caption(session.project, number)
        if text is not None:
            session.execute(commands.set_caption_text(caption.id, text))
        if at is not None:
            session.execute(commands.move_caption(caption.id, at))
        if start is not None or end is not None:
            now = next(c for c in session.project.captions if c.id == caption.id)
            session.execute(
                commands.trim_caption(
                    caption.id, now.start_us if start is None else start, now.end_us if end is None else end
                )
            )
        _echo_all(session)


@captions.command("split")
@click.argument("project")
@click.argument("number", metavar="CAPTION", type=int)
@click.argument("at", type=TIME)
def captions_split(project: str, number: int, at: int) -> None:
    """Cut a caption in two at AT (a timeline time inside it), its words shared between the two."""
    with editing(project) as session:
        session.execute(commands.split_caption(_caption(session.project, number).id, at))
        _echo_all(session)


@captions.command("remove")
@click.argument("project")
@click.argument("number", metavar="CAPTION", type=int)
def captions_remove(project: str, number: int) -> None:
    """Delete a caption."""
    with editing(project) as session:
        session.execute(commands.remove_caption(_caption(session.project, number).id))
        _echo_all(session)


COMMANDS = [captions]
