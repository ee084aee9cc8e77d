"""`shotline music`: a bed for the film made by a backend that offers music, onto the music lane (issue 17)."""

from __future__ import annotations

import click

from shotline.cli.generate_commands import _check_keys
from shotline.cli.params import TIME
from shotline.cli.session_scope import editing, saved
from shotline.core.errors import ShotlineError
from shotline.core.timecode import format_time
from shotline.services.budget import spending
from shotline.services.context import open_context
from shotline.services.ledger import ask_above, estimate_cost, format_money, kinds, needs_asking
from shotline.services.music import OFFLINE_MUSIC, MusicChoice, MusicService, music_makers


@click.command()
@click.argument("project")
@click.option("--prompt", default="", help="What the music is like: mood, instruments, tempo ('calm piano, 70 bpm').")
@click.option("--backend", default=OFFLINE_MUSIC[0], show_default=True, help="A backend that makes music.")
@click.option("--model", default="", help="Its music model (its first by default).")
@click.option("--seconds", "length", type=TIME, default=None, help="How long (the film's length by default).")
@click.option("--yes", is_flag=True, help="Start paid music without asking.")
@click.option("--list", "listing", is_flag=True, help="Print the backends that make music and their models.")
def music(project: str, prompt: str, backend: str, model: str, length: int | None, yes: bool, listing: bool) -> None:
    """Make music for the film from a prompt and place it on the music lane at the film's start, fitted to the
    film (looped when shorter, faded out at the end when longer) and ducked under speech. Print the file made."""
    with open_context() as ctx:
        if listing:
            for backend_id, models in music_makers(ctx):
                click.echo(f"{backend_id}: {', '.join(f'{m.id} ({m.label})' for m in models)}")
            return
        with editing(project) as session:
            service = MusicService(ctx, session)
            record = service.plan(MusicChoice(prompt, backend, model, length or 0))
            _check_keys(ctx, [record.backend])
            planned = estimate_cost(record.estimated_cost, ctx.registry.info(record.backend).kind)
            info = ctx.registry.info(record.backend)
            seconds = format_time(record.request["duration_us"])
            click.echo(f"Music, {seconds}: {info.name}, {record.model}; {planned.text()}", err=True)
            so_far = spending(session.journal.all(), session.project.settings.budget, kinds(ctx.registry))
            click.echo(f"Project: {so_far.describe()}.", err=True)
            if not yes and needs_asking(planned, ask_above(ctx.settings.ask_above_usd)):
                figure = (
                    f"is estimated at about {format_money(planned.amount)}"
                    if not planned.unknown
                    else "costs money, and Shotline does not know the provider's price for it"
                )
                try:
                    agreed = click.confirm(f"Making {seconds} of music {figure}. Start it?", default=False, err=True)
                except click.Abort:
                    agreed = False  # no one to answer (a script's closed input): never a silent yes
                if not agreed:
                    raise ShotlineError("Nothing was sent. To start paid music without being asked, add --yes.")
            clip = service.land(service.make(record))
            saved(session)
            looped = f", looped to {format_time(clip.end_us)}" if clip.loop_us else ""
            click.echo(f"On the music lane from {format_time(clip.start_us)}{looped}: {clip.source_name}", err=True)
            click.echo(session.bundle.path / clip.media)


COMMANDS = [music]
