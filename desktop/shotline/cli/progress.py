"""Progress on a terminal: a bar when a person watches, a few plain lines when output goes to a file."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import click


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
