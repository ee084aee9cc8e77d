"""A creator's file coming into a project (a clip as a take, a sound onto a lane): checked whole before anything is
copied, named as text the project can hold, and taken out of media/ again if the import fails.

The checks are `media.probe.admit`'s (`media.intake` says what Shotline takes). A file's name is kept as the take's
`source_name` and a new shot's title, so a name that is not UTF-8 (bytes from another system's encoding) is kept with
the bytes it cannot read shown as "�": as it was, such a name could not be saved, and the project refused to save
with the clip already copied in.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from shotline.core.errors import MediaError, MediaMissing, ShotlineError
from shotline.core.model import MediaInfo
from shotline.media.probe import admit
from shotline.storage.bundle import ProjectBundle

log = logging.getLogger(__name__)


def source(path: Path) -> Path:
    """`path` as the file the creator named, made absolute (so no reader takes `file:x.mp4` for a protocol URL).
    Raises the message for a file that is not there."""
    if not path.exists():  # said as such: a probe would call it a take's missing media, to relink
        raise MediaMissing(f"There is no file {shown(str(path))}; check its name and folder.")
    return path.absolute()


def check(path: Path) -> MediaInfo:
    """What `path` holds, once it is known to be a file Shotline takes, whole (`media.probe.admit`). A refusal names
    the file as `shown` does."""
    try:
        return admit(source(path))
    except MediaError as error:
        raise type(error)(shown(str(error))) from None


def shown(text: str) -> str:
    """A file name as text a project can hold: bytes that are not UTF-8 become "�"."""
    return os.fsencode(text).decode("utf-8", "replace")


class NewMedia:
    """The files one import copied into media/ that were not there before. If the import fails, they are removed
    again, so it leaves nothing behind; a file that was already there stays (the project may use it)."""

    def __init__(self, bundle: ProjectBundle) -> None:
        self._bundle = bundle
        self._before = _names(bundle.media_dir)
        self._new: list[str] = []

    def add(self, media: str) -> str:
        """Note `media` ("media/<name>", as `ProjectBundle.import_media` returns it) as copied in by this import."""
        if PurePosixPath(media).name not in self._before:
            self._new.append(media)
        return media

    def remove(self) -> None:
        for media in self._new:
            try:
                self._bundle.resolve(media).unlink(missing_ok=True)
            except (OSError, ShotlineError) as error:
                log.warning("could not remove %s after a failed import: %s", media, error)
        self._new.clear()

    @contextmanager
    def removed_on_failure(self) -> Iterator[NewMedia]:
        """Remove the files noted here if the block fails."""
        try:
            yield self
        except BaseException:
            self.remove()
            raise


def _names(folder: Path) -> set[str]:
    try:
        return {entry.name for entry in folder.iterdir()}
    except FileNotFoundError:
        return set()
