"""One Shotline per project, proven with real second processes; a killed holder leaves no stale lock."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import IO

import pytest

from shotline.core.errors import ProjectLocked
from shotline.storage import lock as lock_module
from shotline.storage.bundle import ProjectBundle
from tests.storage.projects import sample_project

_HOLDER = textwrap.dedent(
    """
    import sys
    from shotline.storage.bundle import ProjectBundle
    bundle = ProjectBundle.open(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
    """
)
_TRY_OPEN = textwrap.dedent(
    """
    import sys
    from shotline.core.errors import ProjectLocked
    from shotline.storage.bundle import ProjectBundle
    try:
        ProjectBundle.open(sys.argv[1]).close()
    except ProjectLocked as error:
        print(error)
        sys.exit(3)
    """
)


def _run(script: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=30)


def test_second_process_is_refused_while_open_and_allowed_after_close(tmp_path: Path) -> None:
    path = tmp_path / "Locked.shotline"
    bundle = ProjectBundle.create(path, sample_project())
    refused = _run(_TRY_OPEN, path)
    assert refused.returncode == 3, refused.stderr
    assert f"pid {os.getpid()} on" in refused.stdout
    assert "Close it there first." in refused.stdout
    bundle.close()
    assert _run(_TRY_OPEN, path).returncode == 0


def test_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "Crashed.shotline"
    ProjectBundle.create(path, sample_project()).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(ProjectLocked, match=f"pid {holder.pid} on"):
            ProjectBundle.open(path)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.stdout.close()
    with ProjectBundle.open(path) as reopened:
        assert reopened.load() == sample_project()


def test_same_process_second_open_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "Twice.shotline"
    with ProjectBundle.create(path, sample_project()), pytest.raises(ProjectLocked):
        ProjectBundle.open(path)


def test_looking_names_the_holder_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "Looked.shotline"
    ProjectBundle.create(path, sample_project()).close()
    (path / ".lock").unlink()  # nobody has opened it on this computer yet
    with ProjectBundle.open(path, read_only=True) as looking:
        assert looking.open_elsewhere is None and not looking.locked
    assert not (path / ".lock").exists()
    with ProjectBundle.open(path) as holding, ProjectBundle.open(path, read_only=True) as looking:
        assert looking.open_elsewhere == f"pid {os.getpid()} on {socket.gethostname()}"
        record = (path / ".lock").read_bytes()
    assert holding.locked is False and record == (path / ".lock").read_bytes()  # looking left the record alone


def test_a_look_at_the_moment_of_opening_does_not_refuse_the_opener(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking holds a shared lock for an instant; an opener that meets it tries again rather than refusing."""
    path = tmp_path / "Glanced.shotline"
    ProjectBundle.create(path, sample_project()).close()
    glance = (path / ".lock").open("rb")
    fcntl.flock(glance.fileno(), fcntl.LOCK_SH)
    real_try = lock_module._try_lock
    refusals: list[bool] = []

    def try_lock(handle: IO[bytes], *, shared: bool = False) -> bool:
        taken = real_try(handle, shared=shared)
        if not taken:
            refusals.append(True)
            glance.close()  # the look is over
        return taken

    monkeypatch.setattr(lock_module, "_try_lock", try_lock)
    with ProjectBundle.open(path) as opened:
        assert opened.locked
    assert refusals == [True]
