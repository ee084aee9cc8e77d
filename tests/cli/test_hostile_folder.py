"""A project folder whose own files and folders are links (issue 13, class 2): Shotline writes into them — the lock's
holder record, the job journal, imported media, backups, the cache — so a folder shared with `.lock` linked to
another file had that file truncated and overwritten by the next command, and one whose `media` was a link had an
import copied out of the project. Each is refused before anything in the folder is opened, naming the link; what it
points to is left exactly as it was."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from tests.cli.shotline_cli import ok, shotline
from tests.cli.test_hostile_media import limited

_ENTRIES = [".lock", "jobs.sqlite", "media", "cache", ".backups", ".recovery", ".partial", "project.json"]
_ENTRIES += ["cache/thumbnails", "cache/waveforms", "cache/previews"]


def _fingerprint(path: Path) -> dict[str, str]:
    """Every file under `path` (or `path` itself) with a digest of its bytes."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(file): hashlib.sha256(file.read_bytes()).hexdigest() for file in files}


@pytest.mark.parametrize("entry", _ENTRIES)
def test_a_project_whose_own_entry_is_a_link_is_refused_and_nothing_outside_changes(tmp_path: Path, entry: str) -> None:
    ok("new", tmp_path / "Film", "--size", "160x90")
    project = tmp_path / "Film.shotline"
    own = project / entry
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if own.is_dir() or entry.startswith("cache/"):
        victim = elsewhere / entry.lstrip(".").replace("/", "-")
        victim.mkdir()
        (victim / "kept.txt").write_text("the creator's own file\n")
        if own.is_dir():
            for child in own.iterdir():
                child.rename(victim / child.name)  # the project's backups etc. move with it: only the link is wrong
            own.rmdir()
    else:
        victim = elsewhere / "notes.txt"
        victim.write_bytes(own.read_bytes() if own.is_file() else b"the creator's own notes\n")
        own.unlink(missing_ok=True)
    own.symlink_to(victim)
    before = _fingerprint(elsewhere)

    for command in (["add", project, "--prompt", "A gull"], ["info", project], ["jobs", project]):
        result = shotline(*command)
        assert result.code == 1, (command, result.out, result.err)
        assert "Traceback" not in result.err, result.err
        assert f"its {entry} is a link to {str(victim)!r}" in result.err, result.err
    assert _fingerprint(elsewhere) == before


@pytest.mark.skipif(sys.platform == "win32", reason="address-space limits and sparse files are POSIX")
def test_a_huge_backup_or_autosave_is_read_no_further_than_a_project_can_be(tmp_path: Path) -> None:
    """A project folder whose project.json is damaged and whose .backups and .recovery hold 6 GB sparse files under
    a backup's and the autosave's names: looking for a backup that opens read each whole (a MemoryError traceback
    under a 1 GiB limit, 6 GB of memory without one). Now each is read only past the largest a project can be, and
    called damaged for it (issue 13, classes 3 and 5)."""
    ok("new", tmp_path / "Film", "--size", "160x90")
    project = tmp_path / "Film.shotline"
    ok("add", project, "--prompt", "A gull")
    for huge in (project / ".backups" / "project-29991231T000000000000Z.json", project / ".recovery" / "recovery.json"):
        with huge.open("wb") as sparse:
            sparse.truncate(6 << 30)
    (project / "project.json").write_text("{")
    looked = limited("info", project)
    assert looked.code == 1 and "Traceback" not in looked.err and "MemoryError" not in looked.err, looked.err
    assert "The project file is damaged" in looked.err and "The newest backup that opens is from 20" in looked.err
    listed = limited("restore", project, "--list")
    assert "Traceback" not in listed.err, listed.err
    assert (
        "2999-12-31 00:00:00  does not open: The project file is damaged: it is larger than any project" in listed.out
    )
