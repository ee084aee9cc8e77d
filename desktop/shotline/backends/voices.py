"""What every voice backend shares: voices as a third kind of one backend id, and speech answered at once.

- **One backend, another kind.** A provider's voices use its key, its journal rows and its price table like its
  clips and stills, so `with_voices` nests them under the same backend id as `with_stills` does stills (`ByKind`, by
  MediaKind.SPEECH, with provider ids prefixed `voice:` so a poll, download or cancel after a restart reaches the
  adapter that made it).
- **Speech answered at once.** Every speech endpoint Shotline uses (the OS engine, OpenAI's, ElevenLabs', Google's)
  answers the create with the sound itself. `SpokenAtOnce` keeps it on a `StillShelf` in the backend's own folder
  before the create returns, so the job path stays submit → poll → download, the sound survives a restart, and a
  job whose create went out before a crash finds its sound again instead of paying for another; a create whose
  answer was lost leaves nothing, and the job is then uncertain, never sent again blindly (jobs.generation).
"""

from __future__ import annotations

import abc
import asyncio
import io
import json
import shutil
import wave
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.backends.stills import ByKind, StillShelf
from shotline.core.errors import InputRejected
from shotline.core.ports import (
    WORDS_SUFFIX,
    BackendInfo,
    GenerationBackend,
    GenerationRequest,
    JobStatus,
    MediaKind,
    ModelInfo,
    ProgressSink,
    SentCreate,
)

PREFIX = "voice:"
MAX_CHARACTERS = 4096
"""The longest line sent at once: OpenAI's speech endpoint takes up to 4096 characters, and a dialogue line
longer than that is a monologue better split into lines."""


def with_voices(spec: BackendSpec, voices: Callable[[BackendContext], GenerationBackend]) -> BackendSpec:
    """`spec` whose backend also speaks lines, with `voices` (the provider's speech adapter)."""

    def create(ctx: BackendContext) -> GenerationBackend:
        return ByKind(spec.create(ctx), voices(ctx), kind=MediaKind.SPEECH, prefix=PREFIX)

    return replace(spec, create=create)


@dataclass(frozen=True, slots=True)
class Spoken:
    """A provider's answer: the sound, in what format ("wav", "mp3"), and when each word is said where the provider
    says so (ElevenLabs' alignment): (word, start µs, end µs) in the sound's own time."""

    sound: bytes
    format: str
    words: tuple[tuple[str, int, int], ...] = ()


def pcm_wav(pcm: bytes, rate: int) -> bytes:
    """Bare 16-bit mono PCM (what Google and ElevenLabs send) as a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as written:
        written.setnchannels(1)
        written.setsampwidth(2)
        written.setframerate(rate)
        written.writeframes(pcm[: len(pcm) - len(pcm) % 2])
    return out.getvalue()


def voice_of(request: GenerationRequest, model: ModelInfo) -> str:
    """The voice a speech request names (its model's first voice when it names none); InputRejected for a voice
    a model that lists its voices does not offer, naming those it does (the provider would refuse it after the
    request went out)."""
    voice = str(request.options.get("voice", "") or "")
    if not voice:
        # a model that lists no voices speaks with whatever the engine has (the OS's own): "" is its default one
        return model.voices[0] if model.voices else ""
    if model.voices and voice not in model.voices:
        raise InputRejected(
            f"{model.label} has no voice {voice!r}; choose one of: {', '.join(model.voices)} (Cast & places)."
        )
    return voice


def checked_words(request: GenerationRequest) -> str:
    words = request.prompt.strip()
    if not words:
        raise InputRejected("This line has no words to speak; write them first.")
    if len(words) > MAX_CHARACTERS:
        raise InputRejected(
            f"This line is {len(words)} characters long; a voice speaks at most {MAX_CHARACTERS} at once. "
            "Split it into shorter lines."
        )
    return words


class SpokenAtOnce(abc.ABC):
    """A speech adapter whose provider answers the create with the sound: it keeps it on a shelf, then plays the
    ordinary job path from there (module docstring). Subclasses say what they are and `speak`."""

    provider: str = ""

    def __init__(self, info: BackendInfo, ctx: BackendContext) -> None:
        self._info = info
        self._ctx = ctx
        self._shelf = StillShelf(ctx.work_dir / "voices", self.provider, "voice take")

    @property
    def info(self) -> BackendInfo:
        return self._info

    def model(self, request: GenerationRequest) -> ModelInfo:
        from shotline.backends.catalogue import offered_model

        return offered_model(self._info, request.model, self.provider, MediaKind.SPEECH)

    @abc.abstractmethod
    async def speak(self, request: GenerationRequest, model: ModelInfo, voice: str, words: str) -> Spoken:
        """Ask the provider to speak `words`; raises a BackendError saying what went wrong."""

    async def submit(self, request: GenerationRequest) -> str:
        model = self.model(request)
        spoken = await self.speak(request, model, voice_of(request, model), checked_words(request))
        if spoken.words:  # on the shelf before the sound, so a sound that is there has its words beside it
            await asyncio.to_thread(self._keep_words, request.job_id, spoken.words)
        return await self._shelf.keep(request, spoken.sound, spoken.format)

    async def poll(self, provider_job_id: str) -> JobStatus:
        return await self._shelf.status(provider_job_id)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        await self._shelf.copy(provider_job_id, dest, progress)
        job_id = await self._shelf.job_of(provider_job_id)
        words = self._ctx.work_dir / "voices" / f"{job_id}{WORDS_SUFFIX}"
        found: bool = bool(job_id) and await asyncio.to_thread(words.is_file)
        if found:
            # beside the sound in .partial; jobs.generation moves it into media/ with the sound
            await asyncio.to_thread(shutil.copyfile, words, dest.with_suffix(WORDS_SUFFIX))

    async def cancel(self, provider_job_id: str) -> None:
        await self._shelf.remove(provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        return await self._shelf.find(request.job_id)

    async def aclose(self) -> None:
        return None

    def _keep_words(self, job_id: str, words: tuple[tuple[str, int, int], ...]) -> None:
        folder = self._ctx.work_dir / "voices"
        folder.mkdir(parents=True, exist_ok=True)
        said = [{"text": text, "start_us": start, "end_us": end} for text, start, end in words]
        temp = folder / f".{job_id}{WORDS_SUFFIX}.part"
        temp.write_text(json.dumps(said), encoding="utf-8")
        temp.replace(folder / f"{job_id}{WORDS_SUFFIX}")
