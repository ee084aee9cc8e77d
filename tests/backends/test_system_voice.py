"""The offline voice: this computer's speech engine (espeak-ng here, through pyttsx3) speaks a line through the
animatic backend's job path, with no key and no network."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendContext, BackendRegistry
from shotline.backends.system_voice import system_voices
from shotline.core.errors import InputRejected, JobFailed
from shotline.core.ports import GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import GenerationOutcome, run_generation
from shotline.media.probe import admit
from tests.backends.adapter_kit import add_job, cloud_request, journal_for

pytestmark = pytest.mark.ffmpeg


class _NoKeys:
    def get(self, backend_id: str) -> str | None:
        return None


async def _card(*_: Any) -> None:
    raise AssertionError("a voice renders no card")


def _line(**options: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "kind": MediaKind.SPEECH, "prompt": "The boats are late tonight."}
    return cloud_request("animatic", "system-voice", options={"line": "l1", **options}, **fields)


def _speak(tmp_path: Path, request: GenerationRequest) -> GenerationOutcome:
    project = tmp_path / "project"
    ctx = BackendContext(secrets=_NoKeys(), work_dir=tmp_path / "work", card_renderer=_card)

    async def scenario() -> GenerationOutcome:
        backend = BackendRegistry(BUILTIN_SPECS, discover=False).create("animatic", ctx)
        try:
            return await run_generation(
                add_job(journal_for(project), request),
                backend=backend,
                journal=journal_for(project),
                probe=admit,
                project_dir=project,
                poll_seconds=0.01,
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_a_line_is_spoken_offline_into_a_wav(tmp_path: Path) -> None:
    outcome = _speak(tmp_path, _line())
    assert outcome.spoken and outcome.take.media.endswith(".wav")
    assert outcome.take.info.has_audio and outcome.take.info.duration_us > 500_000
    assert journal_for(tmp_path / "project").get(outcome.job_id).phase is JobPhase.DOWNLOADED


def test_this_computers_voices_are_listed_by_id_and_name() -> None:
    voices = {voice.id: voice.name for voice in system_voices()}
    assert voices["gmw/en"] == "English (Great Britain)" and len(voices) > 20


@pytest.mark.parametrize(
    ("options", "said"),
    [({"voice": "no/such-voice"}, r"has no voice 'no/such-voice'")],
)
def test_what_the_engine_cannot_do_is_said(tmp_path: Path, options: dict[str, Any], said: str) -> None:
    with pytest.raises(InputRejected, match=said):
        _speak(tmp_path, _line(**options))


def test_an_engine_that_hands_back_an_empty_file_is_asked_once_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyttsx3's espeak-ng driver now and then writes a header and no sound for a line it speaks when asked again."""
    from shotline.backends import system_voice

    real = system_voice._spoken_once
    empty_first = [b"RIFF" + bytes(40)]
    monkeypatch.setattr(system_voice, "_spoken_once", lambda w, v: empty_first.pop() if empty_first else real(w, v))
    assert len(system_voice._speak("Cast off.", "")) > 1000

    monkeypatch.setattr(system_voice, "_spoken_once", lambda w, v: b"")
    with pytest.raises(JobFailed, match="made no sound for the line"):
        system_voice._speak("Cast off.", "")
