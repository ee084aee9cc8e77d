"""Run `python -m shotline ARGS` as a fork of a process that has already imported Shotline.

The suite runs the command line more than 800 times, and most of each run was the interpreter starting and
importing click, httpx and Shotline's command modules again (about 0.3 CPU-seconds each, a third of the suite's
CPU time on two cores). A server started once per test worker imports them, then forks one child per command. The
child is still a process of its own, as under `python -m shotline`: its own environment, working folder, standard
streams, exit code and signals, its own keyring backend (nothing before the fork asks keyring for one), and an
exit that joins its threads, runs its atexit hooks and flushes its streams as the interpreter's does (`_end`). A
command's child now takes about 0.02–0.1 s against 0.35–0.6 s for a new interpreter.

Used only where `os.fork` exists; elsewhere `shotline_cli.shotline` starts `python -m shotline` as before.

Protocol on the server's stdin/stdout, one JSON object per line: the test sends {argv, cwd, env, stdin, stdout,
stderr} (the last three are file paths), the server answers {"pid": …} once the child exists and {"status": …}
(a wait status) once it has ended. One command at a time per worker, as the tests run.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

PRELOAD = ("shotline.launcher", "shotline.cli.main", "keyring", "secretstorage", "imageio_ffmpeg")
"""Imported before any fork, with every command module the command line names (cli.main.COMMAND_MODULES). Keyring
and its Secret Service backend are imported, never asked for a backend: each command chooses its own."""

STARTUP_VARIABLES = ("PYTHON", "LANG", "LC_ALL", "LC_CTYPE")
"""Variables (by prefix) an interpreter reads as it starts (the module path, the streams' encoding): a command run
with values other than the server's gets an interpreter of its own (`forks_for`)."""

# ---- the server (a child process of the test worker) ------------------------------------------------------------


def _preload() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    from shotline.cli.main import COMMAND_MODULES

    for name in COMMAND_MODULES:
        importlib.import_module(name)


def _become_command(request: Mapping[str, Any]) -> None:
    """In the forked child: take the command's environment, folder and streams, run it, and exit as it does."""
    os.environ.clear()
    os.environ.update(request["env"])
    if request["cwd"]:
        os.chdir(request["cwd"])
    sys.path[0] = os.getcwd()  # as `python -m` puts it
    for fd, key, flags in (
        (0, "stdin", os.O_RDONLY),
        (1, "stdout", os.O_WRONLY | os.O_TRUNC),
        (2, "stderr", os.O_WRONLY | os.O_TRUNC),
    ):
        opened = os.open(request[key], flags)
        os.dup2(opened, fd)
        os.close(opened)
    # Fresh stream objects on the new descriptors: the server's own stdin may hold read-ahead of the protocol.
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the interpreter's own streams live as long as it does
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", errors="backslashreplace", closefd=False)  # noqa: SIM115
    signal.signal(signal.SIGINT, signal.default_int_handler)
    faulthandler.enable(all_threads=True)  # on the new stderr: a command that hangs is stopped with SIGABRT
    from shotline.launcher import main

    code = 0
    try:
        main(request["argv"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if exit_.code is not None and not isinstance(exit_.code, int):
            print(exit_.code, file=sys.stderr)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    _end(code)


def _end(code: int) -> NoReturn:
    """End as the interpreter does, without its slowest part: join the threads that are still running, run the
    atexit hooks and flush the streams, then leave without tearing down the thousands of modules the server
    imported (most of a command's time in the child)."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def serve() -> None:
    _preload()
    protocol_in, protocol_out = sys.stdin.buffer, sys.stdout.buffer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C at the terminal is for the tests, not for the server
    for line in protocol_in:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become_command(request)  # ends in SystemExit or an exception, which end this child as they would
        protocol_out.write(json.dumps({"pid": pid}).encode() + b"\n")
        protocol_out.flush()
        _, status = os.waitpid(pid, 0)
        protocol_out.write(json.dumps({"status": status}).encode() + b"\n")
        protocol_out.flush()


# ---- the client (in the test worker) ----------------------------------------------------------------------------

_server: subprocess.Popen[bytes] | None = None
_server_start: dict[str, str] = {}


def _startup(env: Mapping[str, str]) -> dict[str, str]:
    return {
        name: value
        for name, value in env.items()
        if name.startswith(STARTUP_VARIABLES) and name != "PYTHON_KEYRING_BACKEND"  # keyring reads it when asked
    }


def forks_for(env: Mapping[str, str]) -> bool:
    """Whether a command with this environment can run as a fork: the system forks, and no variable read at
    interpreter start differs from the server's (a test putting a plug-in on PYTHONPATH needs a fresh start)."""
    if not hasattr(os, "fork"):
        return False
    return _server is None or _server.poll() is not None or _startup(env) == _server_start


def _running_server(env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    global _server, _server_start
    if _server is None or _server.poll() is not None:
        _server_start = _startup(env)
        _heard.clear()
        _server = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=Path(__file__).parents[2],
            env=dict(env),
        )
        atexit.register(_stop, _server)
    return _server


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.stdin:
        server.stdin.close()
    server.wait(timeout=10)


def _discard(server: subprocess.Popen[bytes]) -> None:
    """Stop a server whose exchange broke off: a half-read one would give the next command this one's answer."""
    global _server
    server.kill()
    server.wait()
    _heard.clear()
    if _server is server:
        _server = None


_heard = bytearray()
"""What the server has said and no answer has taken yet. The answers are read off the pipe's descriptor here, not
through a buffered reader: a reader's read-ahead took a child's status with its pid when the child ended at once
(a refused command), and `select` then waited on a pipe with nothing left in it until the command timed out."""


def _answer(stream: IO[bytes], key: str, deadline: float | None = None) -> int:
    while b"\n" not in _heard:
        if deadline is not None:
            ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError
        said = os.read(stream.fileno(), 4096)
        if not said:
            raise RuntimeError("the forked command line server ended unexpectedly")
        _heard.extend(said)
    end = _heard.index(b"\n") + 1
    line = bytes(_heard[:end])
    del _heard[:end]
    answer: int = json.loads(line)[key]
    return answer


def _exchange(server: subprocess.Popen[bytes], request: Mapping[str, Any], timeout: float | None) -> tuple[int, bool]:
    """Send `request`; its child's wait status, and whether it ran past `timeout` (it is then stopped with SIGABRT,
    so its fault handler writes where it was into its stderr, or killed if even that hangs)."""
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(json.dumps(request).encode() + b"\n")
    server.stdin.flush()
    deadline = None if timeout is None else time.monotonic() + timeout
    pid = _answer(server.stdout, "pid")
    try:
        return _answer(server.stdout, "status", deadline), False
    except TimeoutError:
        pass
    with contextlib.suppress(ProcessLookupError):  # it ended just now
        os.kill(pid, signal.SIGABRT)
    try:
        return _answer(server.stdout, "status", time.monotonic() + 10), True
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        return _answer(server.stdout, "status"), True


class CommandHung(subprocess.TimeoutExpired):
    """A command that ran past its timeout, with what it wrote on stderr: where each of its threads was."""

    def __str__(self) -> str:
        said = self.stderr if isinstance(self.stderr, str) else ""
        return f"{super().__str__()}; its stderr:\n{said}"


def run(
    argv: Sequence[str], cwd: Path | None, stdin: str, timeout: float | None, env: Mapping[str, str]
) -> tuple[int, str, str]:
    """Run the command line with `argv` in a forked child: (exit code, stdout, stderr) as `subprocess.run` gives
    them, a negative code for a signal; raises CommandHung (a subprocess.TimeoutExpired) for one that ran too long."""
    server = _running_server(env)
    with tempfile.TemporaryDirectory(prefix="cli-run-") as scratch:
        streams = {key: Path(scratch) / key for key in ("stdin", "stdout", "stderr")}
        streams["stdin"].write_text(stdin)
        streams["stdout"].touch()
        streams["stderr"].touch()
        request = {"argv": list(argv), "cwd": str(cwd) if cwd else None, "env": dict(env)}
        request |= {key: str(path) for key, path in streams.items()}
        try:
            status, hung = _exchange(server, request, timeout)
        except BaseException:
            _discard(server)
            raise
        out = streams["stdout"].read_text()
        err = streams["stderr"].read_text(errors="backslashreplace")
    if hung:
        raise CommandHung(["shotline", *argv], timeout or 0, out, err)
    return os.waitstatus_to_exitcode(status), out, err


if __name__ == "__main__":
    serve()
