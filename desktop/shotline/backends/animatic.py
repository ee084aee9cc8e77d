"""The built-in offline backend: renders each shot as a timed title card of its prompt (an animatic).

It goes through the same job path as a cloud backend — submit, poll, download — so the whole generation flow can be
used and tested without a key or a network. Its "provider" is a folder: `<id>.json` is the accepted request and
`<id>.mp4` the finished clip (`<id>.png` for a still card), so a job survives a restart and is re-rendered if the
clip was not finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from shotline.backends import builtin
from shotline.backends.registry import BackendContext
from shotline.core.cleanup import clean_up_on_thread
from shotline.core.errors import InputRejected, JobFailed, ShotlineError
from shotline.core.ports import (
    BackendInfo,
    GenerationRequest,
    JobState,
    JobStatus,
    MediaKind,
    ModelInfo,
    ProgressSink,
    SentCreate,
    TitleCard,
)

log = logging.getLogger(__name__)

_ID = re.compile(r"[0-9a-f]{32}")
_CHUNK = 1 << 20
_TONE_HZ = 220

PALETTE: tuple[str, ...] = (
    "#9e2828",  # red
    "#28459e",  # blue
    "#207f20",  # green
    "#9c6127",  # orange
    "#59289e",  # violet
    "#1f7d66",  # teal
    "#9e2859",  # rose
    "#247691",  # sea blue
    "#78701e",  # olive
    "#9e289e",  # magenta
)
"""Card backgrounds: saturated, dark enough for white text (contrast of 5:1 or more), hues spread round the
wheel and ordered so that neighbouring shots are far apart."""

INFO = builtin.ANIMATIC


def card_colour(shot_number: int) -> str:
    """The background colour of a shot's card; shot 1 takes the first colour, and the palette repeats."""
    return PALETTE[(shot_number - 1) % len(PALETTE)]


def card_for(request: GenerationRequest, model: ModelInfo) -> TitleCard:
    """The card a request asks for: its title (if any) over its prompt, no shot number (shots get reordered)."""
    return TitleCard(
        prompt=request.prompt,
        label=request.label,
        duration_us=request.duration_us,
        size=request.size,
        fps=request.fps,
        background=card_colour(request.shot_number),
        tone_hz=_TONE_HZ if request.audio and model.audio else None,
        still=request.kind is MediaKind.IMAGE,
    )


@dataclass
class _Render:
    task: asyncio.Task[None]
    started: bool = False
    progress: float = 0.0
    error: str = ""


