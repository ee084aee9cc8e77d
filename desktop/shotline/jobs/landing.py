"""A finished job's clip landing in the project: downloaded into `.partial/`, probed, moved into `media/`.

What the provider sent must play as what was asked for (a clip with video, a still, speech or music with sound)
before it is a take; the container is the provider's when its URL names one. A transfer that stops keeps its partial
file for the next resume to continue; a file this computer cannot write is the computer's fault, not the job's, so
the job waits (the provider still has the clip, paid for). The journal and the job's phases are jobs.generation's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from shotline.core.cleanup import clean_up_on_thread
from shotline.core.edits import derived_id
from shotline.core.errors import JobFailed, MediaMissing, MediaUnreadable, TransientError, plain_reason
from shotline.core.model import GenerationRecord, MediaInfo, Origin, Take, Trim
from shotline.core.ports import WORDS_SUFFIX, JobRecord, JobStatus, MediaKind, MediaProbe

_VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".webm", ".mkv", ".m4v"})
_STILL_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
_SPEECH_SUFFIXES = frozenset({".wav", ".mp3"})
_MUSIC_SUFFIXES = frozenset({".wav", ".mp3", ".flac", ".ogg", ".m4a"})


@dataclass(frozen=True)
class Landing:
    """Where a finished clip lands (the project folder) and how it is checked (the probe)."""

    probe: MediaProbe
    project_dir: Path


async def land_clip(
    media: Landing, job_id: str, suffix: str, kind: MediaKind, fetch: Callable[[Path], Awaitable[None]]
) -> MediaInfo:
    """`fetch` the clip into `.partial/`, probe it, and move it (with a voice's word times) into `media/`."""
    partial_dir = media.project_dir / ".partial"
    media_dir = media.project_dir / "media"
    partial = partial_dir / f"{job_id}{suffix}"
    try:
        await asyncio.to_thread(partial_dir.mkdir, parents=True, exist_ok=True)
        await fetch(partial)
        info = await probe_clip(media, partial, kind)
        await asyncio.to_thread(media_dir.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(os.replace, partial, media_dir / f"{job_id}{suffix}")
        if await asyncio.to_thread(partial.with_suffix(WORDS_SUFFIX).is_file):  # a voice's word times, beside it
            await asyncio.to_thread(
                os.replace, partial.with_suffix(WORDS_SUFFIX), media_dir / f"{job_id}{WORDS_SUFFIX}"
            )
    except TransientError:
        raise  # the partial file stays, so the next attempt continues it
    except OSError as exc:
        # this computer's fault (a full disk, a folder that cannot be written), not the job's: the provider still
        # holds the clip, paid for, so the job waits for the resume (and the partial file, for it to continue)
        raise TransientError(
            f"The clip could not be written into the project: {plain_reason(exc)}. The provider still has it: "
            "free some space and resume the job to fetch it."
        ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            await clean_up_on_thread(partial.unlink, missing_ok=True)
        raise
    return info


def landed_path(job_id: str, suffix: str) -> str:
    """Where the landed clip is, relative to the project folder (as the journal and the take name it)."""
    return f"media/{job_id}{suffix}"


def clip_suffix(status: JobStatus, kind: MediaKind = MediaKind.VIDEO) -> str:
    """Keep the provider's container when its URL names one; otherwise the clip is an MP4 (a still, a PNG; a
    voice take, a WAV)."""
    known, usual = {
        MediaKind.VIDEO: (_VIDEO_SUFFIXES, ".mp4"),
        MediaKind.IMAGE: (_STILL_SUFFIXES, ".png"),
        MediaKind.SPEECH: (_SPEECH_SUFFIXES, ".wav"),
        MediaKind.MUSIC: (_MUSIC_SUFFIXES, ".wav"),
    }[kind]
    if status.outputs:
        suffix = PurePosixPath(urlparse(status.outputs[0]).path).suffix.lower()
        if suffix in known:
            return ".jpg" if suffix == ".jpeg" else suffix
    return usual


async def probe_clip(media: Landing, path: Path, kind: MediaKind = MediaKind.VIDEO) -> MediaInfo:
    """The clip's facts, or JobFailed saying in the creator's words why what the provider sent is no take."""
    still = kind is MediaKind.IMAGE
    try:
        info = await asyncio.to_thread(media.probe, path)
    except (MediaUnreadable, MediaMissing) as exc:
        if still:
            raise JobFailed(f"The picture the provider sent cannot be read ({exc}). Make the stills again.") from exc
        if kind is MediaKind.SPEECH:
            raise JobFailed(f"The speech the provider sent cannot be played ({exc}). Speak the line again.") from exc
        if kind is MediaKind.MUSIC:
            raise JobFailed(f"The music the provider sent cannot be played ({exc}). Make the music again.") from exc
        raise JobFailed(f"The downloaded file is not playable ({exc}). Generate the shot again.") from exc
    if still and info.has_video:
        return info
    if kind is MediaKind.SPEECH:
        if not info.has_audio or info.duration_us <= 0:
            raise JobFailed("The speech the provider sent has no sound. Speak the line again.")
        return info
    if kind is MediaKind.MUSIC:
        if not info.has_audio or info.duration_us <= 0:
            raise JobFailed("The music the provider sent has no sound. Make the music again.")
        return info
    if not info.has_video or info.duration_us <= 0:
        raise JobFailed("The downloaded file is not playable: it has no video. Generate the shot again.")
    return info


def take_of(record: JobRecord, info: MediaInfo) -> Take:
    """The take a downloaded job makes: its clip's facts, untrimmed, and how it was generated."""
    return Take(
        # derived from the job id, so attaching the same job twice (say, after a crash) finds the same take
        id=derived_id("job", record.id),
        media=record.media_path,
        origin=Origin.GENERATED,
        info=info,
        trim=Trim(0, info.duration_us),
        generation=GenerationRecord(
            job_id=record.id,
            backend=record.backend,
            model=record.model,
            request=dict(record.request),
            provider_job_id=record.provider_job_id,
            estimated_cost=record.estimated_cost,
            billed_cost=record.billed_cost,
            created_at=record.created_at,
        ),
    )
