"""The one place threads meet Qt: work finished on the async runner comes back here as queued calls.

`post(fn)` may be called from any thread; `fn` then runs on the GUI thread. `watch(handle, ...)` delivers a
job's result or error the same way. Nothing else in the window touches another thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot
from shiboken6 import isValid

from shotline.jobs.runner import JobHandle

T = TypeVar("T")


class Bridge(QObject):
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Queued even when emitted on the GUI thread, so a callback never re-enters the code that posted it.
        self._posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, fn: Callable[[], Any]) -> None:
        """Run `fn` on the GUI thread, soon. Safe from any thread."""
        self._posted.emit(fn)

    @Slot(object)
    def _run(self, fn: Callable[[], Any]) -> None:
        fn()

    def watch(
        self,
        handle: JobHandle[T],
        on_result: Callable[[T], Any],
        on_error: Callable[[BaseException], Any],
        on_cancelled: Callable[[], Any] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Deliver a job's outcome on the GUI thread: its result, its error, or that it was cancelled.

        With `owner` (the widget the callbacks fill), nothing is delivered once Qt has deleted it: a dialog closed
        while its question was on its way drops the answer rather than write into widgets that are gone."""

        def deliver(fn: Callable[[], Any]) -> None:
            if owner is None or isValid(owner):
                fn()

        def done(finished: JobHandle[T]) -> None:
            if finished.cancelled():
                if on_cancelled is not None:
                    self.post(lambda: deliver(on_cancelled))
                return
            error = finished.exception()
            if error is not None:
                self.post(lambda: deliver(lambda: on_error(error)))
            else:
                result = finished.result()
                self.post(lambda: deliver(lambda: on_result(result)))

        handle.add_done_callback(done)
