"""Long work from the window (ui.background_work): quitting while it runs stops it and waits for its cleanup."""

from __future__ import annotations

import threading
import time

from PySide6.QtWidgets import QWidget

from shotline.core.errors import ShotlineError
from shotline.core.ports import ProgressSink
from shotline.services.context import open_context
from shotline.storage.secrets import MemorySecretStore
from shotline.ui.background_work import CancellableWork
from shotline.ui.bridge import Bridge


def test_quitting_stops_the_work_and_waits_until_it_has_removed_what_it_wrote(qtbot) -> None:
    ctx = open_context(secrets=MemorySecretStore())
    window = QWidget()
    qtbot.addWidget(window)
    work = CancellableWork(ctx, Bridge(window), window, lambda sentence: None, "shotline-test-work")
    started, cleaned = threading.Event(), threading.Event()

    def slow_to_clean_up(progress: ProgressSink, cancel: threading.Event) -> None:
        started.set()
        cancel.wait(30)  # it stops only when told to
        time.sleep(0.3)  # removing a partial archive takes a moment
        cleaned.set()
        raise ShotlineError("Sharing was cancelled; nothing was written.")

    work.run("Sharing Film…", slow_to_clean_up, lambda result: None)
    assert started.wait(30)
    ctx.close()  # what quitting does: the runner cancels what runs
    assert cleaned.is_set(), "quitting ended while the work was still removing what it wrote"
