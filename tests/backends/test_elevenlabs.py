"""ElevenLabs' voices through the `elevenlabs` backend (voices only): a line spoken in a premade voice lands as a WAV
with its word times beside it (media/<job>.words.json, from ElevenLabs' character alignment); a lost answer is never
paid twice; refusals say what to change; the backend is never offered for a shot's clip."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import AmbiguousSubmit, AuthFailed, InputRejected, QuotaExceeded
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import GenerationOutcome, run_generation
from shotline.media.probe import admit
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.elevenlabs import KEY, FakeElevenLabs

SPEAK = r"/v1/text-to-speech/.*/with-timestamps"
GEORGE = "JBFqnCBsd6RMkjVDRZzb"

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def fake() -> Iterator[FakeElevenLabs]:
    with FakeElevenLabs() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeElevenLabs, key: str = KEY) -> GenerationBackend:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    return registry.create("elevenlabs", provider_context(tmp_path, "elevenlabs", fake.url, key=key))


def _line(words: str = "The boats are late.", **options: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "kind": MediaKind.SPEECH, "prompt": words}
    return cloud_request(
        "elevenlabs", "eleven_multilingual_v2", options={"voice": GEORGE, "line": "l1", **options}, **fields
    )


def _make(tmp_path: Path, fake: FakeElevenLabs, request: GenerationRequest, key: str = KEY) -> GenerationOutcome:
    project = tmp_path / "project"

    async def scenario() -> GenerationOutcome:
        backend = _backend(tmp_path, fake, key)
        journal = journal_for(project)
        try:
            return await run_generation(
                add_job(journal, request),
                backend=backend,
                journal=journal,
                probe=admit,
                project_dir=project,
                poll_seconds=0.01,
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_a_line_lands_as_a_wav_with_its_word_times_beside_it(tmp_path: Path, fake: FakeElevenLabs) -> None:
    outcome = _make(tmp_path, fake, _line(stability=0.5, speed=1.2))

    assert outcome.spoken and outcome.take.media == f"media/{outcome.job_id}.wav"
    assert abs(outcome.take.info.duration_us - 19 * 50_000) < 1_000  # 60 ms a character at 1.2×
    words = json.loads((tmp_path / "project" / f"media/{outcome.job_id}.words.json").read_text(encoding="utf-8"))
    assert [w["text"] for w in words] == ["The", "boats", "are", "late."]
    assert (words[1]["start_us"], words[1]["end_us"]) == (200_000, 450_000)  # characters 4–8 of 19
    (sent,) = fake.spoken
    assert (sent["voice"], sent["output_format"], sent["model_id"]) == (GEORGE, "pcm_24000", "eleven_multilingual_v2")
    assert sent["voice_settings"] == {"stability": 0.5, "speed": 1.2}


def test_a_line_whose_answer_was_lost_is_uncertain_and_never_spoken_again(tmp_path: Path, fake: FakeElevenLabs) -> None:
    fake.inject("POST", SPEAK, kind="drop", after_handler=True)
    request = _line()
    with pytest.raises(AmbiguousSubmit):
        _make(tmp_path, fake, request)
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.UNCERTAIN
    assert fake.count("POST", SPEAK) == 1


@pytest.mark.parametrize(
    ("request_", "key", "error", "said"),
    [
        (_line(voice="nobody"), KEY, InputRejected, r"no voice 'nobody'; choose one of: 21m00Tcm4TlvDq8ikWAM"),
        (_line(speed=3), KEY, InputRejected, r"speed of 0.7 to 1.2, not 3"),
        (_line(), "sk_wrong_key_0000", AuthFailed, r"did not accept the API key.*Edit → API keys"),
        (_line("x" * 2000), KEY, QuotaExceeded, r"no characters left"),
    ],
)
def test_refusals_say_what_to_change(
    tmp_path: Path, fake: FakeElevenLabs, request_: GenerationRequest, key: str, error: type[Exception], said: str
) -> None:
    fake.quota_left = 1_000
    with pytest.raises(error, match=said) as caught:
        _make(tmp_path, fake, request_, key)
    assert key not in str(caught.value)
    assert fake.characters == 0


def test_a_voices_only_backend_is_offered_for_voices_and_keys_never_for_a_shot() -> None:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    assert "elevenlabs" not in registry.ids() and "elevenlabs" not in [i.id for i in registry.infos()]
    assert "elevenlabs" in [i.id for i in registry.all_infos() if i.voice_models and i.needs_key]
