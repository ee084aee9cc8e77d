"""Meta's MusicGen through the replicate backend as the registry builds it, against the fake the SDK proves, driven
by the real job code and journal: its version and inputs sent, the sound fetched, and never paying twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import InputRejected
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import GenerationOutcome, run_generation
from shotline.media.probe import probe
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.replicate import KEY
from tests.fakes.replicate_music import MUSICGEN_VERSION, FakeReplicateMusic

MODEL = f"meta/musicgen:{MUSICGEN_VERSION}"


@pytest.fixture
def fake() -> Iterator[FakeReplicateMusic]:
    with FakeReplicateMusic() as server:
        server.processing_reads = 1
        yield server  # type: ignore[misc]


def _music(**changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"kind": MediaKind.MUSIC, "prompt": "tense night chase, 120 bpm", "duration_us": 7_200_000}
    return cloud_request("replicate", MODEL, **{**fields, **changes})


def _make(tmp_path: Path, fake: FakeReplicateMusic, request: GenerationRequest) -> GenerationOutcome:
    project = tmp_path / "project"
    journal = journal_for(project)
    record = add_job(journal, request)

    async def scenario() -> GenerationOutcome:
        context = provider_context(tmp_path, "replicate", fake.url, key=KEY)
        backend: GenerationBackend = BackendRegistry(BUILTIN_SPECS, discover=False).create("replicate", context)
        try:
            return await run_generation(
                record, backend=backend, journal=journal, probe=probe, project_dir=project, poll_seconds=0.01
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_musicgen_runs_on_its_version_and_its_sound_is_fetched(tmp_path: Path, fake: FakeReplicateMusic) -> None:
    outcome = _make(tmp_path, fake, _music(seed=3))

    assert outcome.scored and outcome.take.media == f"media/{outcome.job_id}.wav"
    assert outcome.take.info.duration_us == 8_000_000, "whole seconds, rounded up"
    (create,) = fake.calls_to("POST", r"/v1/predictions")
    assert create.json() == {
        "version": MUSICGEN_VERSION,
        "input": {
            "prompt": "tense night chase, 120 bpm",
            "duration": 8,
            "output_format": "wav",
            "normalization_strategy": "loudness",
            "model_version": "stereo-large",
            "seed": 3,
        },
    }


def test_longer_than_musicgen_makes_is_refused_before_sending(tmp_path: Path, fake: FakeReplicateMusic) -> None:
    with pytest.raises(InputRejected, match="MusicGen \\(Meta\\) makes music 1 s to 30 s long, not 45 s"):
        _make(tmp_path, fake, _music(duration_us=45_000_000))
    assert fake.calls_to("POST", r"/v1/predictions") == []


def test_a_lost_create_answer_is_found_and_never_sent_again(tmp_path: Path, fake: FakeReplicateMusic) -> None:
    fake.inject("POST", "/v1/predictions", kind="drop", after_handler=True)
    outcome = _make(tmp_path, fake, _music())

    assert fake.creates() == 1 and len(fake.predictions) == 1, "found among the recent predictions, not made again"
    record = journal_for(tmp_path / "project").get(outcome.job_id)
    assert record.provider_job_id == "music:" + next(iter(fake.predictions))
    assert record.phase is JobPhase.DOWNLOADED
