"""Children that die with Shotline: an ffmpeg started here never outlives the Shotline that started it.

A cancelled export kills its ffmpeg (media.process), but a Shotline that is killed outright (SIGKILL, a crash, the
system ending it) runs no code of its own, and an untied ffmpeg would render on to the end, filling the disk with a
film nobody will ever finish. So the tie is made when the child starts, by the system:

- Linux: the kernel sends the child SIGKILL the moment its parent dies (`PR_SET_PDEATHSIG`). util-linux's `setpriv
  --pdeathsig KILL` asks for it and then becomes the child, so no Python runs between fork and exec: a `preexec_fn`
  there hung for good whenever another thread held a thread-local PyAV scaler (PyAV 18.1 caches one per thread;
  the forked child tore it down and waited for scaler threads that only exist in the parent). "Parent" is the
  thread that started it: ffmpeg is started on the runner's thread, which lives as long as the app, and a thread
  ending early takes only its own children with it. A Linux without `setpriv` uses the watcher below.
- macOS and other POSIX systems have no such signal. The child starts under a watcher, a tiny `sh` that holds the
  read end of a pipe whose write end only Shotline holds: when Shotline dies, however it dies, the system closes
  that end, the watcher reads the end of the pipe and kills its process group, ffmpeg included. (It runs on Linux
  too when asked for by name, which is how the tests prove it here.)
- Windows: every child joins a job object that kills what it holds when its last handle closes; Shotline holds
  the only handle and never closes it, so Windows closes it when Shotline exits, however it exits.

On POSIX every child leads a process group of its own, and `kill` ends the whole group.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

Tie = Literal["kernel", "watcher", "job"]

_WATCHER = (
    "exec 3<&0 </dev/null; "  # Shotline's pipe moves to fd 3; the child's own input is /dev/null
    "( while read -r _ <&3; do :; done; kill -KILL 0 ) >/dev/null 2>&1 & "  # end of the pipe: end the group
    'exec 3<&- "$@"'  # the child itself, in this process (so its pid is the one Shotline waits for)
)
"""The watcher: keeps the pipe open in a background subshell and becomes the child. The subshell's output goes
nowhere, so the child's own output pipes close when the child is done, not when the watcher is."""


def native_tie() -> Tie:
    """How this platform ties a child to Shotline."""
    if sys.platform == "win32":
        return "job"
    return "kernel" if sys.platform.startswith("linux") and _setpriv() else "watcher"


@functools.cache
def _setpriv() -> str | None:
    return shutil.which("setpriv")


def _tied(argv: Sequence[str], tie: Tie) -> list[str]:
    """`argv` as started under `tie`: behind `setpriv` for the kernel's tie, as it is otherwise."""
    if tie != "kernel":
        return list(argv)
    setpriv = _setpriv()
    if setpriv is None:
        raise RuntimeError("the kernel's tie needs util-linux's setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *argv]


@dataclass
class Child:
    """A started child and, under a watcher, Shotline's end of the watcher's pipe."""

    process: asyncio.subprocess.Process
    _lifeline: int | None = None

    def kill(self) -> None:
        kill(self.process)

    def done(self) -> None:
        """The child has exited (or been killed): let its watcher go, if it has one."""
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            os.close(lifeline)  # the watcher reads the end of its pipe, kills its group (only itself now) and exits


@dataclass
class Feed:
    """A pipe from one child to another: the first writes into `write` (its output), the second reads `read` (given
    as `start(feed=…)`), which ffmpeg names `url`. Each end is released here once its child has started (the child
    holds its own copy; the reader sees the end of the pipe only when every copy of `write` is closed), and `close`
    releases what is left, whatever happened."""

    read: int
    write: int
    url: str
    _open: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._open = {self.read, self.write}

    def release(self, end: int) -> None:
        if end in self._open:
            self._open.discard(end)
            os.close(end)

    def close(self) -> None:
        for end in (self.read, self.write):
            self.release(end)


_FEED_LOWEST_FD = 10
"""Under a watcher the child's input is the watcher's and fds 0 and 3 are moved about; a feed above them is left
alone (and reaches ffmpeg as `pipe:<fd>`)."""


def feed(tie: Tie | None = None) -> Feed:
    """A new pipe for `start(feed=…)`: the child's input where that is free, else an fd of its own."""
    read, write = os.pipe()
    if (tie or native_tie()) != "watcher":
        return Feed(read, write, "pipe:0")
    import fcntl  # POSIX only, as the watcher is

    high = fcntl.fcntl(read, fcntl.F_DUPFD_CLOEXEC, _FEED_LOWEST_FD)
    os.close(read)
    return Feed(high, write, f"pipe:{high}")


async def start(
    argv: Sequence[str],
    *,
    stdout: int | None = None,
    stderr: int | None = None,
    tie: Tie | None = None,
    feed: int | None = None,
) -> Child:
    """Start `argv` tied to this process (`tie`: the platform's own way unless told); `stdout` and `stderr` as for
    `asyncio.create_subprocess_exec`, `feed` the read end of a `Feed` it reads. Call `done` once it has exited,
    `kill` to stop it first."""
    tie = tie or native_tie()
    if tie == "watcher":
        # A plain pipe, not asyncio's: asyncio would wait for it to close before saying the child has exited. Its
        # write end is not inherited by any child (PEP 446), so only Shotline holds it.
        watched, lifeline = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                "/bin/sh", "-c", _WATCHER, "shotline-watcher", *argv,
                stdin=watched, stdout=stdout, stderr=stderr, start_new_session=True,
                pass_fds=() if feed is None else (feed,),
            )  # fmt: skip
        except BaseException:
            os.close(lifeline)
            raise
        finally:
            os.close(watched)
        return Child(process, lifeline)
    process = await asyncio.create_subprocess_exec(
        *_tied(argv, tie),
        stdin=asyncio.subprocess.DEVNULL if feed is None else feed,
        stdout=stdout,
        stderr=stderr,
        start_new_session=tie != "job",
    )
    if tie == "job":
        _join_job(process.pid)
    return Child(process)


