"""What the GUI thread reads, writes, runs and connects to, from Python's audit events (PEP 578), by thread.

Python raises an audit event for every file it opens (`open`, imports too), every folder it lists or changes
(`os.*`, `shutil.*`, `glob.glob`), every process it starts (`subprocess.Popen`, `os.posix_spawn`…), every socket
(`socket.*`) and every SQLite database it connects to (`sqlite3.connect`). Some work raises none, so while watching
it is made to:
- a statement on a SQLite connection opened while watching (`sqlite3.connect` sets a trace callback on it, which
  runs on the thread that executes the statement);
- PyAV's `av.open`, how Shotline decodes media;
- a Qt picture read from a file (`QPixmap(path)`, `QImage(path)`, `QIcon(path)`, `.load(path)`) in Shotline's ui
  modules;
- waiting for the async runner (`AsyncRunner.run`, or `JobHandle.result` before the job is done) or for a probe's
  reading thread (`media.probe.in_worker`, which `probe`, `admit` and `admitted` wait on): the work is off the
  thread, but the thread stalls all the same.

Qt's own file access in C++ (QSettings, QMediaPlayer, fonts) raises nothing and is not seen.
An audit hook cannot be removed, so one hook is installed per process and does nothing unless a recording runs.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import pytest
from PySide6.QtGui import QIcon, QImage, QPixmap

import shotline
from shotline.jobs.runner import AsyncRunner, JobHandle
from shotline.media import probe

PICTURE_READ = "shotline.test.picture_read"
AV_OPEN = "shotline.test.av_open"
SQL = "sqlite3.statement"
RUNNER_WAIT = "shotline.test.waits_for_runner"

_WATCHED_PREFIXES = ("os.", "shutil.", "glob.", "socket.", "sqlite3.", "subprocess.", "pty.", "ctypes.dlopen")
_WATCHED_EVENTS = {"open", PICTURE_READ, AV_OPEN, RUNNER_WAIT}
# Events under those prefixes that touch no file, network or other process.
_HARMLESS = {"os.putenv", "os.unsetenv", "socket.gethostname"}
_REPO = str(Path(shotline.__file__).resolve().parents[2])


@dataclass(frozen=True, slots=True)
class Touch:
    """One event the GUI thread raised: its name, the path or SQL it names, and where in Shotline it came from."""

    event: str
    path: str | None
    detail: str = ""
    where: str = ""

    def __str__(self) -> str:
        return f"{self.event} {self.path or self.detail}\n{self.where}"


Allowed = Callable[[Touch], bool]


@dataclass
class Recording:
    allowed: Allowed
    thread: int = field(default_factory=threading.get_ident)
    touches: list[Touch] = field(default_factory=list)
    """What the GUI thread did that `allowed` refused, in order."""
    seen: int = 0
    """How many watched events the GUI thread raised in all, allowed ones included."""
    busy: bool = False
    """Judging an event may raise events of its own; those are not recorded."""


_recording: Recording | None = None
_installed = False


def _path_of(event: str, args: tuple[Any, ...]) -> str | None:
    if (
        not args
        or event == RUNNER_WAIT
        or event.startswith(("socket.", "subprocess.", "os.posix_spawn", "os.exec", "os.system", "sqlite3."))
    ):
        return None
    first = args[0]
    if isinstance(first, int):  # an open file descriptor (os.fdopen, a pipe): no path to judge by
        return None
    try:
        return os.path.abspath(os.fsdecode(first))
    except TypeError:
        return None


def _shotline_frames() -> str:
    """The innermost frames of the stack in Shotline or its tests, for the failure message. Their source lines are
    not read: that would open files, raising the very events being recorded."""
    frames = traceback.StackSummary.extract(traceback.walk_stack(None), lookup_lines=False)
    ours = [f for f in frames if f.filename.startswith(_REPO) and f.filename != __file__]
    return "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in ours[:8])


def _traced_connect(real: Callable[..., sqlite3.Connection]) -> Callable[..., sqlite3.Connection]:
    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = real(*args, **kwargs)
        connection.set_trace_callback(lambda statement: sys.audit(SQL, statement))
        return connection

    return connect


def _hook(event: str, args: tuple[Any, ...]) -> None:
    recording = _recording
    if recording is None or recording.busy or threading.get_ident() != recording.thread:
        return
    if event not in _WATCHED_EVENTS and (not event.startswith(_WATCHED_PREFIXES) or event in _HARMLESS):
        return
    recording.busy = True
    try:
        recording.seen += 1
        touch = Touch(event, _path_of(event, args), str(args[0])[:80] if event in (SQL, RUNNER_WAIT) else "")
        if not recording.allowed(touch):
            recording.touches.append(Touch(touch.event, touch.path, touch.detail, _shotline_frames()))
    except Exception as error:  # raised here, it would surface in whatever code raised the event
        recording.touches.append(Touch(event, None, f"(the recorder failed: {error!r})"))
    finally:
        recording.busy = False


def _audited_av_open(real: Callable[..., Any]) -> Callable[..., Any]:
    def av_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        sys.audit(AV_OPEN, file if isinstance(file, str | os.PathLike) else "<file object>")
        return real(file, *args, **kwargs)

    return av_open


def _audited_picture(cls: type) -> type:
    """A subclass of QPixmap, QImage or QIcon that raises PICTURE_READ when it reads a file."""

    def reads(args: tuple[Any, ...]) -> None:
        if args and isinstance(args[0], str | os.PathLike):
            sys.audit(PICTURE_READ, args[0])

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        reads(args)
        cls.__init__(self, *args, **kwargs)

    namespace: dict[str, Any] = {"__init__": __init__}
    if hasattr(cls, "load"):

        def load(self: Any, *args: Any, **kwargs: Any) -> Any:
            reads(args)
            return cls.load(self, *args, **kwargs)

        namespace["load"] = load
    return type(cls.__name__, (cls,), namespace)


def _audited_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    real_run, real_result = AsyncRunner.run, JobHandle.result

    def run(self: AsyncRunner, coro: Any, timeout: float | None = None) -> Any:
        sys.audit(RUNNER_WAIT, getattr(coro, "__qualname__", repr(coro)))
        return real_run(self, coro, timeout)

    def result(self: JobHandle[Any], timeout: float | None = None) -> Any:
        if not self.done():
            sys.audit(RUNNER_WAIT, "JobHandle.result")
        return real_result(self, timeout)

    monkeypatch.setattr(AsyncRunner, "run", run)
    monkeypatch.setattr(JobHandle, "result", result)

    real_in_worker = probe.in_worker

    def in_worker(work: Callable[[], Any], path: Any, timeout: float) -> Any:
        sys.audit(RUNNER_WAIT, f"media.probe.in_worker {path}")
        return real_in_worker(work, path, timeout)

    monkeypatch.setattr(probe, "in_worker", in_worker)


class GuiThreadWatch:
    """Traces what the calling thread (the GUI thread) does while `recording`."""

    @contextmanager
    def recording(self, allowed: Allowed) -> Iterator[Recording]:
        """Record every watched event the GUI thread raises inside the block that `allowed` does not allow."""
        global _recording
        recording = Recording(allowed)
        _recording = recording
        try:
            yield recording
        finally:
            _recording = None


@contextmanager
def watching_gui_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[GuiThreadWatch]:
    """Watch from here on: start before the project opens, so statements on its job journal are traced too."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    monkeypatch.setattr(av, "open", _audited_av_open(av.open))
    monkeypatch.setattr(sqlite3, "connect", _traced_connect(sqlite3.connect))
    _audited_waits(monkeypatch)
    pictures = {cls: _audited_picture(cls) for cls in (QPixmap, QImage, QIcon)}
    for name, module in list(sys.modules.items()):
        if name.startswith("shotline.ui") and module is not None:
            for cls, audited in pictures.items():
                if getattr(module, cls.__name__, None) is cls:
                    monkeypatch.setattr(module, cls.__name__, audited)
    yield GuiThreadWatch()
