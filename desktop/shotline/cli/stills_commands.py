"""`shotline stills`: cheap draft pictures of a shot before paying for its clip (issue 16, stills first)."""

from __future__ import annotations

from pathlib import Path

import click

from shotline.cli.generate_commands import _check_keys
from shotline.cli.session_scope import editing, saved
from shotline.core.errors import BackendError, ShotlineError
from shotline.services.budget import spending
from shotline.services.context import open_context
from shotline.services.ledger import FREE, ask_above, estimate_cost, format_money, kinds, needs_asking
from shotline.services.session import ProjectSession
from shotline.services.stills import MOST, StillsService, add_to_cast, stills_of, use_as_first_frame


@click.command()
@click.argument("project")
@click.argument("shot")
@click.option("--count", type=click.IntRange(1, MOST), default=4, show_default=True, help="How many stills to make.")
@click.option("--backend", default=None, help="Make them with this backend instead of the shot's own.")
@click.option("--model", default=None, help="Use this still model of the backend (`shotline backends` lists them).")
@click.option("--yes", is_flag=True, help="Start paid stills without asking.")
@click.option("--list", "listing", is_flag=True, help="Print the shot's stills made so far instead of making more.")
@click.option("--pick", type=click.Path(path_type=Path), default=None, help="Make this still the shot's first frame.")
@click.option(
    "--cast", "member", default=None, help="With --pick: add the still to this cast member's pictures instead."
)
def stills(
    project: str,
    shot: str,
    count: int,
    backend: str | None,
    model: str | None,
    yes: bool,
    listing: bool,
    pick: Path | None,
    member: str | None,
) -> None:
    """Draft COUNT stills of SHOT (id or position), cheap pictures before paying for its clip, and print each
    picture's file; then --pick one as the shot's first frame (Generate animates it) or for a --cast member."""
    if member and not pick:
        raise click.UsageError("--cast needs --pick FILE: the still to add to the cast member")
    with open_context() as ctx, editing(project) as session:
        shot_id = session.project.shot(shot).id
        if listing or pick:
            _pick(session, shot_id, pick, member)
            return
        backend_id = backend or session.project.shot(shot_id).generation.backend
        _check_keys(ctx, [backend_id])
        service = StillsService(ctx, session)
        records = service.plan(shot_id, count, backend=backend, model=model)
        info = ctx.registry.info(records[0].backend)
        still = info.still_model(records[0].model)
        label = still.label if still is not None else records[0].model
        planned = sum((estimate_cost(r.estimated_cost, info.kind) for r in records), FREE)
        number = session.project.index_of(shot_id) + 1
        click.echo(f"Shot {number}: {count} still(s) with {info.name} · {label}: {planned.text()}", err=True)
        so_far = spending(session.journal.all(), session.project.settings.budget, kinds(ctx.registry))
        click.echo(f"Project: {so_far.describe()}.", err=True)
        threshold = ask_above(ctx.settings.ask_above_usd)
        if not yes and needs_asking(planned, threshold):
            figure = (
                f"is estimated at about {format_money(planned.amount)}"
                if not planned.unknown
                else "costs money, and Shotline does not know the provider's price for it"
            )
            try:
                agreed = click.confirm(f"Drafting {count} still(s) {figure}. Start it?", default=False, err=True)
            except click.Abort:
                agreed = False  # no one to answer (a script's closed input): never a silent yes
            if not agreed:
                raise ShotlineError("Nothing was sent. To start paid stills without being asked, add --yes.")
        failed = 0
        for job in service.make(records):
            try:
                made = service.land(job)
            except BackendError as error:
                failed += 1
                click.echo(f"Still {job.record.id[:8]} failed: {error}", err=True)
                continue
            click.echo(session.bundle.path / made.media)
        if failed:
            raise ShotlineError(f"{failed} of {count} still(s) failed; see the messages above.")


def _pick(session: ProjectSession, shot_id: str, pick: Path | None, member: str | None) -> None:
    made = stills_of(session.journal.all(), shot_id)
    if pick is None:
        for still in made:
            click.echo(session.bundle.path / still.media)
        if not made:
            click.echo("No stills of this shot yet; make some with `shotline stills PROJECT SHOT --count 4`.", err=True)
        return
    wanted = pick.resolve() if pick.is_absolute() else (Path.cwd() / pick).resolve()
    chosen = next((still for still in made if (session.bundle.path / still.media).resolve() == wanted), None)
    if chosen is None:
        raise ShotlineError(
            f"{pick.name} is not one of this shot's stills; `shotline stills PROJECT SHOT --list` prints them."
        )
    if member:
        added = add_to_cast(session, member, chosen)
        click.echo(f"Added {pick.name} to {added.name}'s pictures.")
    else:
        use_as_first_frame(session, shot_id, chosen)
        click.echo(f"{pick.name} is now the shot's first frame.")
    saved(session)


COMMANDS = [stills]
