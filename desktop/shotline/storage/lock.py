"""One Shotline per project: an OS advisory lock held on an open file inside the project folder.

The lock lives as long as the open file, so a crashed process never leaves a stale lock behind: the kernel
drops it with the process. The file also records who holds it (pid and host) for the creator's message.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import IO

from shotline.core.errors import ProjectLocked

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"
_WINDOWS_LOCK_OFFSET = 1 << 20
"""Windows locks byte ranges and blocks reading them, so the lock byte sits far past the pid/host text."""


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return f"pid {int(info['pid'])} on {info['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


class FolderLock:
    """Holds the lock on `folder/.lock` until `release()`."""

    def __init__(self, folder: Path, *, take: bool = True) -> None:
        self.path = folder / LOCK_NAME
        self._handle: IO[str] | None = None
        if not take:  # only looking: the folder is read while whoever holds it goes on
            return
        try:
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as error:
            # A read-only folder (a DVD, a shared drive): nobody can save here, so there is nothing to guard.
            log.warning("Could not create the lock file in %s (%s); opening without a lock", folder, error)
            return
        if not _try_lock(handle):
            handle.close()
            raise ProjectLocked(
                f"This project is open in another Shotline ({_holder(self.path)}). Close it there first."
            )
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
            handle.flush()
        except OSError as error:
            log.warning("Could not record the lock holder in %s: %s", self.path, error)
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
