"""Waveform peaks of the project's media, cached in the project's cache/ folder (safe to delete).

The cache key is the media path with the file's size and modification time, so a file replaced in place (a relink)
gets fresh peaks, and what the peaks count from (`PEAKS_KIND`), so peaks cached by an older Shotline are not drawn;
a damaged cache file is decoded again, never shown.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path

from shotline.jobs.runner import to_preview_thread
from shotline.media.waveform import BUCKETS_PER_SECOND, MOST_BYTES, Peaks, peaks
from shotline.services.media_files import admitted_file
from shotline.storage.bundle import ProjectBundle, cached

log = logging.getLogger(__name__)

PEAKS_KIND = "take clock"
"""Peaks count from the take's zero (its first picture frame) since issue 12; before, from the first sound sample."""


def waveform_path(bundle: ProjectBundle, media: str) -> Path:
    """Where the peaks of `media` (a path inside the project) are cached, for the file as it is now on disk."""
    stat = bundle.resolve(media).stat()
    facts = f"{media}|{stat.st_size}|{stat.st_mtime_ns}|{BUCKETS_PER_SECOND}|{PEAKS_KIND}"
    key = hashlib.sha1(facts.encode()).hexdigest()[:20]
    return bundle.cache_dir / "waveforms" / f"{key}.peaks"


def cached_peaks(bundle: ProjectBundle, media: str) -> Peaks | None:
    """The peaks on disk for `media`, or None if they are not there (or not readable)."""
    path = waveform_path(bundle, media)
    if not cached(path):
        return None
    try:
        with path.open("rb") as reader:
            return Peaks.from_bytes(reader.read(MOST_BYTES + 1))  # a file larger than peaks can be is damaged
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("Ignoring a damaged waveform cache file for %s: %s", media, error)
        return None


def load_peaks(bundle: ProjectBundle, media: str) -> Peaks:
    """The peaks of `media`: from the cache, else decoded and cached. Blocking CPU work; raises MediaError."""
    found = cached_peaks(bundle, media)
    if found is not None:
        return found
    made = peaks(admitted_file(bundle, media))  # only a file still inside the project and admitted is decoded
    dest = waveform_path(bundle, media)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # write beside and rename, so a half-written file is never read back
    partial = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        partial.write_bytes(made.to_bytes())
        partial.replace(dest)
    except OSError as error:
        log.warning("Could not cache the waveform of %s: %s", media, error)  # drawing works without the cache
    finally:
        partial.unlink(missing_ok=True)
    return made


async def make_peaks(bundle: ProjectBundle, media: str) -> Peaks:
    """`load_peaks` on a worker thread, for the async runner."""
    return await to_preview_thread(load_peaks, bundle, media)
