"""What every music backend shares: music as another kind of one backend id, and the animatic's offline bed.

- **One backend, another kind.** A provider's music uses its key, its journal rows and its price table like its
  clips, stills and voices, so `with_music` nests it under the same backend id (`ByKind`, by MediaKind.MUSIC, with
  provider ids prefixed `music:` so a poll, download or cancel after a restart reaches the adapter that made it).
- **The offline bed.** The animatic makes its music on this computer (media.bed, through the context's
  `bed_renderer`), straight onto a `StillShelf` in its own folder before the create returns, as an offline voice
  does: the job path stays submit → poll → download, and a job whose create ran before a crash finds its bed again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.backends.stills import ByKind, StillShelf
from shotline.core.errors import InputRejected, JobFailed
from shotline.core.lengths import seconds_text
from shotline.core.ports import (
    BackendInfo,
    GenerationBackend,
    GenerationRequest,
    JobStatus,
    MediaKind,
    ModelInfo,
    ProgressSink,
    SentCreate,
)

PREFIX = "music:"


def with_music(spec: BackendSpec, music: Callable[[BackendContext], GenerationBackend]) -> BackendSpec:
    """`spec` whose backend also makes music, with `music` (the provider's music adapter)."""

    def create(ctx: BackendContext) -> GenerationBackend:
        return ByKind(spec.create(ctx), music(ctx), kind=MediaKind.MUSIC, prefix=PREFIX)

    return replace(spec, create=create)


def music_model(info: BackendInfo, request: GenerationRequest, provider: str) -> ModelInfo:
    """The music model a request names, and its length checked against what the model makes (InputRejected naming
    the range before anything is sent)."""
    from shotline.backends.catalogue import offered_model

    model = offered_model(info, request.model, provider, MediaKind.MUSIC)
    if not model.min_duration_us <= request.duration_us <= model.max_duration_us:
        raise InputRejected(
            f"{model.label} makes music {seconds_text(model.min_duration_us)} to {seconds_text(model.max_duration_us)} "
            f"long, not {seconds_text(request.duration_us)}; ask for a length in that range (it loops to the film)."
        )
    if not request.prompt.strip():
        raise InputRejected("Say what the music should be like (its mood, instruments, tempo) in the prompt.")
    return model


class AnimaticBed:
    """The animatic's music adapter: a quiet bed made on this computer (media.bed), free and keyless."""

    provider = "Animatic"

    def __init__(self, info: BackendInfo, ctx: BackendContext) -> None:
        self._info = info
        self._ctx = ctx
        self._shelf = StillShelf(ctx.work_dir / "music", self.provider, "music")

    @property
    def info(self) -> BackendInfo:
        return self._info

    async def submit(self, request: GenerationRequest) -> str:
        music_model(self._info, request, self.provider)
        if self._ctx.bed_renderer is None:
            raise JobFailed("This Shotline was started without its music maker; restart it and try again.")
        folder = self._ctx.work_dir / "music"
        folder.mkdir(parents=True, exist_ok=True)
        made = folder / f".{request.job_id}.wav"
        try:
            await self._ctx.bed_renderer(request.prompt, request.duration_us, made, _ignore)
            sound = made.read_bytes()
        finally:
            made.unlink(missing_ok=True)
        return await self._shelf.keep(request, sound, "wav")

    async def poll(self, provider_job_id: str) -> JobStatus:
        return await self._shelf.status(provider_job_id)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        await self._shelf.copy(provider_job_id, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        await self._shelf.remove(provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        return await self._shelf.find(request.job_id)

    async def aclose(self) -> None:
        return None


def _ignore(_value: float) -> None:
    return None
