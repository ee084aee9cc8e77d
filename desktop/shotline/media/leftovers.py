"""Sweep what a Shotline killed outright left behind: hidden partial files beside an export's target and temporary
folders under the system's temp folder (names from `core.partial`).

A Shotline that ends normally, or is cancelled, removes its own; one that is killed runs no code, and its children
die with it (media.lifeline) but its files stay. The next export sweeps the target's folder, and every start sweeps
the temp folder. Only what a dead Shotline made goes: each name carries its owner's pid, and an owner still running
(another Shotline exporting beside this one, this one) keeps its files. Only this user's own entries are touched, and
a link is removed as a link, never followed.

A pid is a process on this computer: two Shotlines on two computers exporting into one shared folder at the same
moment would each take the other's files for a dead one's. (A pid reused by an unrelated program only keeps a
leftover longer.)
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from shotline.core.partial import partial_owner, temp_owner

log = logging.getLogger(__name__)


def sweep_beside(target: Path) -> int:
    """Remove the hidden partial files and folders dead Shotlines left in `target`'s folder; returns how many."""
    return _sweep(target.parent, partial_owner)


def sweep_temp(folder: Path | None = None) -> int:
    """Remove the temporary folders dead Shotlines left in `folder` (default: the system's temp folder)."""
    return _sweep(Path(tempfile.gettempdir()) if folder is None else folder, temp_owner)


def _sweep(folder: Path, owner_of: Callable[[str], int | None]) -> int:
    try:
        entries = list(os.scandir(folder))
    except OSError as error:
        log.debug("Could not look for leftovers in %s: %s", folder, error)
        return 0
    swept = 0
    for entry in entries:
        owner = owner_of(entry.name)
        if owner is None or not _mine(entry) or is_running(owner):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                Path(entry.path).unlink()
        except OSError as error:
            log.info("Could not remove %s, left by Shotline %s: %s", entry.path, owner, error)
            continue
        log.info("Removed %s, left by a Shotline that ended without cleaning up (pid %s)", entry.path, owner)
        swept += 1
    return swept


def _mine(entry: os.DirEntry[str]) -> bool:
    """Whether this user owns `entry` (the temp folder is shared with every user of the computer)."""
    if sys.platform == "win32":
        return True  # each user has a temp folder of their own
    try:
        return entry.stat(follow_symlinks=False).st_uid == os.getuid()
    except OSError:
        return False


def is_running(pid: int) -> bool:
    """Whether process `pid` is running on this computer (this one always is; a zombie is not)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _running_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    with contextlib.suppress(OSError):
        # Linux: a killed process its parent has not reaped yet is a zombie: dead, but still listed
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] != "Z"
    return True


def _running_on_windows(pid: int) -> bool:
    """OpenProcess + GetExitCodeProcess: `os.kill` on Windows would end the process instead of asking."""
    if sys.platform != "win32":
        raise AssertionError("Windows only")
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    process_query_limited_information = 0x1000
    still_active = 259
    error_access_denied = 5
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == error_access_denied  # it exists but is not ours to ask
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
