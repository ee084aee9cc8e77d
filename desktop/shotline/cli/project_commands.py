"""Commands that make and edit a project: new, add, import, trim, move, split, pick, remove, info."""

from __future__ import annotations

import json
import shlex
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from shotline.cli.naming import named
from shotline.cli.params import FPS, SIZE, TIME, new_project_path
from shotline.cli.session_scope import editing, looking, saved
from shotline.cli.shot_settings import DURATION, fitted_settings
from shotline.core.errors import MediaError, in_creator_words
from shotline.core.model import GenerationSettings, Shot, Size, Take
from shotline.core.timecode import format_time
from shotline.services import editing as edits
from shotline.services.context import open_context
from shotline.services.ledger import kinds, shot_cost
from shotline.services.session import ProjectSession
from shotline.services.take_origin import take_origin


def _say_where_takes_went(session: ProjectSession, shot: Shot) -> None:
    """The command line has no undo: say where a removed shot's takes are, so a paid clip is never lost to sight. They
    wait among the deleted takes, restorable onto another shot."""
    count = len(shot.takes)
    click.echo(
        f"Its {count} take{'s are' if count != 1 else ' is'} no longer in the film; "
        f"the clip{'s stay' if count != 1 else ' stays'} in the project folder:"
    )
    for take in shot.takes:
        click.echo(f"  {session.bundle.path / take.media}  ({take_origin(take)})")
    first = len(session.project.removed_takes) - count + 1
    where = shlex.quote(str(session.bundle.path))
    click.echo(f"To use one again: shotline take restore {where} {first} --to SHOT  (shotline take deleted lists them)")


@click.command()
@click.argument("project")
@click.option("--title", default="", help="Film title (default: the folder name).")
@click.option("--size", type=SIZE, default=None, help="Frame size, e.g. 1920x1080 (the default).")
@click.option("--fps", type=FPS, default=None, help="Frame rate, e.g. 24 (the default), 25 or 29.97.")
def new(project: str, title: str, size: Size | None, fps: Fraction | None) -> None:
    """Create an empty project folder PROJECT(.shotline)."""
    path = new_project_path(project)
    with ProjectSession.create(path, title=title, size=size, fps=fps) as session:
        click.echo(f"Created {session.bundle.path}")


@click.command()
@click.argument("project")
@click.option("--prompt", required=True, help="What the shot shows.")
@click.option("--title", default="", help="A short name for the shot.")
@click.option("--backend", default=None, help="Generation backend id (see `shotline backends`).")
@click.option("--model", default=None, help="Model id of that backend (default: the backend's first).")
@click.option("--duration", type=DURATION, default=None, help="Seconds (default: 4, or the nearest the model makes).")
@click.option("--aspect", default=None, help="Aspect ratio, e.g. 16:9, 9:16, 1:1.")
def add(
    project: str,
    prompt: str,
    title: str,
    backend: str | None,
    model: str | None,
    duration: float | None,
    aspect: str | None,
) -> None:
    """Add a shot at the end; prints its id."""
    if not prompt.strip():
        raise click.BadParameter("the prompt is empty", param_hint="--prompt")
    settings = fitted_settings(GenerationSettings(), backend=backend, model=model, duration=duration, aspect=aspect)
    with editing(project) as session:
        shot = edits.add_shot(session, prompt.strip(), title=title, generation=settings)
        saved(session)
        click.echo(shot.id)


@click.command("import")
@click.argument("project")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--shot", "shot_ref", default=None, help="Add the files as takes of this shot instead of new shots.")
def import_(project: str, files: tuple[Path, ...], shot_ref: str | None) -> None:
    """Import video files: one new shot per file, or new takes of --shot."""
    # the media readers are imported by the commands that read media, not by every command of this module
    from shotline.services.importing import import_files
    from shotline.services.intake import NewMedia, shown

    with editing(project) as session:
        new_media = NewMedia(session.bundle)
        with new_media.removed_on_failure():  # saved here, so a save that fails leaves no copy behind either
            imported = import_files(session, list(files), shot_ref, new_media)
            session.save()
        for item in imported:
            number = session.project.index_of(item.shot_id) + 1
            click.echo(f"{shown(item.source.name)} → shot {number} ({item.shot_id}), take {item.take_id}")


@click.command()
@click.argument("project")
@click.argument("shot")
@click.option("--in", "in_", type=TIME, required=True, help="Source time where the shot starts playing.")
@click.option("--out", type=TIME, required=True, help="Source time where it stops.")
def trim(project: str, shot: str, in_: int, out: int) -> None:
    """Set the in and out points of SHOT's picked take (seconds or HH:MM:SS.mmm)."""
    with editing(project) as session:
        edits.trim(session, shot, in_, out)
        take = session.project.shot(shot).picked_take
        assert take is not None
        saved(session)
        click.echo(f"Trimmed to {format_time(take.trim.in_us)}–{format_time(take.trim.out_us)}")


