"""fal.ai's music (Stable Audio) through the fal backend as the registry builds it, against the fake queue the SDK
proves, driven by the real job code and journal: what is sent, the sound fetched, its price, and never paying twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import AmbiguousSubmit, InputRejected
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import UNCERTAIN_MESSAGE, GenerationOutcome, run_generation
from shotline.media.probe import probe
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.fal import KEY
from tests.fakes.fal_music import FakeFalMusic

STABLE_AUDIO = "/fal-ai/stable-audio-25/text-to-audio"


@pytest.fixture
def fake() -> Iterator[FakeFalMusic]:
    with FakeFalMusic(queue_polls=1, run_polls=1) as server:
        yield server


def _backend(tmp_path: Path, fake: FakeFalMusic) -> GenerationBackend:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    return registry.create("fal", provider_context(tmp_path, "fal", fake.url, key=KEY))


def _music(model: str = "stable-audio-25", **changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"kind": MediaKind.MUSIC, "prompt": "calm harbour at dawn, slow strings"}
    return cloud_request("fal", model, **{"duration_us": 9_400_000, **fields, **changes})


def _make(tmp_path: Path, fake: FakeFalMusic, request: GenerationRequest) -> GenerationOutcome:
    project = tmp_path / "project"
    journal = journal_for(project)

    async def scenario() -> GenerationOutcome:
        backend = _backend(tmp_path, fake)
        try:
            return await run_generation(
                add_job(journal, request),
                backend=backend,
                journal=journal,
                probe=probe,
                project_dir=project,
                poll_seconds=0.01,
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_music_is_queued_followed_and_fetched_as_a_sound(tmp_path: Path, fake: FakeFalMusic) -> None:
    outcome = _make(tmp_path, fake, _music(seed=11))

    assert outcome.scored and outcome.take.media == f"media/{outcome.job_id}.wav"
    assert outcome.take.info.has_audio and outcome.take.info.duration_us == 10_000_000, "whole seconds, rounded up"
    (submit,) = fake.submits()
    assert submit.path == STABLE_AUDIO
    assert submit.json() == {"prompt": "calm harbour at dawn, slow strings", "seconds_total": 10, "seed": 11}
    record = journal_for(tmp_path / "project").get(outcome.job_id)
    assert record.provider_job_id.startswith("music:fal-ai/stable-audio-25/text-to-audio|")


def test_stable_audio_open_is_read_from_its_own_result_field(tmp_path: Path, fake: FakeFalMusic) -> None:
    outcome = _make(tmp_path, fake, _music("stable-audio-open", duration_us=4_000_000))
    assert outcome.take.info.duration_us == 4_000_000
    assert fake.submits()[0].json() == {"prompt": "calm harbour at dawn, slow strings", "seconds_total": 4}


def test_a_length_the_model_does_not_make_is_refused_before_sending(tmp_path: Path, fake: FakeFalMusic) -> None:
    with pytest.raises(InputRejected, match="Stable Audio Open makes music 1 s to 47 s long, not 60 s"):
        _make(tmp_path, fake, _music("stable-audio-open", duration_us=60_000_000))
    assert fake.submits() == []


def test_stable_audio_25_is_priced_per_request() -> None:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    estimate = registry.estimate(_music())
    assert estimate == Decimal("0.20"), "$0.20 a request, whatever its length"


def test_a_lost_create_answer_is_uncertain_and_never_sent_again(tmp_path: Path, fake: FakeFalMusic) -> None:
    fake.inject("POST", STABLE_AUDIO, kind="drop", after_handler=True)
    request = _music()
    with pytest.raises(AmbiguousSubmit):
        _make(tmp_path, fake, request)
    record = journal_for(tmp_path / "project").get(request.job_id)
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert len(fake.submits()) == 1 and len(fake.jobs) == 1
