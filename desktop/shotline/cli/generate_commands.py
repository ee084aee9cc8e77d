"""Commands that make takes: generate, jobs, resume."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import click

from shotline.cli.progress import progress_bar
from shotline.cli.session_scope import editing, looking, saved
from shotline.core import commands
from shotline.core.errors import AuthFailed, BackendError, KeyStoreError, ShotlineError
from shotline.core.ports import BackendKind, GenerationRequest, JobRecord
from shotline.core.references import cast_text
from shotline.services.budget import spending
from shotline.services.context import AppContext, open_context
from shotline.services.generation import GenerationService, StartedJob
from shotline.services.keys import key_status
from shotline.services.ledger import KindOf, ask_above, by_shot, job_cost, kinds, needs_asking, spend_question
from shotline.services.music import place_music
from shotline.services.session import ProjectSession
from shotline.services.shot_fit import sending_notes
from shotline.services.take_caption import take_caption
from shotline.services.try_on import FEWEST_PAIRS, MOST_PAIRS, Pair, plan_try_on
from shotline.services.voices import place_outcome
from shotline.storage.secrets import KeySource


def _wait_and_attach(generation: GenerationService, session: ProjectSession, started: list[StartedJob]) -> int:
    """Wait for every job, attaching each take as it arrives; returns how many failed."""
    fractions: dict[str, float] = {}
    failed = 0
    with progress_bar(f"Generating {len(started)} take(s)") as bar:
        for job in started:
            try:
                outcome = job.handle.result()
            except KeyboardInterrupt:
                for other in started:
                    other.handle.cancel()  # detach: the jobs go on at their providers and stay resumable
                click.echo(
                    "\nStopped waiting. Unfinished jobs can be collected with `shotline resume PROJECT --wait`.",
                    err=True,
                )
                raise
            except BackendError as error:
                failed += 1
                click.echo(f"\nJob {job.record.id[:8]} failed: {error}", err=True)
                continue
            generation.attach(outcome)
            placed = place_outcome(session, outcome) if outcome.spoken else None  # a line's voice: on its lane
            bed = place_music(session, outcome) if outcome.scored else None  # a bed: on the music lane, fitted
            session.save()
            fractions[job.record.id] = 1.0
            bar(sum(fractions.values()) / len(started))
            if outcome.still:  # a draft still a resume finished: a picture in media/, not a take (services.stills)
                click.echo(f"New still {session.bundle.path / outcome.take.media}")
                continue
            if bed is not None:
                click.echo(f"New music {session.bundle.path / bed.media} (on the music lane)")
                continue
            if outcome.spoken:
                where = "on the voice-over lane" if placed is not None else "among its line's takes"
                click.echo(f"New voice take {session.bundle.path / outcome.take.media} ({where})")
                continue
            number = session.project.index_of(outcome.shot_id) + 1 if session.project.has_shot(outcome.shot_id) else 0
            where = f"shot {number}" if number else "the library (its shot was deleted)"
            click.echo(f"New take {outcome.take.id[:8]} for {where}")
    return failed


@click.command()
@click.argument("project")
@click.option("--shot", "shot_ref", default=None, help="Generate only this shot (id or position).")
@click.option("--all", "all_shots", is_flag=True, help="Generate every shot (the default is shots without a take).")
@click.option("--backend", default=None, help="Use this backend instead of each shot's own.")
@click.option("--model", default=None, help="Use this model of the backend.")
@click.option("--wait", is_flag=True, help="Stay until the takes are downloaded and attached.")
@click.option(
    "--try",
    "tries",
    multiple=True,
    metavar="BACKEND/MODEL",
    help=f"Try the --shot on this backend/model pair; give it {FEWEST_PAIRS} to {MOST_PAIRS} times to compare.",
)
@click.option("--yes", is_flag=True, help="Start a paid try-on without asking.")
def generate(
    project: str,
    shot_ref: str | None,
    all_shots: bool,
    backend: str | None,
    model: str | None,
    wait: bool,
    tries: tuple[str, ...],
    yes: bool,
) -> None:
    """Send shots to their generation backend; each finished clip becomes a new take."""
    if shot_ref and all_shots:
        raise click.UsageError("give either --shot or --all, not both")
    if tries:
        if not shot_ref or all_shots or backend or model:
            raise click.UsageError("--try needs one --shot, and takes the place of --backend and --model")
        _try_on(project, shot_ref, [Pair.parse(text) for text in tries], wait=wait, yes=yes)
        return
    with open_context() as ctx, editing(project) as session:
        if shot_ref:
            refs = [session.project.shot(shot_ref).id]
        else:
            refs = [s.id for s in session.project.shots if all_shots or not s.takes]
        if not refs:
            click.echo("Every shot has a take already; use --all or --shot to generate more.")
            return
        _check_keys(ctx, [backend or session.project.shot(ref).generation.backend for ref in refs])
        for note in sending_notes(ctx.registry, session.project, refs, backend=backend, model=model):
            click.echo(note, err=True)  # before anything is sent: what the model cannot take is never dropped unsaid
        generation = GenerationService(ctx, session)
        records = generation.prepare(refs, backend=backend, model=model)
        for record in records:
            _say_cast(record, f"Shot {record.request.get('shot_number', '?')}")
        _say_cost(records, session, ctx)
        if wait:
            failed = _wait_and_attach(generation, session, generation.run(records))
            if failed:
                raise ShotlineError(f"{failed} of {len(records)} job(s) failed; see the messages above.")
            return
        for record in generation.submit(records):
            click.echo(f"{record.id}  {record.phase.value}  {record.backend}/{record.model}")
        click.echo(f"Collect the takes with: shotline resume {project} --wait", err=True)


def _try_on(project: str, shot_ref: str, pairs: list[Pair], *, wait: bool, yes: bool) -> None:
    """One shot on several models: each pair's model, what it makes and costs, and the total, before anything is
    sent; a paid one asks first (as the window's Generate does) unless --yes. One journaled job per pair."""
    with open_context() as ctx, editing(project) as session:
        _check_keys(ctx, [pair.backend for pair in pairs])
        generation = GenerationService(ctx, session)
        trying = plan_try_on(ctx, session, generation, shot_ref, pairs)
        click.echo(f"Shot {trying.shot_number} on {len(trying.trials)} models:", err=True)
        for trial in trying.trials:
            click.echo(f"  {trial.describe()}", err=True)
            for note in trial.fit.notes():
                click.echo(f"    {note}", err=True)
            _say_cast(trial.record, "   ")
        click.echo(f"Total: {trying.total.text()}", err=True)
        so_far = spending(session.journal.all(), session.project.settings.budget, kinds(ctx.registry))
        click.echo(f"Project: {so_far.describe()}.", err=True)
        threshold = ask_above(ctx.settings.ask_above_usd)
        if not yes and needs_asking(trying.total, threshold):
            doing = f"Trying shot {trying.shot_number} on {len(trying.trials)} models"
            question = spend_question(trying.total, len(trying.trials), threshold, doing)
            try:
                agreed = click.confirm(question, default=False, err=True)
            except click.Abort:
                agreed = False  # no one to answer (a script's closed input): never a silent yes
            if not agreed:
                raise ShotlineError("Nothing was sent. To start a paid try-on without being asked, add --yes.")
        records = generation.write_down(trying.records)
        if not wait:
            for record in generation.submit(records):
                click.echo(f"{record.id}  {record.phase.value}  {record.backend}/{record.model}")
            click.echo(f"Collect the takes with: shotline resume {project} --wait", err=True)
            return
        failed = _wait_and_attach(generation, session, generation.run(records))
        _say_captions(ctx, session, records)
        if failed:
            raise ShotlineError(f"{failed} of {len(records)} pair(s) failed; see the messages above.")


def _say_captions(ctx: AppContext, session: ProjectSession, records: list[JobRecord]) -> None:
    """The landed takes as the comparison captions them: by model, cost and time taken."""
    jobs = {record.id: session.journal.get(record.id) for record in records}
    for shot in session.project.shots:
        for number, take in enumerate(shot.takes, start=1):
            if take.generation is not None and take.generation.job_id in jobs:
                caption = take_caption(ctx, take, number, jobs[take.generation.job_id])
                click.echo(f"{caption.title}  {caption.facts}")


def _say_cast(record: JobRecord, lead: str) -> None:
    """What the job sends of each cast member its shot mentions, before it is sent (core.references)."""
    placed = GenerationRequest.from_json(record.request).cast
    if placed:
        click.echo(f"{lead} cast: {cast_text(placed)}", err=True)


def _check_keys(ctx: AppContext, backend_ids: list[str]) -> None:
    """Before any job is priced or written down: each backend that needs a key has one this run can read.

    Without it every job would be journaled, counted against the budget and then fail at its provider. A machine
    with no usable keyring (a server, a container) can still pass the key in the provider's environment variable.
    """
    for backend_id in dict.fromkeys(backend_ids):
        info = ctx.registry.info(backend_id)
        if not info.needs_key:
            continue
        variables = " or ".join(info.key_env_vars)
        example = f"`{info.key_env_vars[0]}=… shotline generate …`"
        try:
            source = key_status(ctx, backend_id).source
        except KeyStoreError as error:
            reason = str(error).split(". ")[0].rstrip(".")  # the keyring's problem; its in-memory offer is the window's
            raise KeyStoreError(
                f"{info.name} needs an API key, and the system keyring cannot be read here: {reason}. Without a "
                f"keyring, give the key in the {variables} environment variable for this run, e.g. {example}."
            ) from error
        if source is KeySource.NONE:
            raise AuthFailed(
                f"{info.name} needs an API key and none is set. Store one with `shotline keys set {backend_id}`, "
                f"or give it in the {variables} environment variable, e.g. {example}."
            )


def _say_cost(records: list[JobRecord], session: ProjectSession, ctx: AppContext) -> None:
    """Before anything paid goes out: what these jobs should cost, and where the project stands."""
    paid = [r for r in records if ctx.registry.info(r.backend).kind is BackendKind.CLOUD]
    if not paid:
        return
    estimates = [r.estimated_cost for r in paid if r.estimated_cost is not None]
    unknown = len(paid) - len(estimates)
    if estimates:
        also = f" (and {unknown} whose price is unknown)" if unknown else ""
        total = sum(estimates, Decimal(0))
        click.echo(f"Estimated cost: about ${total:.2f} for {len(estimates)} paid job(s){also}.", err=True)
    else:
        click.echo(f"Estimated cost: unknown for {unknown} paid job(s); see the provider's price page.", err=True)
    so_far = spending(session.journal.all(), session.project.settings.budget, kinds(ctx.registry))
    click.echo(f"Project: {so_far.describe()}.", err=True)


def _job_row(record: JobRecord, positions: dict[str, int], kind_of: KindOf) -> dict[str, Any]:
    cost = job_cost(record, kind_of(record.backend))
    return {
        "id": record.id,
        "shot_id": record.shot_id,
        "shot": positions.get(record.shot_id),
        "backend": record.backend,
        "model": record.model,
        "phase": record.phase.value,
        "progress": record.progress,
        "message": record.message,
        "provider_job_id": record.provider_job_id,
        "estimated_cost": str(record.estimated_cost) if record.estimated_cost is not None else None,
        "billed_cost": str(record.billed_cost) if record.billed_cost is not None else None,
        "cost": cost.text(),
        "counts_usd": str(cost.amount),
        "created_at": record.created_at,
    }


@click.command()
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def jobs(project: str, as_json: bool) -> None:
    """List this project's generation jobs, newest last."""
    with open_context() as ctx, looking(project) as session:
        positions = {shot.id: n for n, shot in enumerate(session.project.shots, start=1)}
        rows = [_job_row(record, positions, kinds(ctx.registry)) for record in session.journal.all()]
        unwritable = session.journal.read_only_because
    if unwritable is not None:
        click.echo(
            f"The job journal is read-only here ({unwritable}): these are the jobs as last recorded, and none can be "
            "started or resumed in this project until it can be written.",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No jobs yet.")
    for row in rows:
        shot = f"shot {row['shot']}" if row["shot"] else "deleted shot"
        message = f"  {row['message']}" if row["message"] else ""
        click.echo(
            f"{row['id'][:8]}  {row['phase']:<11} {shot:<12} {row['backend']}/{row['model']}  {row['cost']}{message}"
        )


@click.command()
@click.argument("project")
@click.option("--wait", is_flag=True, help="Stay until the resumed jobs finish.")
def resume(project: str, wait: bool) -> None:
    """Pick up jobs left unfinished (after a crash or a `generate` without --wait)."""
    with open_context() as ctx, editing(project) as session:
        generation = GenerationService(ctx, session)
        unfinished = generation.unfinished()
        if not unfinished:
            click.echo("No unfinished jobs.")
            return
        if not wait:
            for record in unfinished:
                click.echo(f"{record.id}  {record.phase.value}  (run again with --wait to finish it)")
            return
        failed = _wait_and_attach(generation, session, generation.run(unfinished))
        if failed:
            raise ShotlineError(f"{failed} of {len(unfinished)} job(s) failed; see the messages above.")


@click.command()
@click.argument("project")
@click.option("--set", "amount", type=click.FloatRange(min=0), default=None, help="Budget in USD for the project.")
@click.option("--clear", is_flag=True, help="Remove the budget.")
def budget(project: str, amount: float | None, clear: bool) -> None:
    """Show what the project's jobs have cost or may cost; set or clear a budget that stops new paid jobs."""
    if amount is not None and clear:
        raise click.UsageError("give either --set or --clear, not both")
    with open_context() as ctx, editing(project) as session:
        if amount is not None or clear:
            limit = None if clear else Decimal(str(amount)).quantize(Decimal("0.01"))
            settings = replace(session.project.settings, budget=limit)
            session.execute(commands.set_project_settings(settings))
        saved(session)
        jobs, kind_of = session.journal.all(), kinds(ctx.registry)
        click.echo(spending(jobs, session.project.settings.budget, kind_of).describe())
        # where it went, in the words the window's cards and jobs panel use (services.ledger)
        for name, cost in by_shot(session.project, jobs, kind_of):
            click.echo(f"  {name}: {cost.text()}")


COMMANDS = [generate, jobs, resume, budget]
