"""Child processes for tests that kill a process in the middle of its work (a save, a journal write).

A plain fork copies the test worker with every other thread's state half-held: a thread that has converted a frame
with PyAV and is still alive keeps a scaler whose copy hangs the forked child before it runs a line (reproduced:
such a child never answered, and a crash-safety test waited for it until its 300 s timeout in a full run). These
children are forked instead from multiprocessing's fork server, a process of its own that runs no other thread, with
the test module imported there once, so each child still starts in a moment. Pass data between the two with a
`Pipe`: file descriptors are not inherited from the test worker.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

_SERVED = multiprocessing.get_context("forkserver")


def child(target: Callable[..., object], *args: Any) -> multiprocessing.process.BaseProcess:
    """A started child running `target(*args)`; `target` must live at the top of an importable module."""
    _SERVED.set_forkserver_preload([target.__module__])  # heeded by the server's first start only
    process = _SERVED.Process(target=target, args=args, daemon=True)
    process.start()
    return process


def pipe() -> tuple[Connection, Connection]:
    """(reader, writer) that can be handed to a child as an argument."""
    return _SERVED.Pipe(duplex=False)
