"""`shotline replace-model`: move every shot off a retired model (or one the provider says it no longer serves) onto
its replacement, showing first what the new model keeps or drops of each shot and what a take will cost."""

from __future__ import annotations

import click

from shotline.cli.session_scope import editing, saved
from shotline.core.errors import InputRejected
from shotline.core.model import GenerationSettings
from shotline.services.context import AppContext, open_context
from shotline.services.model_move import ModelMove, plan_move
from shotline.services.retirement import Retirement, retired_in_use, retirement


@click.command("replace-model")
@click.argument("project")
@click.argument("model", required=False, metavar="[BACKEND/MODEL]")
@click.option("--to", "to", default=None, help="The model of the same backend to move to (default: its replacement).")
@click.option("--yes", is_flag=True, help="Move the shots; without it the move is only shown.")
def replace_model(project: str, model: str | None, to: str | None, yes: bool) -> None:
    """Move every shot on a retired model to its replacement, re-fitted and re-estimated, in one edit.

    Without BACKEND/MODEL, every retired model the project's shots use. Name one the provider has answered is no
    longer available (and give --to) when the catalogue does not mark it retired yet."""
    with open_context() as ctx, editing(project) as session:
        if model is not None:
            retired = [_named(ctx, model)]
        else:
            retired = retired_in_use(ctx.registry, session.project)
            if to is not None and len(retired) > 1:
                raise click.UsageError("--to names one model: give the retired BACKEND/MODEL it replaces too.")
        if not retired:
            click.echo("No shot uses a retired model.")
            return
        moves: list[ModelMove] = []
        for one in retired:
            try:
                move = plan_move(ctx.registry, session.project, one, to)
            except InputRejected as error:
                example = f"shotline replace-model {project} {one.backend.id}/{one.model_id} --to MODEL"
                click.echo(f"{error} For example: {example}", err=True)
                continue
            if not move.shots:
                click.echo(f"No shot uses {one.backend.id}/{one.model_id}.")
                continue
            click.echo(one.describe())
            click.echo("\n".join(f"  {line}" for line in move.describe(ids=True)))
            moves.append(move)
        if not moves:
            return
        if not yes:
            click.echo("Nothing is changed yet: run again with --yes to move these shots.")
            return
        for move in moves:
            session.execute(move.command())
        saved(session)
        moved = sum(len(move.shots) for move in moves)
        click.echo(
            f"Moved {moved} shot{'s' if moved != 1 else ''}, in one edit per model. The project as it was is its "
            f"newest backup: `shotline restore {project}` brings it back."
        )


def _named(ctx: AppContext, reference: str) -> Retirement:
    """The model `reference` (BACKEND/MODEL) names: retired by the catalogue, or as the provider answered."""
    backend, slash, model_id = reference.partition("/")
    if not slash or not backend or not model_id:
        raise click.BadParameter(f"{reference!r}: write it as BACKEND/MODEL, e.g. runway/gen3a_turbo.")
    said = retirement(ctx.registry, GenerationSettings(backend=backend, model=model_id), {(backend, model_id): ""})
    if said is None:  # only when there is no such backend: retirement() said nothing
        ctx.registry.info(backend)  # UnknownBackend, naming the backends there are
        raise click.BadParameter(f"there is no backend {backend!r}.")
    return said


COMMANDS = [replace_model]
