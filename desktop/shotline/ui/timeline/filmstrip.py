"""Filmstrip frames for the timeline's clips: a bounded in-memory cache of pixmaps over the document's thumbnails.

Frames are asked for once (the document makes them off the GUI thread and caches them on disk); until one
arrives, or while a drag keeps changing which frames a clip needs, the nearest frame already in memory stands in.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from shotline.core.model import Take
from shotline.ui.document import ProjectDocument

MAX_FRAMES = 3000
"""About 3000 small frames (~150 MB at worst); the least recently drawn go first."""

_Key = tuple[str, int, int]


class FilmstripCache(QObject):
    arrived = Signal()
    """A frame that was asked for is now in memory: repaint."""

    def __init__(self, document: ProjectDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._frames: OrderedDict[_Key, QPixmap] = OrderedDict()
        self._times: dict[tuple[str, int], list[int]] = {}
        self._pending: set[_Key] = set()

    def __len__(self) -> int:
        return len(self._frames)

    def frame(self, take: Take, at_us: int, width: int, *, fetch: bool = True) -> QPixmap | None:
        """The frame of `take` at `at_us`, `width` px wide; else the nearest one in memory (fetching the exact one)."""
        key = (take.media, at_us, width)
        pixmap = self._frames.get(key)
        if pixmap is not None:
            self._frames.move_to_end(key)
            return pixmap
        if fetch and key not in self._pending:
            self._pending.add(key)
            self._document.thumbnail(take, at_us, width, partial(self._store, key))
        return self._nearest(take.media, at_us, width)

    def _store(self, key: _Key, picture: QImage) -> None:
        self._pending.discard(key)
        self._frames[key] = QPixmap.fromImage(picture)
        bisect.insort(self._times.setdefault((key[0], key[2]), []), key[1])
        while len(self._frames) > MAX_FRAMES:
            (media, at_us, width), _ = self._frames.popitem(last=False)
            times = self._times[(media, width)]
            times.remove(at_us)
        self.arrived.emit()

    def _nearest(self, media: str, at_us: int, width: int) -> QPixmap | None:
        times = self._times.get((media, width))
        if not times:
            return None
        index = bisect.bisect_left(times, at_us)
        candidates = times[max(0, index - 1) : index + 1]
        best = min(candidates, key=lambda t: abs(t - at_us))
        return self._frames.get((media, best, width))
