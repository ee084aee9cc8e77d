"""Relinking (DESIGN §4): a project whose media files went missing finds them all in one folder the creator
points at, and they go back into the project's media/ folder where the project expects them.

A missing file is looked for by name: the name it has in media/ (a copy of an old media folder) or the name of the
file it was imported from. A candidate must also be the same file: media named by content (an imported clip's
"media/<sha256>.mp4") must hash the same, which also means the same size; others must be as long as the take or
sound clip says (within a frame) and hold a picture if it did, so an empty or cut-off copy is never taken.
Relinking copies each found file into media/ (a part file, flushed, then renamed), so project.json does not change
at all: nothing to undo, nothing to save, and the creator's folder is left as it was. Qt-free; the window runs it
on a worker thread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from shotline.core.errors import MediaError, SaveFailed
from shotline.core.model import MediaInfo, Project
from shotline.media.probe import probe
from shotline.storage.atomic import discard, fsync_dir, replace_with_retry
from shotline.storage.bundle import ProjectBundle

log = logging.getLogger(__name__)

MAX_FILES = 50_000
"""A folder walk stops after this many files (a whole disk chosen by mistake must not hang the window)."""
LENGTH_TOLERANCE_US = 50_000
_CONTENT_NAME = re.compile(r"[0-9a-f]{32}")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Missing:
    media: str
    """As the project stores it: "media/<name>"."""
    name: str
    """The name the creator knows it by (the file it was imported from, else what it is)."""
    info: MediaInfo | None
    """What the take or sound clip says the file holds; None for a still picture."""


@dataclass(frozen=True, slots=True)
class Found:
    media: str
    source: Path


@dataclass(frozen=True, slots=True)
class Search:
    folder: Path
    found: tuple[Found, ...]
    not_found: tuple[Missing, ...]


def missing_media(bundle: ProjectBundle, project: Project) -> list[Missing]:
    """Every file the project uses that is not in its folder, with the name and facts to find it by."""
    names = project.media_names()
    infos: dict[str, MediaInfo] = {take.media: take.info for take in project.all_takes()}
    infos.update({clip.media: clip.info for clip in project.audio})
    return [Missing(rel, names.get(rel, Path(rel).name), infos.get(rel)) for rel in bundle.missing_media(project)]


def _index(folder: Path) -> dict[str, list[Path]]:
    """Files under `folder` by lower-cased name (hidden folders skipped, at most MAX_FILES files)."""
    by_name: dict[str, list[Path]] = {}
    count = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            by_name.setdefault(name.lower(), []).append(Path(root) / name)
            count += 1
            if count >= MAX_FILES:
                log.warning("Stopped looking in %s after %d files", folder, count)
                return by_name
    return by_name


def _digest_prefix(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()[:32]


def _same_file(missing: Missing, candidate: Path) -> bool:
    """Is `candidate` the file `missing` was: same content for a content-named file, else the same length."""
    try:
        if not candidate.is_file() or candidate.stat().st_size == 0:
            return False
        stem = Path(missing.media).stem
        if _CONTENT_NAME.fullmatch(stem):
            return _digest_prefix(candidate) == stem
        if missing.info is None:
            return True  # a still picture: its name is all the project knows
        info = probe(candidate)
    except (OSError, MediaError) as error:
        log.info("Not %s: %s (%s)", missing.name, candidate, error)
        return False
    return abs(info.duration_us - missing.info.duration_us) <= LENGTH_TOLERANCE_US and (
        info.has_video == missing.info.has_video
    )


def find(missing: list[Missing], folder: Path) -> Search:
    """Look in `folder` (and the folders inside it) for every missing file at once."""
    index = _index(folder)
    found: list[Found] = []
    not_found: list[Missing] = []
    for item in missing:
        names = dict.fromkeys(n.lower() for n in (Path(item.media).name, Path(item.name).name) if n)
        candidates = [path for name in names for path in index.get(name, [])]
        match = next((path for path in candidates if _same_file(item, path)), None)
        if match is None:
            not_found.append(item)
        else:
            found.append(Found(item.media, match))
    return Search(folder, tuple(found), tuple(not_found))


def relink(bundle: ProjectBundle, found: tuple[Found, ...]) -> list[str]:
    """Copy each found file to where the project expects it; returns the media paths relinked. A file that
    cannot be copied stops the relink with a message naming it; those already copied stay (they are right)."""
    relinked: list[str] = []
    bundle.partial_dir.mkdir(exist_ok=True)
    for item in found:
        target = bundle.resolve(item.media)  # refuses a path leading out of the project
        part = bundle.partial_dir / f"{target.name}.{os.getpid()}.relink.part"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with item.source.open("rb") as reader, part.open("wb") as writer:
                while chunk := reader.read(_CHUNK):
                    writer.write(chunk)
                writer.flush()
                os.fsync(writer.fileno())
            replace_with_retry(part, target)
            fsync_dir(target.parent)
        except OSError as error:
            raise SaveFailed(
                f"Could not copy {item.source.name} into the project: {error.strerror or error}. "
                f"{len(relinked)} file(s) were relinked before it."
            ) from error
        finally:
            discard(part)
        relinked.append(item.media)
    return relinked


def summary(search: Search, relinked: list[str]) -> str:
    """What a relink did, in the creator's words."""
    done = len(relinked)
    text = f"Relinked {done} file{'s' if done != 1 else ''} from {search.folder.name or search.folder}."
    if search.not_found:
        left = ", ".join(m.name for m in search.not_found[:5])
        more = f" and {len(search.not_found) - 5} more" if len(search.not_found) > 5 else ""
        text += f" Still missing: {left}{more}; choose the folder that holds them."
    if not done and not search.not_found:
        text = "Nothing is missing: every file this project uses is in its folder."
    return text
