"""Share a project as one `.shotline.zip` and open one someone sent (issue 6); the work is in storage.sharing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shotline.storage import sharing
from shotline.storage.sharing import ARCHIVE_SUFFIX


@dataclass(frozen=True, slots=True)
class Shared:
    archive: Path
    media_files: int
    size_bytes: int


def default_archive(project: Path) -> Path:
    """`Film.shotline` -> `Film.shotline.zip` beside it."""
    folder = Path(project)
    if folder.name == sharing.PROJECT_FILE:
        folder = folder.parent
    return folder.parent / f"{folder.name.removesuffix('.shotline') or 'Shared'}{ARCHIVE_SUFFIX}"


def share(project: Path, output: Path | None = None) -> Shared:
    """Pack the saved project (project.json and the media it uses; no cache, journal or keys) into one zip."""
    written = sharing.pack(Path(project), output or default_archive(Path(project)))
    names = sharing.archive_media(written)
    return Shared(written, len(names), written.stat().st_size)


def open_shared(archive: Path, to: Path | None = None) -> Path:
    """Unpack a shared archive as a new project folder in `to` (default: beside the archive)."""
    archive = Path(archive)
    return sharing.unpack(archive, to if to is not None else archive.absolute().parent)
