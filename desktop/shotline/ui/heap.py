"""Keep the garbage collector on the GUI thread, and from pausing the window.

Python's cycle collector runs on whichever thread happens to allocate when a threshold is crossed. A Qt object in
a garbage cycle would then be destroyed on a worker thread: Qt forbids that, and here it deadlocked (the worker held
Qt's connection lock waiting for the GIL while the window held the GIL waiting for that lock; a full test run hung
on it). So in the window's process automatic collection is off and `GuiThreadCollector` collects on a GUI-thread
timer, by Python's own thresholds. The command line keeps Python's automatic collector.

A full collection walks every object Python holds — with Qt's wrappers that took ~60 ms here, long enough to be
felt as a hitch while jobs and exports run. After a project opens (and after one closes) the objects that will
live on are moved out of the collector's reach with `gc.freeze()`, so later collections scan only what is new.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

COLLECT_EVERY_MS = 200
"""Often enough that the youngest generation stays small (a collection of it takes well under a millisecond)."""


class GuiThreadCollector(QObject):
    """Turns automatic collection off and collects on a timer of the thread it lives on (the GUI thread)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(COLLECT_EVERY_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count is past its threshold, as the automatic collector would."""
        counts = gc.get_count()
        due = [generation for generation in range(3) if counts[generation] > self._thresholds[generation]]
        if due:
            gc.collect(max(due))

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def stop(self) -> None:
        """Hand collection back to Python's automatic collector."""
        self._timer.stop()
        gc.enable()


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """Install the collector on `app`, once; it lives as long as the application."""
    existing = app.findChild(GuiThreadCollector)
    if existing is not None and existing.active:
        return existing
    return GuiThreadCollector(app)


def settle() -> None:
    """Collect what is garbage now, then exempt everything still alive from future full collections."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give frozen objects back to the collector (a project closed: much of what was frozen is garbage now)."""
    gc.unfreeze()
    settle()
