"""Shared parts for testing a cloud or local adapter against its fake provider.

    ctx = provider_context(tmp_path, "runway", fake.url, key=KEY)
    outcome, journal = generate(RunwayBackend(ctx), cloud_request("runway", "gen4.5"), tmp_path / "project")

`generate` drives the adapter through the real job code (`jobs.generation.run_generation`) with the real SQLite
journal and the real probe, exactly as the app does.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from shotline.backends import http as provider_http
from shotline.backends.catalogue import shipped
from shotline.backends.registry import BackendContext
from shotline.core.errors import JobFailed
from shotline.core.lengths import fit_length
from shotline.core.model import Size, new_id
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, JobRecord
from shotline.jobs.generation import GenerationOutcome, cancel_generation, run_generation
from shotline.media.probe import probe
from shotline.storage.journal import SqliteJobJournal
from tests.backends.kit import real_renderer

POLL_SECONDS = 0.01


def quick_retries(monkeypatch: Any) -> None:
    """Keep ProviderHttp's retry plans (backends.policy) as they are, with their waits cut to centiseconds: the
    retries still happen, in the same order, only without half-second waits."""
    for name in ("READS", "CREATES", "DOWNLOADS"):
        plan = getattr(provider_http, name)
        monkeypatch.setattr(provider_http, name, replace(plan, first_wait_s=0.01))


class FixedSecrets:
    """A SecretSource holding one key for every backend (or none)."""

    def __init__(self, key: str | None) -> None:
        self.key = key

    def get(self, backend_id: str) -> str | None:
        return self.key


def provider_context(
    tmp_path: Path,
    backend_id: str,
    url: str,
    *,
    key: str | None = "test-key",
    http_timeout: float | None = None,
    **settings: Any,
) -> BackendContext:
    """A BackendContext pointing `backend_id` at `url`; `http_timeout` (seconds) makes timeouts quick to test."""
    values: dict[str, Any] = {"base_urls": {backend_id: url}, **settings}
    if http_timeout is not None:
        values["http_timeout"] = http_timeout
    return BackendContext(
        secrets=FixedSecrets(key),
        work_dir=tmp_path / "work" / backend_id,
        card_renderer=real_renderer(),
        settings=values,
    )


def cloud_request(backend: str, model: str, **changes: Any) -> GenerationRequest:
    """A request as build_request makes it: its length one the model makes (5 s fitted by the model's rule, as
    core.lengths.fit_length fits a shot's) unless the test gives its own."""
    base = GenerationRequest(
        job_id=new_id(),
        shot_id=new_id(),
        backend=backend,
        model=model,
        prompt="A lighthouse at dawn, waves breaking on the rocks",
        duration_us=5_000_000,
        size=Size(1280, 720),
        fps=Fraction(24),
        aspect="16:9",
        label="Shot 1 · Lighthouse",
        shot_number=1,
    )
    known = shipped().models(backend).entry(model)
    if known is not None and "duration_us" not in changes:
        base = replace(base, duration_us=fit_length(known.info, base.duration_us).made_us)
    return replace(base, **changes)


def journal_for(project_dir: Path) -> SqliteJobJournal:
    project_dir.mkdir(parents=True, exist_ok=True)
    return SqliteJobJournal(project_dir / "jobs.sqlite")


def add_job(journal: SqliteJobJournal, request: GenerationRequest) -> JobRecord:
    record = JobRecord(
        id=request.job_id,
        shot_id=request.shot_id,
        backend=request.backend,
        model=request.model,
        request=request.to_json(),
        created_at="2026-11-01T00:00:00Z",
    )
    journal.add(record)
    return record


async def drive(
    backend: GenerationBackend,
    record: JobRecord,
    journal: SqliteJobJournal,
    project_dir: Path,
    *,
    resumed: bool = False,
) -> GenerationOutcome:
    """run_generation as the app calls it; the caller owns the backend (and closes it)."""
    return await run_generation(
        record,
        backend=backend,
        journal=journal,
        probe=probe,
        project_dir=project_dir,
        poll_seconds=POLL_SECONDS,
        resumed=resumed,
    )


async def cancel_as_the_creator(
    task: asyncio.Task[GenerationOutcome], job_id: str, *, backend: GenerationBackend, journal: SqliteJobJournal
) -> None:
    """What the window's Cancel does: cancel the job (journal first, then the provider), then the task driving it."""
    await cancel_generation(job_id, backend=backend, journal=journal)
    await end_by_cancel(task, job_id, journal)


async def end_by_cancel(task: asyncio.Task[GenerationOutcome], job_id: str, journal: SqliteJobJournal) -> None:
    """Cancel the task driving a job the creator cancelled, and see it end with no take and the job still cancelled.

    It ends by that cancel or, when a poll got in first (on a busy machine), by what the poll saw: the provider's
    "cancelled" (the run refuses to step past the creator's cancel) or the job already deleted there. Which comes
    first depends on the machine's speed; the journal must say cancelled either way.
    """
    task.cancel()
    try:
        outcome = await task
    except (asyncio.CancelledError, JobFailed):
        assert journal.get(job_id).phase is JobPhase.CANCELLED
        return
    raise AssertionError(f"the cancelled job went on to finish: {outcome}")


def generate(
    backend: GenerationBackend, request: GenerationRequest, project_dir: Path
) -> tuple[GenerationOutcome, SqliteJobJournal]:
    """Journal the request and drive it to a take in a fresh event loop; closes the backend afterwards."""
    journal = journal_for(project_dir)
    record = add_job(journal, request)

    async def scenario() -> GenerationOutcome:
        try:
            return await drive(backend, record, journal, project_dir)
        finally:
            await backend.aclose()

    return asyncio.run(scenario()), journal
