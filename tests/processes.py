"""What runs on this Linux machine, read from /proc: for tests that prove a process died with another.

A zombie counts as gone: it has ended and only waits for a parent (here often a container's pid 1 that never reaps)
to collect its exit status.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux's /proc")

DEADLINE_S = 60.0
"""How long a process may take to go. Generous: the tests wait for a fact, not for a time."""
_POLL_S = 0.02


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    group: int
    program: str
    """The file name of what it runs (argv[0] without its folder)."""


def _read(pid: int) -> Process | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None  # it ended while we looked
    fields = stat[stat.rfind(")") + 2 :].split()
    if fields[0] == "Z":
        return None
    return Process(pid, int(fields[1]), int(fields[2]), os.path.basename(argv[0].decode(errors="replace")))


def running() -> list[Process]:
    return [found for entry in Path("/proc").iterdir() if entry.name.isdigit() and (found := _read(int(entry.name)))]


def alive(pid: int) -> bool:
    return _read(pid) is not None


def children(pid: int) -> list[Process]:
    return [process for process in running() if process.ppid == pid]


def in_group(group: int) -> list[Process]:
    return [process for process in running() if process.group == group]


def wait_until_gone(pids: list[int]) -> list[int]:
    """Wait (up to a generous deadline) until none of `pids` runs; returns those still running then."""
    deadline = time.monotonic() + DEADLINE_S
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(_POLL_S)
    return left


def kill_if_running(pids: list[int]) -> None:
    """Clean up after a failed test: kill what it proved still runs (a stopped process dies of SIGKILL too)."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