def run(argv: Sequence[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(argv, capture_output=True, text=True, timeout=timeout)` for a child that ends by itself within
    seconds (a test encode of three frames): tied where the system does it without a watcher; where it cannot, the
    timeout bounds it anyway."""
    tie = native_tie()
    with subprocess.Popen(
        _tied(argv, tie),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=tie != "job",
    ) as child:
        if tie == "job":
            _join_job(child.pid)
        try:
            out, err = child.communicate(timeout=timeout)
        except BaseException:
            child.kill()
            child.wait()
            raise
    return subprocess.CompletedProcess(list(argv), child.returncode, out, err)


def kill(process: asyncio.subprocess.Process) -> None:
    """Kill the child and everything in its process group (its watcher included). Safe if it already exited."""
    if process.returncode is not None:
        return  # reaped: its pid (and group id) may already belong to someone else
    with contextlib.suppress(ProcessLookupError):
        if sys.platform == "win32":
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGKILL)


# ------------------------------------------------------------------------------------------------------ Windows

if sys.platform == "win32":

    class _BasicLimits(ctypes.Structure):
        _fields_ = [
            ("PerProcessUserTimeLimit", ctypes.c_int64),
            ("PerJobUserTimeLimit", ctypes.c_int64),
            ("LimitFlags", ctypes.c_uint32),
            ("MinimumWorkingSetSize", ctypes.c_size_t),
            ("MaximumWorkingSetSize", ctypes.c_size_t),
            ("ActiveProcessLimit", ctypes.c_uint32),
            ("Affinity", ctypes.c_size_t),
            ("PriorityClass", ctypes.c_uint32),
            ("SchedulingClass", ctypes.c_uint32),
        ]

    class _ExtendedLimits(ctypes.Structure):
        _fields_ = [
            ("BasicLimitInformation", _BasicLimits),
            ("IoInfo", ctypes.c_uint64 * 6),
            ("ProcessMemoryLimit", ctypes.c_size_t),
            ("JobMemoryLimit", ctypes.c_size_t),
            ("PeakProcessMemoryUsed", ctypes.c_size_t),
            ("PeakJobMemoryUsed", ctypes.c_size_t),
        ]

    _JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
    _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9
    _PROCESS_TERMINATE = 0x0001
    _PROCESS_SET_QUOTA = 0x0100

    def _kernel32() -> Any:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.CreateJobObjectW.restype = ctypes.c_void_p
        kernel32.SetInformationJobObject.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32]
        kernel32.OpenProcess.restype = ctypes.c_void_p
        kernel32.AssignProcessToJobObject.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
        return kernel32

    @functools.cache
    def _job() -> int | None:
        """This process's one job object, made on first use. Its handle is never closed on purpose: Windows closes
        it when Shotline exits, and that close kills the children (so this is the one cache that must live as long
        as the process)."""
        kernel32 = _kernel32()
        job = kernel32.CreateJobObjectW(None, None)
        if not job:
            log.warning("Children cannot be tied to Shotline (CreateJobObject: error %s)", ctypes.get_last_error())
            return None
        limits = _ExtendedLimits()
        limits.BasicLimitInformation.LimitFlags = _JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        size = ctypes.sizeof(limits)
        if not kernel32.SetInformationJobObject(
            job, _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, ctypes.byref(limits), size
        ):
            log.warning(
                "Children cannot be tied to Shotline (SetInformationJobObject: error %s)", ctypes.get_last_error()
            )
            return None
        return int(job)

    def _join_job(pid: int) -> None:
        """Put child `pid` in the job. (It ran for an instant outside it; ffmpeg starts no children of its own.)"""
        job = _job()
        if job is None:
            return
        kernel32 = _kernel32()
        handle = kernel32.OpenProcess(_PROCESS_SET_QUOTA | _PROCESS_TERMINATE, False, pid)
        if not handle:
            log.warning("Could not tie child %s to Shotline (OpenProcess: error %s)", pid, ctypes.get_last_error())
            return
        try:
            if not kernel32.AssignProcessToJobObject(job, handle):
                log.warning("Could not tie child %s to Shotline (error %s)", pid, ctypes.get_last_error())
        finally:
            kernel32.CloseHandle(handle)

else:

    def _join_job(pid: int) -> None:
        raise AssertionError("job objects are Windows's own")
