"""Waveform peaks for the timeline's sound rows: a small in-memory LRU over the project's on-disk peaks cache.

Peaks are asked for once per media file: the async runner reads them from cache/waveforms (or decodes them the
first time, on a worker thread) and the bridge hands them back on the GUI thread. Until then a row draws without a
waveform. A file that cannot be decoded is remembered and not asked for again (the log says why).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from shotline.media.waveform import Peaks
from shotline.services.waveforms import make_peaks
from shotline.ui.document import ProjectDocument

log = logging.getLogger(__name__)

MAX_FILES = 64
"""Peaks are ~8 bytes per 10 ms: 64 files of ten minutes each are about 30 MB."""


class WaveformCache(QObject):
    arrived = Signal()
    """Peaks that were asked for are now in memory: repaint."""

    def __init__(self, document: ProjectDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._peaks: OrderedDict[str, Peaks] = OrderedDict()
        self._pending: set[str] = set()
        self._failed: set[str] = set()

    def forget_failures(self, media: Iterable[str]) -> None:
        """These files are back (relinked): their waveforms are tried again when next painted."""
        self._failed.difference_update(media)

    def __contains__(self, media: str) -> bool:
        return media in self._peaks

    @property
    def busy(self) -> bool:
        """Some peaks are still being read or decoded."""
        return bool(self._pending)

    def peaks(self, media: str, *, fetch: bool = True) -> Peaks | None:
        """The peaks of `media` (a path inside the project) if in memory; else None, asking for them once."""
        found = self._peaks.get(media)
        if found is not None:
            self._peaks.move_to_end(media)
            return found
        if fetch and media not in self._pending and media not in self._failed:
            self._pending.add(media)
            document = self._document
            handle = document.ctx.runner.submit(make_peaks(document.session.bundle, media))
            document.bridge.watch(handle, lambda made: self._store(media, made), lambda e: self._give_up(media, e))
        return None

    def _store(self, media: str, made: Peaks) -> None:
        if not isValid(self):
            return  # the timeline closed while the peaks were on their way
        self._pending.discard(media)
        self._peaks[media] = made
        while len(self._peaks) > MAX_FILES:
            self._peaks.popitem(last=False)
        self.arrived.emit()

    def _give_up(self, media: str, error: BaseException) -> None:
        if not isValid(self):
            return
        self._pending.discard(media)
        self._failed.add(media)
        log.warning("No waveform for %s: %s", media, error)
