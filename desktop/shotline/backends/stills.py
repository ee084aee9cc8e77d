"""What every image backend shares: one backend id serving clips and stills, and a shelf for stills a provider
hands back in the create's own answer.

- **One backend, two kinds.** A provider's stills use its key, its journal rows and its price table like its clips,
  so they are one backend in the registry: `ByKind` sends a still request to the provider's image adapter and a
  clip request to its video adapter. A still's provider id carries the prefix `still:`, so a poll, a download or
  a cancel after a restart (when only the id is known) reaches the adapter that made it.
- **Stills answered at once.** OpenAI's and Google's image endpoints answer the create with the picture itself:
  there is no job to poll. `StillShelf` keeps that picture (and which job asked for it) in the backend's own
  folder before the create returns, so the job path stays submit → poll → download, the picture survives a
  restart, and a job whose create went out before a crash finds its picture again (`find`) instead of paying for
  another. A create whose answer was lost leaves nothing on the shelf: the job is then uncertain and never sent
  again blindly (jobs.generation).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import cast

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import JobFailed
from shotline.core.ports import (
    BackendInfo,
    GenerationBackend,
    GenerationRequest,
    JobState,
    JobStatus,
    KeyCheck,
    MediaKind,
    ProgressSink,
    SentCreate,
)

PREFIX = "still:"
_ID = re.compile(r"[0-9a-f]{32}")
_SUFFIXES = {"png": ".png", "jpeg": ".jpg", "jpg": ".jpg", "webp": ".webp", "wav": ".wav", "mp3": ".mp3"}
"""What a shelf keeps: pictures, and the speech a voice provider answers with at once (backends.voices)."""


class ByKind:
    """A `GenerationBackend` (and `KeyCheck`) that hands clips to `videos` and stills to `stills` — or, for another
    `kind` with its own `prefix`, that kind's requests to the second adapter (voices: backends.voices.with_voices),
    so one backend id nests as many kinds as its provider makes."""

    def __init__(
        self,
        videos: GenerationBackend,
        stills: GenerationBackend,
        *,
        kind: MediaKind = MediaKind.IMAGE,
        prefix: str = PREFIX,
    ) -> None:
        self._videos = videos
        self._stills = stills
        self._kind = kind
        self._prefix = prefix

    @property
    def info(self) -> BackendInfo:
        return self._videos.info

    async def submit(self, request: GenerationRequest) -> str:
        if request.kind is self._kind:
            return self._prefix + await self._stills.submit(request)
        return await self._videos.submit(request)

    async def poll(self, provider_job_id: str) -> JobStatus:
        backend, own = self._by_id(provider_job_id)
        return await backend.poll(own)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        backend, own = self._by_id(provider_job_id)
        await backend.download(own, status, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        backend, own = self._by_id(provider_job_id)
        await backend.cancel(own)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        if request.kind is not self._kind:
            return await self._videos.find(request, sent)
        found = await self._stills.find(request, sent)
        return self._prefix + found if found else None

    @property
    def checks_keys(self) -> bool:
        """Whether a part can try a key with a free request: a ByKind always has `check_key`, so being a KeyCheck
        says nothing (the keys dialog offered Test for a backend that could not test)."""
        return checks_keys(self._videos) or checks_keys(self._stills)

    async def check_key(self) -> str:
        for part in (self._videos, self._stills):
            if checks_keys(part):
                return await cast(KeyCheck, part).check_key()
        return "Shotline cannot test this key without making something; it is tried with the first job."

    async def aclose(self) -> None:
        try:
            await self._videos.aclose()
        finally:
            await self._stills.aclose()

    def _by_id(self, provider_job_id: str) -> tuple[GenerationBackend, str]:
        if provider_job_id.startswith(self._prefix):
            return self._stills, provider_job_id.removeprefix(self._prefix)
        return self._videos, provider_job_id


def checks_keys(backend: GenerationBackend) -> bool:
    """Whether `backend` can try its key with one free request (services.keys offers Test by it)."""
    if isinstance(backend, ByKind):
        return backend.checks_keys
    return isinstance(backend, KeyCheck)


def with_stills(spec: BackendSpec, stills: Callable[[BackendContext], GenerationBackend]) -> BackendSpec:
    """`spec` whose backend also makes stills, with `stills` (the provider's image adapter)."""

    def create(ctx: BackendContext) -> GenerationBackend:
        return ByKind(spec.create(ctx), stills(ctx))

    return replace(spec, create=create)


class StillShelf:
    """Pictures a provider answered a create with, kept in `folder` as `<id>.<suffix>` beside `<id>.json` (the job
    that asked), each written whole before it is named, so a picture that is there is complete."""

    def __init__(self, folder: Path, provider: str, thing: str = "still") -> None:
        self._folder = folder
        self._provider = provider
        self._thing = thing
        """What the creator calls what is kept ("still", "voice take"), for the messages."""

    async def keep(self, request: GenerationRequest, picture: bytes, image_format: str = "png") -> str:
        """Put the picture on the shelf; returns its id (the job's provider id)."""
        shelf_id = uuid.uuid4().hex
        suffix = _SUFFIXES.get(image_format.lower().strip(), ".png")
        await asyncio.to_thread(self._write, shelf_id, suffix, picture, request.job_id)
        return shelf_id

    async def keep_base64(self, request: GenerationRequest, encoded: object, image_format: str = "png") -> str:
        """`keep` for a picture sent as base64 text; JobFailed when it is not that (the answer was paid for, so
        the message says the provider sent no picture rather than asking to try again blindly)."""
        try:
            picture = base64.b64decode(str(encoded), validate=True) if isinstance(encoded, str) else b""
        except (binascii.Error, ValueError):
            picture = b""
        if not picture:
            raise JobFailed(f"{self._provider} answered without a readable picture; nothing was kept.")
        return await self.keep(request, picture, image_format)

    async def status(self, shelf_id: str) -> JobStatus:
        picture = await asyncio.to_thread(self._picture, shelf_id)
        if picture is None:
            return JobStatus(
                JobState.FAILED,
                message=f"The {self._thing} from {self._provider} is not in Shotline's folder any more; make it again.",
            )
        return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(str(picture),))

    async def copy(self, shelf_id: str, dest: Path, progress: ProgressSink) -> None:
        picture = await asyncio.to_thread(self._picture, shelf_id)
        if picture is None:
            raise JobFailed(
                f"The {self._thing} from {self._provider} is not in Shotline's folder any more; make it again."
            )
        await asyncio.to_thread(_copy_file, picture, dest)
        progress(1.0)

    async def remove(self, shelf_id: str) -> None:
        await asyncio.to_thread(self._remove, shelf_id)

    async def find(self, job_id: str) -> str | None:
        """The picture a job's create brought back before Shotline stopped, or None."""
        return await asyncio.to_thread(self._find, job_id)

    async def job_of(self, shelf_id: str) -> str:
        """The job that asked for what is on the shelf under `shelf_id` ("" when unknown)."""
        return await asyncio.to_thread(self._job_of, shelf_id)

    # ------------------------------------------------------------------------------------------ files

    def _write(self, shelf_id: str, suffix: str, picture: bytes, job_id: str) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        _write_whole(self._folder / f"{shelf_id}.json", json.dumps({"job_id": job_id, "suffix": suffix}).encode())
        _write_whole(self._folder / f"{shelf_id}{suffix}", picture)

    def _picture(self, shelf_id: str) -> Path | None:
        if not _ID.fullmatch(shelf_id):
            return None
        return next(
            (path for s in sorted(set(_SUFFIXES.values())) if (path := self._folder / f"{shelf_id}{s}").is_file()),
            None,
        )

    def _remove(self, shelf_id: str) -> None:
        if not _ID.fullmatch(shelf_id):
            return
        for suffix in (".json", *set(_SUFFIXES.values())):
            (self._folder / f"{shelf_id}{suffix}").unlink(missing_ok=True)

    def _job_of(self, shelf_id: str) -> str:
        if not _ID.fullmatch(shelf_id):
            return ""
        try:
            said = json.loads((self._folder / f"{shelf_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ""
        return str(said.get("job_id", "")) if isinstance(said, dict) else ""

    def _find(self, job_id: str) -> str | None:
        if not self._folder.is_dir():
            return None
        for note in sorted(self._folder.glob("*.json")):
            try:
                said = json.loads(note.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(said, dict) and said.get("job_id") == job_id and self._picture(note.stem) is not None:
                return note.stem
        return None


def _write_whole(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.part")
    with temp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(path)


def _copy_file(source: Path, dest: Path) -> None:
    with source.open("rb") as src, dest.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