class AnimaticBackend:
    """Implements `GenerationBackend` by rendering cards into `ctx.work_dir` with the injected card renderer."""

    def __init__(self, ctx: BackendContext) -> None:
        self._ctx = ctx
        self._dir = ctx.work_dir
        self._renders: dict[str, _Render] = {}
        # ffmpeg already uses several cores per render; more at once would only slow every card down
        self._slots = asyncio.Semaphore(INFO.max_concurrency)
        self._closed = False

    @property
    def info(self) -> BackendInfo:
        return INFO

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        model = _check(request)
        provider_id = uuid.uuid4().hex
        await asyncio.to_thread(self._write_request, provider_id, request)
        self._start(provider_id, card_for(request, model))
        log.info("Animatic job %s accepted for job %s", provider_id, request.job_id)
        return provider_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        render = self._renders.get(provider_job_id)
        if render is None:
            return await self._poll_from_disk(provider_job_id)
        if not render.task.done():
            if not render.started:
                return JobStatus(JobState.QUEUED, message="Waiting for another card to finish rendering")
            return JobStatus(JobState.RUNNING, progress=render.progress)
        if render.error:
            return JobStatus(JobState.FAILED, message=render.error)
        if render.task.cancelled():
            return JobStatus(JobState.CANCELLED, message="The animatic render was cancelled.")
        return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(str(self._made(provider_job_id)),))

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        source = await asyncio.to_thread(self._made, provider_job_id) if _ID.fullmatch(provider_job_id) else None
        if source is None or not await asyncio.to_thread(source.is_file):
            raise JobFailed(
                f"The animatic clip for job {provider_job_id!r} is not there any more; generate the shot again."
            )
        await _copy(source, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        render = self._renders.pop(provider_job_id, None)
        if render is not None:
            render.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await render.task
        if _ID.fullmatch(provider_job_id):
            await asyncio.to_thread(self._remove_files, provider_job_id)
        log.info("Animatic job %s cancelled", provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        return await asyncio.to_thread(self._find_sync, request.job_id)

    async def aclose(self) -> None:
        self._closed = True
        renders, self._renders = list(self._renders.values()), {}
        for render in renders:
            render.task.cancel()
        for render in renders:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await render.task

    # ------------------------------------------------------------------------------------------ rendering

    def _start(self, provider_id: str, card: TitleCard) -> None:
        task = asyncio.get_running_loop().create_task(self._render(provider_id, card), name=f"animatic-{provider_id}")
        self._renders[provider_id] = _Render(task)

    async def _render(self, provider_id: str, card: TitleCard) -> None:
        render_state = self._renders[provider_id]
        partial = self._dir / f"{provider_id}.part{_suffix(card)}"

        def on_progress(value: float) -> None:
            render_state.progress = max(render_state.progress, min(1.0, value))

        try:
            async with self._slots:
                render_state.started = True
                await self._ctx.card_renderer(card, partial, on_progress)
            # The clip only gets its final name once complete, so "the mp4 exists" always means "finished".
            await asyncio.to_thread(os.replace, partial, self._dir / f"{provider_id}{_suffix(card)}")
        except asyncio.CancelledError:
            with contextlib.suppress(OSError):
                await clean_up_on_thread(partial.unlink, missing_ok=True)
            raise
        except ShotlineError as exc:
            log.warning("Animatic render %s failed: %s", provider_id, exc)
            render_state.error = f"The animatic card could not be rendered: {exc}"
        except Exception as exc:
            log.exception("Animatic render %s failed unexpectedly", provider_id)
            render_state.error = f"The animatic card could not be rendered ({type(exc).__name__}: {exc})."
        else:
            render_state.progress = 1.0

    async def _poll_from_disk(self, provider_id: str) -> JobStatus:
        """A job this object did not start: finished on disk, resumed, or unknown."""
        if not _ID.fullmatch(provider_id) or not await asyncio.to_thread(self._json(provider_id).is_file):
            return JobStatus(
                JobState.FAILED,
                message=f"The animatic has no job {provider_id!r}; its files may have been deleted. Generate again.",
            )
        made = await asyncio.to_thread(self._made, provider_id)
        if made.is_file():
            return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(str(made),))
        if self._closed:
            return JobStatus(JobState.QUEUED, message="The animatic is shutting down; the card resumes next time.")
        try:
            request = await asyncio.to_thread(self._read_request, provider_id)
            model = _check(request)
        except (OSError, ValueError, KeyError, InputRejected) as exc:
            return JobStatus(JobState.FAILED, message=f"The animatic job {provider_id!r} cannot be resumed: {exc}")
        log.info("Resuming animatic job %s after a restart", provider_id)
        self._start(provider_id, card_for(request, model))
        return JobStatus(JobState.RUNNING, progress=0.0)

    # ------------------------------------------------------------------------------------------ files

    def _json(self, provider_id: str) -> Path:
        return self._dir / f"{provider_id}.json"

    def _made(self, provider_id: str) -> Path:
        """The finished clip, or the finished still; the clip's name when neither is there yet."""
        still = self._dir / f"{provider_id}.png"
        return still if still.is_file() else self._dir / f"{provider_id}.mp4"

    def _write_request(self, provider_id: str, request: GenerationRequest) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        target = self._json(provider_id)
        temp = target.with_suffix(".json.tmp")
        with temp.open("w", encoding="utf-8") as handle:
            json.dump(request.to_json(), handle, ensure_ascii=False, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(target)

    def _read_request(self, provider_id: str) -> GenerationRequest:
        data = json.loads(self._json(provider_id).read_text(encoding="utf-8"))
        return GenerationRequest.from_json(data)

    def _remove_files(self, provider_id: str) -> None:
        for suffix in (".json", ".mp4", ".part.mp4", ".png", ".part.png"):
            (self._dir / f"{provider_id}{suffix}").unlink(missing_ok=True)

    def _find_sync(self, job_id: str) -> str | None:
        if not self._dir.is_dir():
            return None
        for path in sorted(self._dir.glob("*.json")):
            if not _ID.fullmatch(path.stem):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                log.warning("Ignoring unreadable animatic job file %s", path)
                continue
            if isinstance(data, dict) and data.get("job_id") == job_id:
                return path.stem
        return None


def _check(request: GenerationRequest) -> ModelInfo:
    if request.kind is MediaKind.IMAGE:
        still = INFO.still_model(request.model)
        if still is None:
            known = ", ".join(m.id for m in INFO.still_models)
            raise InputRejected(f"The animatic has no still model {request.model!r}; choose one of: {known}.")
        return still
    model = INFO.model(request.model)
    if model is None:
        known = ", ".join(m.id for m in INFO.models)
        raise InputRejected(f"The animatic has no model {request.model!r}; choose one of: {known}.")
    if not model.min_duration_us <= request.duration_us <= model.max_duration_us:
        raise InputRejected(
            f"An animatic card must last between {model.min_duration_us // 1_000_000} and "
            f"{model.max_duration_us // 1_000_000} seconds; change the shot's duration."
        )
    return model


def _suffix(card: TitleCard) -> str:
    return ".png" if card.still else ".mp4"


async def _copy(source: Path, dest: Path, progress: ProgressSink) -> None:
    """Copy in chunks off the loop thread, reporting progress between chunks."""
    total = (await asyncio.to_thread(source.stat)).st_size
    done = 0
    src = await asyncio.to_thread(source.open, "rb")
    try:
        dst = await asyncio.to_thread(dest.open, "wb")
        try:
            while chunk := await asyncio.to_thread(src.read, _CHUNK):
                await asyncio.to_thread(dst.write, chunk)
                done += len(chunk)
                progress(done / total if total else 1.0)
            await asyncio.to_thread(os.fsync, dst.fileno())
        finally:
            dst.close()
    finally:
        src.close()
    progress(1.0)
