"""Each media file's loudness cells (`media.take_loudness`), measured once and cached in the project's cache/ folder
(safe to delete), so an export can choose its sound's gain before it encodes anything.

They are measured when a file comes into the project (off the GUI thread, beside the import's other work) at the
export's usual rate and layout, and otherwise the first time an export needs them. The cache key is the media path
with the file's size and modification time (a file replaced in place is measured again) and the rate and layout;
a damaged cache file is measured again, never used.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from shotline.media.take_loudness import MOST_BYTES, SoundLevels, measure_levels
from shotline.storage.bundle import ProjectBundle, cached

log = logging.getLogger(__name__)

USUAL_RATE, USUAL_CHANNELS = 48_000, 2
"""The rate and layout an export has unless the creator changes them (ExportSettings'): what an import measures for."""


def levels_path(bundle: ProjectBundle, path: Path, sample_rate: int, channels: int) -> Path:
    """Where the cells of `path` (a file in the project) are cached, for the file as it is now on disk."""
    stat = path.stat()
    name = path.relative_to(bundle.path).as_posix() if path.is_relative_to(bundle.path) else str(path)
    facts = f"{name}|{stat.st_size}|{stat.st_mtime_ns}|{sample_rate}|{channels}"
    key = hashlib.sha1(facts.encode()).hexdigest()[:20]
    return bundle.cache_dir / "loudness" / f"{key}.levels"


def load_levels(bundle: ProjectBundle, path: Path, sample_rate: int, channels: int) -> SoundLevels:
    """The cells of `path` (a file inside the project): from the cache, else measured and cached. Blocking CPU
    work; raises MediaError."""
    dest = levels_path(bundle, path, sample_rate, channels)
    try:
        if cached(dest):  # what Shotline wrote there: no link to a file elsewhere, and no larger than cells can be
            with dest.open("rb") as reader:
                return SoundLevels.from_bytes(reader.read(MOST_BYTES + 1))
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:
        log.warning("Ignoring a damaged loudness cache file for %s: %s", path.name, error)
    made = measure_levels(path, sample_rate, channels)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # write beside and rename, so a half-written file is never read back
    partial = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        partial.write_bytes(made.to_bytes())
        partial.replace(dest)
    except OSError as error:
        log.warning("Could not cache the loudness of %s: %s", path.name, error)  # the export works without it
    finally:
        partial.unlink(missing_ok=True)
    return made


def levels_finder(bundle: ProjectBundle) -> Callable[[Path, int, int], SoundLevels]:
    """`load_levels` for the export, which knows its sounds by their files."""
    return lambda path, sample_rate, channels: load_levels(bundle, path, sample_rate, channels)


def measure_on_import(bundle: ProjectBundle, media: str) -> None:
    """Measure a file that just came into the project, for the exports to come. A file whose sound cannot be
    measured is left for the export, which says why."""
    try:
        load_levels(bundle, bundle.resolve(media), USUAL_RATE, USUAL_CHANNELS)
    except Exception as error:
        log.info("did not measure the loudness of %s ahead of an export: %s", media, error)
