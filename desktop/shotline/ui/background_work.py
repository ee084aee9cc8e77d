"""Long work the creator starts from the window and waits on (sharing a project, handing the cut to another editor):
the status bar shows what runs, how far it is and the time left as the export dialog does
(`ui.progress_readout`), with a Cancel button (Esc).

The work runs on a thread of its own (`jobs.runner.to_own_thread`) with a progress sink and a cancel event it checks
between steps. Cancel sets the event; the work stops at its next check, removes what it wrote and raises its own
"cancelled" error, which is only then reported: a cancelled message means nothing is left behind. The runner shutting
down with the window cancels it the same way, and waits for that cleanup.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from shotline.core.errors import ShotlineError
from shotline.core.ports import ProgressSink
from shotline.jobs.runner import to_own_thread
from shotline.services.context import AppContext
from shotline.ui.bridge import Bridge
from shotline.ui.document import describe
from shotline.ui.progress_readout import TimeLeft, show_fraction, time_left_text

T = TypeVar("T")

Work = Callable[[ProgressSink, threading.Event], T]
"""The work itself, on its own thread: `work(progress, cancel)`."""


class ProgressIndicator(QWidget):
    """For the status bar while long work runs: what runs, how far it is, the time left, Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        show_fraction(self.bar, 0.0)
        self._time_left = TimeLeft()
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop (Esc); nothing written so far is kept")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        show_fraction(self.bar, 0.0)
        self._time_left = TimeLeft()
        self.cancel_button.setEnabled(True)
        self.show()

    def show_progress(self, what: str, fraction: float, elapsed_s: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        show_fraction(self.bar, fraction)  # the percentage on the bar only, as the export dialog shows it
        self.label.setText(f"{what} {time_left_text(self._time_left.update(elapsed_s, fraction))}")

    def cancelling(self, what: str) -> None:
        self.label.setText(f"{what.rstrip('…')}: cancelling…")
        self.cancel_button.setEnabled(False)

    def stop(self) -> None:
        self.label.clear()
        self.hide()


class _WindowEscape(QObject):
    """The window's one Esc for long work: it stops every piece that runs (sharing, a hand-off) and is the window's
    only while one does. One shortcut per window, since two on one key are ambiguous and Qt would run neither."""

    NAME = "cancel_long_work"

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName(self.NAME)
        self.shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), window, self._cancel_all)
        self.shortcut.setObjectName(self.NAME)
        self.shortcut.setWhatsThis("Stop the sharing or hand-off that runs")
        self.shortcut.setEnabled(False)
        self._works: list[CancellableWork] = []

    @classmethod
    def of(cls, window: QWidget) -> _WindowEscape:
        found = window.findChild(QObject, cls.NAME, Qt.FindChildOption.FindDirectChildrenOnly)
        return found if isinstance(found, _WindowEscape) else cls(window)

    def join(self, work: CancellableWork) -> None:
        self._works.append(work)

    def update(self) -> None:
        self.shortcut.setEnabled(any(work.working_on for work in self._works))

    def _cancel_all(self) -> None:
        for work in self._works:
            work.cancel()


class CancellableWork(QObject):
    """One piece of long work at a time for a flow of the window, shown by `indicator` (which the window places in
    its status bar); outcomes other than success go to `report` as one sentence."""

    def __init__(
        self, ctx: AppContext, bridge: Bridge, window: QWidget, report: Callable[[str], object], thread_name: str
    ) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._bridge = bridge
        self._report = report
        self._thread_name = thread_name
        self.indicator = ProgressIndicator(window)
        self.indicator.cancel_button.clicked.connect(self.cancel)
        self._escape = _WindowEscape.of(window)
        self._escape.join(self)
        self.working_on = ""
        """What runs now ("Sharing Film…"), or empty."""
        self._cancel: threading.Event | None = None
        self._started = 0.0

    def still_busy(self) -> bool:
        """Whether work is still running; if so, says so (a second piece of work waits for the first to end)."""
        if self.working_on:
            self._report(f"{self.working_on.rstrip('…')} has not finished yet; try again when it has.")
        return bool(self.working_on)

    def cancel(self) -> None:
        """Stop what runs (the Cancel button, Esc); its outcome, once it has cleaned up, says it was cancelled."""
        if self._cancel is None or self._cancel.is_set():
            return
        self._cancel.set()
        self.indicator.cancelling(self.working_on)

    def run(self, what: str, work: Work[T], done: Callable[[T], object]) -> None:
        cancel = threading.Event()
        self.working_on, self._cancel, self._started = what, cancel, time.monotonic()
        self.indicator.start(what)
        self._escape.update()

        def progress(fraction: float) -> None:  # on the work's thread
            self._bridge.post(lambda: self._on_progress(cancel, fraction))

        async def run() -> T:
            # The runner shutting down with the window cancels this: the work is then stopped too, and waited for
            # while it removes what it wrote.
            return await to_own_thread(work, progress, cancel, name=self._thread_name, on_cancel=cancel.set)

        def finished(result: T) -> None:
            self._stop()
            done(result)

        self._bridge.watch(self._ctx.runner.submit(run()), finished, self._failed, self._stop)

    def _on_progress(self, cancel: threading.Event, fraction: float) -> None:
        if cancel is self._cancel and not cancel.is_set():  # not a late report, nor one after Cancel
            self.indicator.show_progress(self.working_on, fraction, time.monotonic() - self._started)

    def _failed(self, error: BaseException) -> None:
        what = self.working_on.rstrip("…")
        self._stop()
        # Shotline's own errors already say what happened and what to do; anything else needs saying what failed.
        self._report(describe(error) if isinstance(error, ShotlineError) else f"{what} failed: {describe(error)}")

    def _stop(self) -> None:
        self.working_on = ""
        self._cancel = None
        self._escape.update()
        self.indicator.stop()
