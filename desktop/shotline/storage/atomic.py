"""Replace a file all at once: the reader sees the old bytes or the new ones, never half of each.

Write a temp file next to the target, flush and fsync it, `os.replace` it over the target, then fsync the
folder so the rename itself survives a power cut. On any failure the temp file is removed and the OSError
propagates; the target is untouched.

Each step of a save calls `crash_point` with its name, so the crash tests can kill a saving process exactly there.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
_REPLACE_ATTEMPTS = 6


def crash_point(step: str) -> None:
    """A named step of a save ("temp written", "replaced", ...). Does nothing.

    tests/storage/test_crash_safety.py replaces it, in a forked child only, with one that SIGKILLs the child at a
    chosen step, so every kill lands inside a save by construction instead of by a timer's luck. A plain no-op
    function is the cheapest switch there is (one call beside an fsync; no environment read, no flag to leave on
    by mistake) and nothing outside a test ever assigns it. Call it as `atomic.crash_point(...)` from other
    modules: a name imported with `from ... import` would not see the replacement.
    """


def temp_name(target: Path) -> Path:
    """A temp path beside `target`; its name marks it as ours so a later open can sweep stale ones."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def is_temp_of(candidate: Path, target_name: str | None) -> bool:
    """Whether `candidate` is one of our temp files for `target_name` (None: for any target)."""
    prefix = "." if target_name is None else f".{target_name}."
    return candidate.name.startswith(prefix) and candidate.name.endswith(TEMP_SUFFIX)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable. Windows cannot open folders for this and does not need it."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def replace_with_retry(source: Path, target: Path) -> None:
    """os.replace, retried briefly on PermissionError: on Windows a virus scanner may hold the target open."""
    for attempt in range(_REPLACE_ATTEMPTS):
        try:
            source.replace(target)
            return
        except PermissionError:
            if attempt == _REPLACE_ATTEMPTS - 1:
                raise
            log.debug("Replacing %s was refused; retrying", target.name)
            time.sleep(0.02 * 2**attempt)


def discard(part: Path) -> None:
    """Remove a part file a write left, if it is there; never raises. It runs in a `finally` after a failure whose
    own reason the creator must read: in a read-only folder even removing a file that was never made fails ("Read-
    only file system", naming the hidden part file), and that failure replaced the reason the copy failed. A part
    file that cannot be removed now is swept by the next run."""
    try:
        part.unlink(missing_ok=True)
    except OSError as error:
        log.debug("Could not remove %s: %s", part.name, error)


def write_atomic(target: Path, data: bytes) -> None:
    """Replace `target` with `data` durably. Raises OSError with the target intact and no temp file left."""
    temp = temp_name(target)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        try:
            crash_point("temp opened")
            _write_all(fd, data)
            crash_point("temp written")
            os.fsync(fd)
            crash_point("temp synced")
        finally:
            os.close(fd)
        crash_point("replacing")
        replace_with_retry(temp, target)
        crash_point("replaced")
    except BaseException:
        try:
            temp.unlink(missing_ok=True)
        except OSError:
            log.warning("Could not remove the temp file %s", temp)
        raise
    fsync_dir(target.parent)
    crash_point("folder synced")


def sweep_temps(folder: Path, target_name: str | None) -> int:
    """Delete temp files left by a crashed writer. Only call while holding the folder's lock."""
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for entry in entries:
        if is_temp_of(entry, target_name):
            try:
                entry.unlink()
                removed += 1
            except OSError:
                log.warning("Could not remove the stale temp file %s", entry)
    if removed:
        log.info("Removed %d stale temp file(s) in %s", removed, folder)
    return removed
