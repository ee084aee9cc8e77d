"""Clean-up that a task must still do when it stops early (remove a partial file, a scratch folder), shared by the
jobs, backends and media code that runs as asyncio tasks; and `together`, which runs two tasks so that neither
outlives the other's failure.

`await asyncio.shield(asyncio.to_thread(...))` in an `except`/`finally` finishes such clean-up on a thread even if the
task is cancelled again meanwhile. But a task can also stop without its loop: one still pending when its loop stopped
(a runner that gave up waiting for it at shutdown) is collected later, and its coroutine is closed with GeneratorExit.
The same clean-up then made a `to_thread` coroutine that no loop would ever run — Python's "coroutine 'to_thread' was
never awaited" — and the file stayed behind.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


async def clean_up_on_thread(func: Callable[..., object], /, *args: object, **kwargs: object) -> None:
    """Run `func(*args, **kwargs)` on a worker thread and wait for it, even if this task is cancelled meanwhile; for
    use in an `except` or `finally` block. While the coroutine is being closed rather than run, no loop runs threads
    for it and it must not wait, so `func` runs here and now instead."""
    if isinstance(sys.exc_info()[1], GeneratorExit):
        func(*args, **kwargs)
        return
    await asyncio.shield(asyncio.to_thread(func, *args, **kwargs))


async def together(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Run both at once; when one fails (or this is cancelled), stop the other and wait for it before going on, so
    nothing still writes the files the caller is about to remove."""
    one, two = asyncio.ensure_future(first), asyncio.ensure_future(second)
    try:
        await asyncio.gather(one, two)
    except BaseException:
        one.cancel()
        two.cancel()
        await asyncio.gather(one, two, return_exceptions=True)
        raise
    return one.result(), two.result()
