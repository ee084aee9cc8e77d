"""OpenAI's voices through the `openai` backend (backends.voices.with_voices): a line spoken, kept and fetched along
the ordinary job path; a lost answer is never paid twice; a refusal says what to change."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import AmbiguousSubmit, AuthFailed, InputRejected, JobFailed
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import UNCERTAIN_MESSAGE, GenerationOutcome, run_generation
from shotline.media.probe import admit
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.openai import KEY
from tests.fakes.openai_speech import FakeOpenAISpeech

SPEECH = r"/v1/audio/speech"

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def fake() -> Iterator[FakeOpenAISpeech]:
    with FakeOpenAISpeech() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeOpenAISpeech, key: str | None = KEY) -> GenerationBackend:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    return registry.create("openai", provider_context(tmp_path, "openai", fake.api_url, key=key))


def _line(model: str = "gpt-4o-mini-tts", **options: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "kind": MediaKind.SPEECH, "prompt": "The boats are late."}
    return cloud_request("openai", model, options={"voice": "nova", "line": "l1", **options}, **fields)


def _make(tmp_path: Path, fake: FakeOpenAISpeech, request: GenerationRequest, **kw: Any) -> GenerationOutcome:
    project = tmp_path / "project"

    async def scenario() -> GenerationOutcome:
        backend = _backend(tmp_path, fake, **kw)
        journal = journal_for(project)
        record = journal.get(request.job_id) if any(r.id == request.job_id for r in journal.all()) else None
        try:
            return await run_generation(
                record or add_job(journal, request),
                backend=backend,
                journal=journal,
                probe=admit,
                project_dir=project,
                poll_seconds=0.01,
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_a_line_lands_as_a_wav_spoken_in_its_members_voice(tmp_path: Path, fake: FakeOpenAISpeech) -> None:
    outcome = _make(tmp_path, fake, _line(speed=1.5, instructions="Worried."))

    assert outcome.spoken and outcome.take.media.endswith(".wav")
    assert outcome.take.info.has_audio and not outcome.take.info.has_video
    # 19 characters at 60 ms each, spoken at 1.5×: the fake's tone, to the millisecond
    assert abs(outcome.take.info.duration_us - 760_000) < 1_000
    assert fake.spoken == [
        {
            "model": "gpt-4o-mini-tts",
            "input": "The boats are late.",
            "voice": "nova",
            "response_format": "wav",
            "speed": 1.5,
            "instructions": "Worried.",
        }
    ]
    assert journal_for(tmp_path / "project").get(outcome.job_id).provider_job_id.startswith("voice:")


def test_tts_1_is_never_sent_instructions(tmp_path: Path, fake: FakeOpenAISpeech) -> None:
    _make(tmp_path, fake, _line("tts-1", instructions="Worried."))
    assert "instructions" not in fake.spoken[0]


def test_a_line_whose_answer_was_lost_is_uncertain_and_never_spoken_again(
    tmp_path: Path, fake: FakeOpenAISpeech
) -> None:
    fake.inject("POST", SPEECH, kind="drop", after_handler=True)
    request = _line()
    with pytest.raises(AmbiguousSubmit, match="check your provider dashboard"):
        _make(tmp_path, fake, request)
    with pytest.raises(JobFailed, match="already ended"):
        _make(tmp_path, fake, request)  # a resume does not send it again

    record = journal_for(tmp_path / "project").get(request.job_id)
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert fake.count("POST", SPEECH) == 1 and fake.characters == len(request.prompt), "paid once"


def test_a_line_kept_before_a_crash_is_found_on_resume_not_paid_again(tmp_path: Path, fake: FakeOpenAISpeech) -> None:
    request = _line()
    journal = journal_for(tmp_path / "project")
    add_job(journal, request)

    async def crash_after_the_answer() -> str:
        backend = _backend(tmp_path, fake)
        try:
            journal.update(request.job_id, phase=JobPhase.SENDING, sent_at="2026-12-07T17:00:00+00:00")
            return await backend.submit(request)  # the sound is kept; the journal never hears of it
        finally:
            await backend.aclose()

    kept = asyncio.run(crash_after_the_answer())
    outcome = _make(tmp_path, fake, request)

    assert fake.count("POST", SPEECH) == 1
    assert journal.get(request.job_id).provider_job_id == kept
    assert (tmp_path / "project" / outcome.take.media).read_bytes()[:4] == b"RIFF"


@pytest.mark.parametrize(
    ("request_", "key", "error", "said"),
    [
        (_line(voice="bob"), KEY, InputRejected, r"no voice 'bob'; choose one of: alloy, ash"),
        (_line(speed=9), KEY, InputRejected, r"speed of 9 .* 0.25 to 4.0"),
        (_line(), "sk-wrong-key-000000", AuthFailed, r"did not accept the API key.*Edit → API keys"),
        (_line("sora-2"), KEY, InputRejected, r"no voice model 'sora-2'.*gpt-4o-mini-tts, tts-1"),
        (replace(_line(), prompt="x" * 4097), KEY, InputRejected, r"4097 characters.*Split it"),
    ],
)
def test_refusals_say_what_to_change_and_speak_nothing(
    tmp_path: Path, fake: FakeOpenAISpeech, request_: GenerationRequest, key: str, error: type[Exception], said: str
) -> None:
    with pytest.raises(error, match=said) as caught:
        _make(tmp_path, fake, request_, key=key)
    assert key not in str(caught.value)
    assert journal_for(tmp_path / "project").get(request_.job_id).phase is JobPhase.FAILED
    assert fake.characters == 0
