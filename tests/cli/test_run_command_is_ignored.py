"""Everything the README's Run command writes is ignored by git: a contributor who runs it at the repository's root
finds nothing new to commit (the provenance sidecar, `demo.mp4.provenance.json`, used to show up)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.shotline_cli import ok
from tests.test_readme import REPO, RUN_COMMAND

pytestmark = [pytest.mark.ffmpeg]


def _not_ignored(names: list[str]) -> list[str]:
    """Those of `names` (paths at the repository's root; folders end in /) that its .gitignore does not cover."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of the repository")
    found = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", "--stdin"],
        input="\n".join(names),
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode in (0, 1), found.stderr  # 1: none of them is ignored
    return sorted(set(names) - set(found.stdout.splitlines()))


def test_what_the_run_command_writes_is_ignored(tmp_path: Path) -> None:
    run = RUN_COMMAND.split(" && ")[-1]
    words = shlex.split(run)
    assert words[0] == "shotline", run
    ok(*words[1:], cwd=tmp_path)
    written = [f"{p.name}/" if p.is_dir() else p.name for p in tmp_path.iterdir()]
    assert "demo.mp4.provenance.json" in written
    assert _not_ignored(written) == []
