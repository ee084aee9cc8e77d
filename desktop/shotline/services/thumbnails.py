"""Thumbnails and filmstrip frames of takes, cached in the project's cache/ folder (safe to delete)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from shotline.core.model import Take
from shotline.jobs.runner import to_preview_thread
from shotline.media.thumbnails import thumbnail
from shotline.services.media_files import admitted_file
from shotline.storage.bundle import ProjectBundle, cached


def thumbnail_path(bundle: ProjectBundle, take: Take, at_us: int, width: int) -> Path:
    """Where the frame of `take` at `at_us` (source time), `width` pixels wide, is cached."""
    key = hashlib.sha1(f"{take.media}|{at_us}|{width}".encode()).hexdigest()[:20]
    return bundle.cache_dir / "thumbnails" / f"{key}.jpg"


async def make_thumbnail(bundle: ProjectBundle, take: Take, at_us: int, width: int) -> Path:
    """The cached thumbnail, decoding it on a worker thread the first time. Raises MediaError for bad media."""
    dest = thumbnail_path(bundle, take, at_us, width)
    if cached(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    return await to_preview_thread(_thumbnail, bundle, take, max(0, at_us), dest, width)


def _thumbnail(bundle: ProjectBundle, take: Take, at_us: int, dest: Path, width: int) -> Path:
    # only a file still inside the project and admitted is decoded (`services.media_files`)
    return thumbnail(admitted_file(bundle, take.media), at_us, dest, width)


def filmstrip_times(take: Take, count: int) -> list[int]:
    """`count` evenly spaced source times inside the take's trim, each at the middle of its slice."""
    step = take.trim.duration_us / max(1, count)
    return [take.trim.in_us + round(step * (index + 0.5)) for index in range(count)]
