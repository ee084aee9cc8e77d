"""`shotline voice`: the film's dialogue lines spoken by their speakers' voices, onto the voice-over lane (issue 17).

One command, by what it is asked: speak lines (all, a shot's, or one line), list a line's takes or pick one, give
a cast member a voice, or list the voices a backend has.
"""

from __future__ import annotations

from pathlib import Path

import click

from shotline.cli.generate_commands import _check_keys
from shotline.cli.session_scope import editing, looking, saved
from shotline.core.dialogue import find_line, speaker_name
from shotline.core.errors import BackendError, ShotlineError
from shotline.core.model import Project
from shotline.services.budget import spending
from shotline.services.context import AppContext, open_context
from shotline.services.ledger import FREE, ask_above, estimate_cost, format_money, kinds, needs_asking
from shotline.services.session import ProjectSession
from shotline.services.voices import (
    VoicesService,
    choose_voice,
    lines_to_speak,
    picked_take,
    place,
    voice_takes,
    voices_of,
)


@click.command()
@click.argument("project")
@click.option("--shot", default=None, help="Speak only this shot's lines (its id or position).")
@click.option("--line", default=None, help="With --shot: speak only this line (its position in the shot, or id).")
@click.option("--yes", is_flag=True, help="Start paid voices without asking.")
@click.option("--takes", is_flag=True, help="Print each line's voice takes (* the one that plays) instead.")
@click.option("--pick", type=click.Path(path_type=Path), default=None, help="Play this take for its line.")
@click.option("--cast", "member", default=None, help="Give this cast member the voice --use names.")
@click.option("--use", default=None, metavar="BACKEND:VOICE", help="With --cast: e.g. openai:nova, animatic:gmw/en.")
@click.option("--model", default="", help="With --use: the backend's voice model (its first by default).")
@click.option(
    "--setting",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="With --use: speed=1.2, instructions=…, stability=0.5 (as the backend takes)",
)
@click.option("--voices", "listing", default=None, metavar="BACKEND", help="Print the voices BACKEND has.")
def voice(
    project: str,
    shot: str | None,
    line: str | None,
    yes: bool,
    takes: bool,
    pick: Path | None,
    member: str | None,
    use: str | None,
    model: str,
    settings: tuple[str, ...],
    listing: str | None,
) -> None:
    """Speak the film's dialogue lines (or --shot N, --line K) with each speaker's cast voice, and place each on
    the voice-over lane at its shot; a line spoken again is a new take there. Print the files made."""
    if bool(member) != bool(use):
        raise click.UsageError("--cast and --use go together: --cast @Mara --use openai:nova")
    with open_context() as ctx:
        if listing is not None:
            for name in voices_of(ctx, listing, model):
                click.echo(name)
            return
        if takes:
            with looking(project) as session:
                _takes(session, shot, line)
            return
        with editing(project) as session:
            if member and use:
                _use(ctx, session, member, use, model, settings)
            elif pick is not None:
                _pick(session, pick)
            else:
                _speak(ctx, session, shot, line, yes)


def _speak(ctx: AppContext, session: ProjectSession, shot: str | None, line: str | None, yes: bool) -> None:
    service = VoicesService(ctx, session)
    lines = lines_to_speak(session.project, shot, line)  # says what is missing before any key is asked for
    records = service.plan(shot, line)
    _check_keys(ctx, [record.backend for record in records])
    planned = sum((estimate_cost(r.estimated_cost, ctx.registry.info(r.backend).kind) for r in records), FREE)
    for (_, spoken), record in zip(lines, records, strict=True):
        info = ctx.registry.info(record.backend)
        voice_name = str(record.request["options"].get("voice") or "its default voice")
        who = speaker_name(session.project, spoken) or "Unnamed"
        click.echo(f"Shot {record.request['shot_number']}, {who}: {info.name}, {voice_name}", err=True)
    click.echo(f"{len(records)} line(s): {planned.text()}", err=True)
    so_far = spending(session.journal.all(), session.project.settings.budget, kinds(ctx.registry))
    click.echo(f"Project: {so_far.describe()}.", err=True)
    if not yes and needs_asking(planned, ask_above(ctx.settings.ask_above_usd)):
        figure = (
            f"is estimated at about {format_money(planned.amount)}"
            if not planned.unknown
            else "costs money, and Shotline does not know the provider's price for it"
        )
        try:
            agreed = click.confirm(f"Speaking {len(records)} line(s) {figure}. Start it?", default=False, err=True)
        except click.Abort:
            agreed = False  # no one to answer (a script's closed input): never a silent yes
        if not agreed:
            raise ShotlineError("Nothing was sent. To start paid voices without being asked, add --yes.")
    failed = 0
    for job in service.make(records):
        try:
            made = service.land(job)
        except BackendError as error:
            failed += 1
            click.echo(f"Line {job.record.id[:8]} was not spoken: {error}", err=True)
            continue
        click.echo(session.bundle.path / made.media)
    saved(session)
    if failed:
        raise ShotlineError(f"{failed} of {len(records)} line(s) were not spoken; see the messages above.")


def _takes(session: ProjectSession, shot: str | None, line: str | None) -> None:
    project = session.project
    made = voice_takes(session.journal.all())
    wanted = {spoken.id for _, spoken in lines_to_speak(project, shot, line)}
    for take in made:
        if take.line_id not in wanted:
            continue
        mark = "*" if picked_take(project, take.line_id) == take.media else " "
        click.echo(f"{mark} {_where(project, take.line_id)}  {session.bundle.path / take.media}")
    if not any(take.line_id in wanted for take in made):
        click.echo("No voice takes yet; speak the lines with `shotline voice PROJECT`.", err=True)


def _where(project: Project, line_id: str) -> str:
    shot, spoken = find_line(project, line_id)
    number = project.index_of(shot.id) + 1
    place_in_shot = next(n for n, each in enumerate(shot.dialogue, start=1) if each.id == line_id)
    return f"shot {number} line {place_in_shot} ({speaker_name(project, spoken) or 'Unnamed'})"


def _pick(session: ProjectSession, pick: Path) -> None:
    wanted = pick.resolve() if pick.is_absolute() else (Path.cwd() / pick).resolve()
    made = voice_takes(session.journal.all())
    chosen = next((take for take in made if (session.bundle.path / take.media).resolve() == wanted), None)
    if chosen is None:
        raise ShotlineError(
            f"{pick.name} is not a voice take of this film; `shotline voice PROJECT --takes` lists them."
        )
    if place(session, chosen) is None:
        raise ShotlineError(f"The line {pick.name} was spoken for is no longer in the film.")
    saved(session)
    click.echo(f"{pick.name} now plays for {_where(session.project, chosen.line_id)}.")


def _use(
    ctx: AppContext, session: ProjectSession, member: str, use: str, model: str, settings: tuple[str, ...]
) -> None:
    backend, _, voice_id = use.partition(":")
    if not backend or not voice_id:
        raise click.BadParameter("write it as BACKEND:VOICE, e.g. openai:nova", param_hint="--use")
    values: dict[str, str] = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{setting!r} is not NAME=VALUE", param_hint="--setting")
        values[name.strip()] = value.strip()
    chosen = choose_voice(ctx, session, member, backend, voice_id, model, values)
    saved(session)
    click.echo(f"@{chosen.name} speaks with {backend}'s {voice_id} in every shot.")


COMMANDS = [voice]
