"""Rules every Shotline test lives under: nothing left running, never the creator's real config.

- A test that leaves a new non-daemon thread or a child process alive fails (DESIGN §7: shutdown joins the runner
  thread and kills child processes; this is where that promise is checked).
- `SHOTLINE_CONFIG_DIR` and `SHOTLINE_CACHE_DIR` point at throw-away folders for the whole session unless the
  caller set them; under pytest-xdist every worker gets folders of its own, so tests running side by side never
  share settings.
- `ffmpeg_exe` is the ffmpeg binary shipped by imageio-ffmpeg (ffmpeg need not be on PATH).
- A coroutine never awaited is an error wherever it is collected (pyproject.toml's filterwarnings do the same inside
  tests), and its report says where it was created, since it is collected far from there.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import pytest

LEAK_GRACE_SECONDS = 2.0
_POLL_SECONDS = 0.05

sys.set_coroutine_origin_tracking_depth(12)
warnings.filterwarnings("error", message=r"coroutine .* was never awaited", category=RuntimeWarning)

# Set at import time, before any test module imports settings code that might read it at import.
_OWN_DIRS: list[str] = []
_SCRATCH = {"SHOTLINE_CONFIG_DIR": "shotline-test-config-", "SHOTLINE_CACHE_DIR": "shotline-test-cache-"}
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
for _variable, _prefix in _SCRATCH.items():
    if _WORKER or not os.environ.get(_variable):
        _OWN_DIRS.append(tempfile.mkdtemp(prefix=_prefix))
        os.environ[_variable] = _OWN_DIRS[-1]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` runs one worker more than the cores: a worker waits on its child processes, sockets and timers a
    quarter of the time (on two cores, two workers kept 1.46 cores busy, three 1.94, measured with time(1) over the
    whole suite), and no test measures time, so the third only fills the gaps."""
    return (os.cpu_count() or 1) + 1


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _OWN_DIRS:
        shutil.rmtree(folder, ignore_errors=True)


# A worker that crashes in native code (Qt's media backend, FFmpeg) is reported by xdist as "crashed" with nothing
# more: each worker writes Python's fault dump to a file the run shows at its end, so a crash can be diagnosed.
_CRASH_DIR = "SHOTLINE_TEST_CRASH_DIR"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if not _WORKER:
        os.environ[_CRASH_DIR] = tempfile.mkdtemp(prefix="shotline-test-crashes-")
        _OWN_DIRS.append(os.environ[_CRASH_DIR])
    elif folder := os.environ.get(_CRASH_DIR):
        dump = open(Path(folder) / f"{_WORKER}.txt", "w")  # noqa: SIM115 - open for the process's whole life
        faulthandler.enable(file=dump, all_threads=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    folder = os.environ.get(_CRASH_DIR)
    if _WORKER or not folder:
        return
    for dump in sorted(Path(folder).glob("*.txt")):
        if text := dump.read_text(errors="replace").strip():
            terminalreporter.write_sep("=", f"fault dump of worker {dump.stem}")
            terminalreporter.write_line(text)


@pytest.fixture(autouse=True)
def quick_http_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every in-process test keeps ProviderHttp's retry plans (backends.policy) with their waits cut to centiseconds:
    the retries still happen, in the same order, without the half-second to four-second waits between them (a
    provider out of reach cost a window test 10 s of waiting). The plans' own figures are tested in test_policy."""
    from dataclasses import replace

    from shotline.backends import http as provider_http

    for name in ("READS", "CREATES", "DOWNLOADS"):
        monkeypatch.setattr(provider_http, name, replace(getattr(provider_http, name), first_wait_s=0.01))


@pytest.fixture(scope="session")
def ffmpeg_exe() -> Path:
    return Path(imageio_ffmpeg.get_ffmpeg_exe())


def _live_children() -> dict[int, str]:
    """Child processes of this test process that are still running, as pid → command name.

    Zombies are left out: they have finished and only wait to be reaped. On systems without /proc only
    multiprocessing's own children can be seen.
    """
    found = {child.pid: child.name for child in multiprocessing.active_children() if child.pid is not None}
    proc = Path("/proc")
    if not sys.platform.startswith("linux") or not proc.is_dir():
        return found
    me = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        # The command name sits in parentheses and may itself hold spaces or ')'; the fields after the last ')' don't.
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) >= 2 and fields[0] != "Z" and int(fields[1]) == me and not _kept(entry):
            found[int(entry.name)] = name
    return found


_KEPT_PROGRAM = b"forked_cli.py"
"""The command line's fork server (tests/cli/forked_cli.py): a child that lives as long as its test worker, on
purpose, and not a leak."""
_KEPT_CODE = (b"from multiprocessing.forkserver import main", b"from multiprocessing.resource_tracker import main")
"""multiprocessing's fork server and its resource tracker (`tests.clean_fork`), which live as long as the worker."""


def _kept(process: Path) -> bool:
    try:
        argv = (process / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if any(arg.startswith(_KEPT_CODE) for arg in argv[1:4]):  # python3 [-B] -c CODE
        return True
    return len(argv) > 1 and argv[1].endswith(_KEPT_PROGRAM)


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]


@pytest.fixture(autouse=True)
def _nothing_left_running() -> Iterator[None]:
    threads_before = set(threading.enumerate())
    children_before = set(_live_children())
    yield
    deadline = time.monotonic() + LEAK_GRACE_SECONDS
    while True:
        threads = _new_threads(threads_before)
        children = {pid: name for pid, name in _live_children().items() if pid not in children_before}
        if (not threads and not children) or time.monotonic() >= deadline:
            break
        time.sleep(_POLL_SECONDS)
    problems = [f"thread {t.name!r} is still running" for t in threads]
    problems += [f"child process {pid} ({name}) is still running" for pid, name in sorted(children.items())]
    if problems:
        pytest.fail(
            f"The test left work behind {LEAK_GRACE_SECONDS:g} s after it ended: "
            + "; ".join(problems)
            + ". Join threads and wait for or kill child processes before returning.",
            pytrace=False,
        )
