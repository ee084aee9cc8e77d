"""Google's voices through the `google` backend: a line spoken in a prebuilt voice, Google's bare PCM kept as a WAV
at the rate its MIME type names; a lost answer never paid twice; a refusal says what to change."""

from __future__ import annotations

import asyncio
import io
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import AmbiguousSubmit, ContentBlocked, InputRejected
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import GenerationOutcome, run_generation
from shotline.media.probe import admit
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.google import KEY
from tests.fakes.google_speech import FakeGoogleSpeech

SPEAK = r"/v1(beta)?/models/.*:generateContent"

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def fake() -> Iterator[FakeGoogleSpeech]:
    with FakeGoogleSpeech() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeGoogleSpeech) -> GenerationBackend:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    return registry.create("google", provider_context(tmp_path, "google", fake.url, key=KEY))


def _line(words: str = "The boats are late.", **options: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "kind": MediaKind.SPEECH, "prompt": words}
    return cloud_request(
        "google", "gemini-2.5-flash-preview-tts", options={"voice": "Kore", "line": "l1", **options}, **fields
    )


def _make(tmp_path: Path, fake: FakeGoogleSpeech, request: GenerationRequest) -> GenerationOutcome:
    project = tmp_path / "project"

    async def scenario() -> GenerationOutcome:
        backend = _backend(tmp_path, fake)
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


def test_a_line_lands_as_a_wav_of_googles_pcm(tmp_path: Path, fake: FakeGoogleSpeech) -> None:
    outcome = _make(tmp_path, fake, _line(style="Say it worried:"))

    assert outcome.spoken and outcome.take.media.endswith(".wav")
    with wave.open(io.BytesIO((tmp_path / "project" / outcome.take.media).read_bytes())) as sound:
        assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, 24_000)
    words = "Say it worried: The boats are late."
    assert abs(outcome.take.info.duration_us - len(words) * 60_000) < 1_000
    (sent,) = fake.spoken
    assert (sent["words"], sent["voice"]) == (words, "Kore")
    assert sent["config"]["speechConfig"] == {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}}


def test_a_line_whose_answer_was_lost_is_uncertain_and_never_spoken_again(
    tmp_path: Path, fake: FakeGoogleSpeech
) -> None:
    fake.inject("POST", SPEAK, kind="drop", after_handler=True)
    request = _line()
    with pytest.raises(AmbiguousSubmit):
        _make(tmp_path, fake, request)
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.UNCERTAIN
    assert len(fake.spoken) == 1


@pytest.mark.parametrize(
    ("request_", "error", "said"),
    [
        (_line(voice="Bob"), InputRejected, r"no voice 'Bob'; choose one of: Kore, Puck"),
        (_line("BLOCKME now"), ContentBlocked, r"safety filter refused to speak this line"),
    ],
)
def test_refusals_say_what_to_change(
    tmp_path: Path, fake: FakeGoogleSpeech, request_: GenerationRequest, error: type[Exception], said: str
) -> None:
    with pytest.raises(error, match=said):
        _make(tmp_path, fake, request_)
    assert journal_for(tmp_path / "project").get(request_.job_id).phase in (JobPhase.FAILED, JobPhase.BLOCKED)
    assert fake.characters == 0
