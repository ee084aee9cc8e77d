"""Share a project as one `.shotline.zip` and open one someone sent (issue 6); the work is in storage.sharing.

Both take a progress sink (throttled here, as every job's progress is) and a cancel event that stops the work
between two chunks with SharingCancelled, leaving nothing behind.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from shotline.core.errors import MediaError
from shotline.core.ports import ProgressSink
from shotline.jobs.runner import throttled
from shotline.media import intake
from shotline.media.leftovers import sweep_beside
from shotline.media.probe import open_media
from shotline.storage import sharing
from shotline.storage.sharing import ARCHIVE_SUFFIX, SharingCancelled, archive_stem

log = logging.getLogger(__name__)

__all__ = ["ARCHIVE_SUFFIX", "Shared", "SharingCancelled", "archive_stem", "default_archive", "open_shared", "share"]


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


def share(
    project: Path,
    output: Path | None = None,
    *,
    progress: ProgressSink | None = None,
    cancel: threading.Event | None = None,
) -> Shared:
    """Pack the saved project (project.json and the media it uses; no cache, journal or keys) into one zip."""
    sink = throttled(progress) if progress else None
    target = output or default_archive(Path(project))
    sweep_beside(Path(target).absolute())  # what a Shotline killed while sharing left there
    written = sharing.pack(Path(project), target, progress=sink, cancel=cancel)
    names = sharing.archive_media(written)
    return Shared(written, len(names), written.stat().st_size)


def open_shared(
    archive: Path,
    to: Path | None = None,
    *,
    progress: ProgressSink | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Unpack a shared archive as a new project folder in `to` (default: beside the archive), under the first free
    name (`Film.shotline`, else `Film 2.shotline`…), as the window and the command line both do. Anything unsafe or
    damaged in it raises ArchiveDamaged, naming the archive and why, with nothing written."""
    archive = Path(archive)
    folder = to if to is not None else archive.absolute().parent
    sink = throttled(progress) if progress else None
    sweep_beside(folder / archive.name)  # what a Shotline killed while unpacking left there
    return sharing.unpack(archive, folder, progress=sink, cancel=cancel, check_media=_as_imported)


def _as_imported(path: Path, still: bool) -> None:
    """Refuse a shared file an import would refuse for what it is: a playlist or other container of references
    (which the viewer would follow to the files it names), not one regular file, or declaring more than Shotline
    takes. A file FFmpeg cannot make sense of is let in, as a damaged clip of one's own would be: it reads nothing
    else, and the project marks it unreadable."""
    try:
        if still:
            intake.check_still(path)
        else:
            open_media(path).close()
    except intake.Refused:
        raise
    except MediaError as error:
        log.info("A shared file is unreadable and kept as it is: %s", error)
