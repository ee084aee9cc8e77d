"""The suite's own fork server for the command line (forked_cli) answers every command, however fast it ends."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from tests.cli import forked_cli


def test_a_command_that_ends_before_its_pid_is_read_is_answered_at_once() -> None:
    """A refused command ends at once: its pid and its status arrive together, and the status must not wait in a
    read-ahead buffer while `select` watches an empty pipe (two suite runs stopped 120 s on it)."""
    env = dict(os.environ)
    server = forked_cli._running_server(env)
    assert server.stdin is not None and server.stdout is not None
    with tempfile.TemporaryDirectory(prefix="cli-run-") as scratch:
        streams = {key: Path(scratch) / key for key in ("stdin", "stdout", "stderr")}
        for path in streams.values():
            path.touch()
        request = {"argv": ["--version"], "cwd": None, "env": env} | {k: str(p) for k, p in streams.items()}
        server.stdin.write(json.dumps(request).encode() + b"\n")
        server.stdin.flush()
        time.sleep(1)  # the command ends, and the server says both lines, before the first is read
        forked_cli._answer(server.stdout, "pid")
        status = forked_cli._answer(server.stdout, "status", time.monotonic() + 60)
    assert os.waitstatus_to_exitcode(status) == 0
