"""A QMediaPlayer's file, handed to it only once `services.media_files` has admitted it, checked off the GUI thread.

Qt Multimedia plays through an FFmpeg of its own that Shotline cannot hold to `media.intake`'s allow-lists: given a
take's file swapped for an HLS playlist after import, it read the files the playlist names from anywhere on the
computer (issue 13, class 2). So the viewer's picture, the preview mix and a compared take's sound all set their
source here: the file is checked on a worker (it may be read whole the first time), and only a file still wanted
when the answer comes, and admitted, reaches the player — by the resolved path that was checked. A refused file is
said once, naming it as the creator knows it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QMediaPlayer

from shotline.services.media_files import admitted_path
from shotline.ui.document import ProjectDocument, describe


class CheckedSource(QObject):
    source_set = Signal()
    """The file last asked for was admitted and is the player's source now."""
    refused = Signal(str)
    """The file last asked for is not one Shotline plays; the message names it as the creator knows it."""

    def __init__(self, media: QMediaPlayer, document: ProjectDocument) -> None:
        super().__init__(media)
        self._media = media
        self._document = document
        self._asked = 0
        """Numbers each request: an answer for an older one is dropped."""

    def set_file(self, path: Path, name: str, what: str) -> None:
        """Play `path` once it is admitted; until then, and if it is refused, the player has no source. A refusal
        says `what` was not played (e.g. "Shot 2 ('Harbour') cannot be played") and why, naming the file `name`, as
        the creator knows it."""
        self._asked += 1
        asked = self._asked
        self._media.setSource(QUrl())
        bundle = self._document.session.bundle

        async def check() -> Path:
            return await asyncio.to_thread(admitted_path, bundle, path)

        def admitted(checked: Path) -> None:
            if asked == self._asked:
                self._media.setSource(QUrl.fromLocalFile(str(checked)))
                self.source_set.emit()

        def refused(error: BaseException) -> None:
            if asked == self._asked:
                # the reason names the file as the project stores it (a made-up name); the creator knows their own
                self.refused.emit(f"{what}: {describe(error).replace(path.name, name)}")

        self._document.bridge.watch(self._document.ctx.runner.submit(check()), admitted, refused, owner=self)

    def clear(self) -> None:
        """No source; an answer still on its way is dropped."""
        self._asked += 1
        self._media.setSource(QUrl())
