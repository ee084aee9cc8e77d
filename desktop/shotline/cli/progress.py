"""Progress on a terminal: a bar when a person watches, a few plain lines when output goes to a file; and Ctrl+C
as a request to stop that long work (sharing, a hand-off) honours between two steps, cleaning up first."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

import click

T = TypeVar("T")


class Bar(Protocol):
    def __call__(self, fraction: float) -> None: ...


@contextmanager
def progress_bar(label: str) -> Iterator[Bar]:
    """A callable taking fractions 0..1 from any thread; draws a bar on a terminal, else prints nothing."""
    if not sys.stderr.isatty():
        yield lambda fraction: None
        return
    lock = threading.Lock()
    with click.progressbar(length=1000, label=label, file=sys.stderr, show_eta=True) as bar:
        shown = 0

        def update(fraction: float) -> None:
            nonlocal shown
            target = max(0, min(1000, int(fraction * 1000)))
            with lock:
                if target > shown:
                    bar.update(target - shown)
                    shown = target

        yield update


def interruptible(label: str, work: Callable[[Bar, threading.Event], T], cancelled: type[Exception]) -> T:
    """Run `work(progress, cancel)` under a progress bar, with Ctrl+C setting `cancel` rather than raising
    KeyboardInterrupt; the work raises `cancelled` once it has stopped and removed what it wrote.

    A KeyboardInterrupt lands wherever the program happens to be, even in the middle of tidying up; a flag the work
    checks between chunks stops it where it can clean up, every time.
    """
    cancel = threading.Event()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT)
    if in_main_thread:  # only the main thread may install signal handlers
        signal.signal(signal.SIGINT, lambda signum, frame: cancel.set())
    try:
        with progress_bar(label) as bar:
            return work(bar, cancel)  # a Ctrl+C after the work is done changes nothing: the result stands
    except cancelled as stopped:
        click.echo(str(stopped), err=True)
        raise KeyboardInterrupt from None  # the command line's way out of an interrupted command (exit 130)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
