"""One Shotline per project: an OS advisory lock held on an open file inside the project folder.

The lock lives as long as the open file, so a crashed process never leaves a stale lock behind: the kernel
drops it with the process. The file also records who holds it (pid and host) for the creator's message.

Only looking (`take=False`) writes nothing at all, so it works on a full disk and in a folder nobody may write to; it
asks whether another Shotline holds the lock by holding a shared lock for an instant, which is why taking the lock
tries again for a moment before it refuses.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO

from shotline.core.errors import ProjectLocked, plain_reason

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"
_WINDOWS_LOCK_OFFSET = 1 << 20
"""Windows locks byte ranges and blocks reading them, so the lock byte sits far past the pid/host text."""
_TAKE_TRIES = 25
_TAKE_PAUSE_S = 0.01
"""Someone only looking holds a shared lock for an instant: a quarter of a second outlasts that, and a creator does
not notice it before being told that the project is open elsewhere."""


def _try_lock(handle: IO[bytes], *, shared: bool = False) -> bool:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBRLCK if shared else msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _take(handle: IO[bytes]) -> bool:
    for attempt in range(_TAKE_TRIES):
        if _try_lock(handle):
            return True
        if attempt + 1 < _TAKE_TRIES:
            time.sleep(_TAKE_PAUSE_S)
    return False


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _held_elsewhere(path: Path) -> str | None:
    """Who holds the lock on `path` ("pid 4242 on studio"), or None when nobody does; writes nothing."""
    try:
        handle = path.open("rb", buffering=0)
    except OSError:
        return None  # no lock file (nobody has opened the project here) or one we may not read: nobody to name
    with handle:
        if not _try_lock(handle, shared=True):
            return _holder(path)
        try:
            _unlock(handle)
        except OSError as error:
            log.debug("Unlocking %s failed (%s); closing releases it anyway", path, error)
    return None


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return f"pid {int(info['pid'])} on {info['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


class FolderLock:
    """Holds the lock on `folder/.lock` until `release()`.

    With `take=False` it only looks: `holder` then names whoever holds the lock (None if nobody does)."""

    def __init__(self, folder: Path, *, take: bool = True) -> None:
        self.path = folder / LOCK_NAME
        self._handle: IO[bytes] | None = None
        self.holder: str | None = None
        self.unwritable: str | None = None
        """Why the lock file could not be made ("Read-only file system"): then nothing can be saved here."""
        if not take:  # only looking: the folder is read while whoever holds it goes on
            self.holder = _held_elsewhere(self.path)
            return
        try:
            # unbuffered: a holder record the disk has no room for must fail here, not again when the file closes
            handle = self.path.open("a+b", buffering=0)
        except OSError as error:
            # A read-only folder (a DVD, a shared drive): nobody can save here, so there is nothing to guard.
            self.unwritable = plain_reason(error)
            log.info("Could not create the lock file in %s (%s); opening without a lock", folder, self.unwritable)
            return
        if not _take(handle):
            handle.close()
            raise ProjectLocked(
                f"This project is open in another Shotline ({_holder(self.path)}). Close it there first."
            )
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode())
        except OSError as error:
            # The lock holds without it; only a second Shotline's message loses the name. A full disk is said by
            # whatever this process goes on to write.
            log.info("Could not record the lock holder in %s: %s", self.path, plain_reason(error))
        self._handle = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _unlock(handle)
        except OSError as error:
            log.debug("Unlocking %s failed (%s); closing releases it anyway", self.path, error)
        handle.close()