@click.command()
@click.argument("project")
@click.argument("shot")
@click.option("--to", "position", type=click.IntRange(min=1), required=True, help="New 1-based position.")
def move(project: str, shot: str, position: int) -> None:
    """Move SHOT to another place in the shot list (1 to the number of shots)."""
    with editing(project) as session:
        target = session.project.shot(shot)
        before = session.project.index_of(target.id) + 1
        edits.move(session, shot, position)
        count = len(session.project.shots)
        saved(session)
        click.echo(f"Moved {named(before, target)} to position {position} of {count}.")


@click.command()
@click.argument("project")
@click.argument("shot")
@click.option("--at", "at", type=TIME, required=True, help="Time into the shot as it plays.")
def split(project: str, shot: str, at: int) -> None:
    """Cut SHOT in two; prints the new second half's id."""
    with editing(project) as session:
        said = edits.split(session, shot, at)
        saved(session)
        click.echo(said)


@click.command()
@click.argument("project")
@click.argument("shot")
@click.argument("take")
def pick(project: str, shot: str, take: str) -> None:
    """Make TAKE (id or 1-based number) the one SHOT plays."""
    with editing(project) as session:
        edits.pick(session, shot, take)
        target = session.project.shot(shot)
        picked = target.picked_take
        assert picked is not None
        number = session.project.index_of(target.id) + 1
        which = f"take {target.takes.index(picked) + 1} of {len(target.takes)}"
        saved(session)
        click.echo(f"Picked {which} for {named(number, target)} ({take_origin(picked)}).")


@click.command()
@click.argument("project")
@click.argument("shot")
def remove(project: str, shot: str) -> None:
    """Delete SHOT from the shot list (its takes' clips stay in the project folder)."""
    with editing(project) as session:
        target = session.project.shot(shot)
        number = session.project.index_of(target.id) + 1
        edits.remove(session, shot)
        left = len(session.project.shots)
        saved(session)
        click.echo(f"Removed {named(number, target)}; {left} shot{'s' if left != 1 else ''} left.")
        if target.takes:
            _say_where_takes_went(session, target)


@click.command()
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def info(project: str, as_json: bool) -> None:
    """Show the shots in order with their picked take, trim, duration and crossfades, each take's picture (length,
    size, frame rate) and sound, and the film's length in frames (what the export renders)."""
    from shotline.services.report import describe_take_media, project_report

    with open_context() as ctx, looking(project) as session:
        report = project_report(session.project, session.bundle.missing_media(session.project))
        names = session.project.media_names()
        jobs, kind_of = session.journal.all(), kinds(ctx.registry)
        for entry, shot in zip(report["shots"], session.project.shots, strict=True):
            cost = shot_cost(shot.id, jobs, kind_of)  # the ledger's figure, as the card and `budget` say it
            entry["cost"] = None if cost is None else cost.text()
            entry["picked_take_media"] = _picked_media(session, shot.picked_take, report["missing_media"], names)
            entry["takes_media"] = [
                {
                    "number": number,
                    "picked": take.id == shot.picked_take_id,
                    "source": take_origin(take),
                    "media": _picked_media(session, take, report["missing_media"], names),
                }
                for number, take in enumerate(shot.takes, start=1)
            ]
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(
        f"{report['title']} — {report['size']} @ {report['fps']} fps, {report['duration']} ({report['frames']} frames)"
    )
    blends = {blend["from"]: blend for blend in report["crossfades"]}
    for shot in report["shots"]:
        trim = f"{shot['trim']['in']}–{shot['trim']['out']}" if shot["trim"] else "no take"
        title = shot["title"] or shot["prompt"][:40]
        picked = f"take {shot['picked_take_number']} of {shot['takes']}, {shot['picked_take_source']}"
        picked = picked if shot["picked_take"] else ("no take picked" if shot["takes"] else "no take yet")
        click.echo(f"{shot['position']:>3}  {shot['id'][:8]}  {title:<40}  {trim:<27}  {shot['duration']}  {picked}")
        if shot["cost"]:
            click.echo(f"     cost of its jobs: {shot['cost']}")
        if len(shot["takes_media"]) > 1:
            for take in shot["takes_media"]:
                mark = "*" if take["picked"] else " "  # ASCII: a Windows console may not have a glyph
                held = take["media"] and (take["media"].get("error") or describe_take_media(take["media"]))
                click.echo(f"   {mark} take {take['number']}, {take['source']}: {held or 'its file is missing'}")
        elif media := shot["picked_take_media"]:
            click.echo(f"     {media.get('error') or describe_take_media(media)}")
        if blend := blends.get(shot["position"]):
            click.echo(f"     crossfade into shot {blend['to']}: {blend['duration']} ({blend['frames']} frames)")
    for path in report["missing_media"]:
        click.echo(f"Missing media: {path}", err=True)


def _picked_media(
    session: ProjectSession, take: Take | None, missing: list[str], names: dict[str, str]
) -> dict[str, Any] | None:
    """What a take's file holds (None: no take, or its file is missing, which info names anyway)."""
    from shotline.services.report import take_media

    if take is None or take.media in missing:
        return None
    path = session.bundle.resolve(take.media)
    try:
        return take_media(take, path)
    except MediaError as exc:
        # the file is stored under an id: name it as the creator knows it
        return {"error": in_creator_words(str(exc)).replace(path.name, names.get(take.media, path.name))}


COMMANDS = [new, add, import_, trim, move, split, pick, remove, info]
