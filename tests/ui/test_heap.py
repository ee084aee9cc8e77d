"""The window's process collects garbage cycles on the GUI thread only: Qt objects must not die on a worker."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from shotline.ui import heap


class Cycle:
    """A garbage cycle holding a Qt object, which notes the thread that frees it."""

    freed_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self
        self.qt_object = QObject()

    def __del__(self) -> None:
        Cycle.freed_on.append(threading.current_thread().name)


def _allocate_a_lot(kept: list[list[object]]) -> None:
    kept.extend([] for _ in range(20_000))  # containers the collector counts, far past its first threshold


def test_a_worker_allocating_never_collects_a_cycle_the_gui_thread_does(qapp: QApplication, qtbot) -> None:
    heap.collect_on_gui_thread(qapp)
    assert not gc.isenabled()
    Cycle.freed_on.clear()
    Cycle()
    kept: list[list[object]] = []  # alive until the end, so the count stays past the threshold
    worker = threading.Thread(target=_allocate_a_lot, args=(kept,), name="worker")
    worker.start()
    worker.join()
    assert Cycle.freed_on == []  # with Python's automatic collector, the worker would have freed it
    qtbot.waitUntil(lambda: Cycle.freed_on != [], timeout=2 * heap.COLLECT_EVERY_MS + 1000)
    assert Cycle.freed_on == [threading.main_thread().name]
    assert len(kept) == 20_000


def test_stopping_hands_collection_back_to_python(qapp: QApplication) -> None:
    collector = heap.collect_on_gui_thread(qapp)
    assert heap.collect_on_gui_thread(qapp) is collector  # installed once
    collector.stop()
    assert gc.isenabled() and not collector.active
    assert heap.collect_on_gui_thread(qapp) is not collector
    assert not gc.isenabled()
