"""Bring clips made elsewhere into a project as takes: checked first (`services.intake`), so nothing broken or
hostile is ever copied in, and nothing is left in media/ by an import that fails."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from shotline.core import commands
from shotline.core.errors import MediaUnreadable
from shotline.core.model import MediaInfo, Origin, Shot, Take, Trim, new_id
from shotline.media.probe import probe
from shotline.media.remux import needs_index, remux_indexed
from shotline.services.intake import NewMedia, check, shown, source
from shotline.services.session import ProjectSession
from shotline.services.take_loudness import measure_on_import
from shotline.storage.atomic import discard
from shotline.storage.bundle import ProjectBundle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Imported:
    shot_id: str
    take_id: str
    source: Path


def prepare_takes(
    bundle: ProjectBundle, files: list[Path], new_media: NewMedia | None = None
) -> list[tuple[Path, Take]]:
    """Check every file, then copy each into media/ as a take. Touches no project, so it may run off the GUI thread.

    All files are checked before any is copied: one bad file stops the import with its name in the message. The
    copies are noted in `new_media`; if copying fails part way, those already made are removed.
    """
    sources = [source(path) for path in files]
    infos = []
    for path in sources:
        info = check(path)
        if not info.has_video:
            raise MediaUnreadable(f"{path.name} has no picture; only video clips can be takes of a shot.")
        infos.append(info)
    new = new_media or NewMedia(bundle)
    takes = []
    with new.removed_on_failure():
        for path, info in zip(sources, infos, strict=True):
            media, info = _import_indexed(bundle, path, info)
            new.add(media)
            if info.has_audio:
                measure_on_import(bundle, media)  # off the GUI thread, so an export can set its gain at once
            take = Take(new_id(), media, Origin.IMPORTED, info, Trim(0, info.duration_us), source_name=shown(path.name))
            takes.append((path, take))
    return takes


def _import_indexed(bundle: ProjectBundle, path: Path, info: MediaInfo) -> tuple[str, MediaInfo]:
    """Copy `path` into media/; a clip without an index (MPEG-PS/TS) goes in remuxed into Matroska, so the viewer
    seeks in it exactly (`media.remux`). If the remux fails, the clip goes in as it is: the export and thumbnails
    seek in it exactly all the same."""
    if not needs_index(path):
        return bundle.import_media(path), info
    try:
        bundle.partial_dir.mkdir(exist_ok=True)
        writable = os.access(bundle.partial_dir, os.W_OK)
    except OSError:
        writable = False
    if not writable:  # a read-only folder: no remux to warn about, the copy fails and says why, naming the clip
        return bundle.import_media(path), info
    indexed = bundle.partial_dir / f"{new_id()}.import.part.mkv"
    try:
        remux_indexed(path, indexed)
        return bundle.import_media(indexed), probe(indexed)
    except MediaUnreadable as exc:
        log.warning("kept %s as it is, without an index: %s", path.name, exc)
        return bundle.import_media(path), info
    finally:
        discard(indexed)


def add_takes(
    session: ProjectSession, takes: list[tuple[Path, Take]], shot_ref: str | None = None, index: int | None = None
) -> list[Imported]:
    """One undoable step: a new shot per take (inserted at `index`, else at the end), or new takes of `shot_ref`."""
    target = session.project.shot(shot_ref) if shot_ref else None
    imported: list[Imported] = []
    with session.history.transaction("Import clips" if len(takes) > 1 else "Import clip"):
        for offset, (path, take) in enumerate(takes):
            if target is None:
                shot = Shot(id=new_id(), prompt="", title=shown(path.stem))
                session.execute(commands.add_shot(shot, None if index is None else index + offset))
                shot_id = shot.id
            else:
                shot_id = target.id
            session.execute(commands.attach_take(shot_id, take))
            imported.append(Imported(shot_id, take.id, path))
    return imported


def import_files(
    session: ProjectSession, files: list[Path], shot_ref: str | None = None, new_media: NewMedia | None = None
) -> list[Imported]:
    """One new shot per file, or new takes of `shot_ref`; all files are checked before any is added. The files
    copied into media/ are noted in `new_media`, for a caller that may still fail (to save, say) to remove."""
    if shot_ref:
        session.project.shot(shot_ref)  # an unknown shot fails before anything is copied
    new = new_media or NewMedia(session.bundle)
    with new.removed_on_failure():
        return add_takes(session, prepare_takes(session.bundle, files, new), shot_ref)
