"""Bring clips made elsewhere into a project as takes: probe first, so nothing broken is ever copied in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shotline.core import commands
from shotline.core.errors import MediaUnreadable
from shotline.core.model import Origin, Shot, Take, Trim, new_id
from shotline.media.probe import probe
from shotline.services.session import ProjectSession


@dataclass(frozen=True, slots=True)
class Imported:
    shot_id: str
    take_id: str
    source: Path


def import_files(session: ProjectSession, files: list[Path], shot_ref: str | None = None) -> list[Imported]:
    """One new shot per file, or new takes of `shot_ref`; all files are checked before any is added."""
    target = session.project.shot(shot_ref) if shot_ref else None
    infos = []
    for path in files:
        info = probe(path)
        if not info.has_video:
            raise MediaUnreadable(f"{path.name} has no picture; only video clips can be takes of a shot.")
        infos.append(info)
    imported: list[Imported] = []
    with session.history.transaction("Import clips" if len(files) > 1 else "Import clip"):
        for path, info in zip(files, infos, strict=True):
            media = session.bundle.import_media(path)
            take = Take(new_id(), media, Origin.IMPORTED, info, Trim(0, info.duration_us), source_name=path.name)
            if target is None:
                shot = Shot(id=new_id(), prompt="", title=path.stem)
                session.execute(commands.add_shot(shot))
                shot_id = shot.id
            else:
                shot_id = target.id
            session.execute(commands.attach_take(shot_id, take))
            imported.append(Imported(shot_id, take.id, path))
    return imported
