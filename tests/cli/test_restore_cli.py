"""`shotline restore`: list a project's backups and bring one back, through the real command line.

A project saved a few times by real commands has real backups; its project.json is then damaged as a crash or a
full disk would leave it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import copy_of, info, ok, shotline

DAMAGE = b'{"format_version": 1, "id": "x", "sho'


@pytest.fixture(scope="module")
def saved_four_times(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Saved four times: created, then three shots added one by one (so three backups: 0, 1 and 2 shots)."""
    path = tmp_path_factory.mktemp("made") / "film.shotline"
    ok("new", path, "--title", "Harbour")
    for prompt in ("A lighthouse at dusk", "A gull over the waves", "A net drying on the quay"):
        ok("add", path, "--prompt", prompt)
    return path


@pytest.fixture
def project(tmp_path: Path, saved_four_times: Path) -> Path:
    return copy_of(saved_four_times, tmp_path)


def shot_count(project: Path) -> int:
    return len(info(project)["shots"])


def test_the_damage_message_names_the_restore_command_and_the_restore_command_works(project: Path) -> None:
    (project / "project.json").write_bytes(DAMAGE)
    failed = shotline("info", project)
    assert failed.code == 1
    assert f'shotline restore "{project}"' in failed.err
    assert "Restore the latest backup" in failed.err

    out = ok("restore", project)
    assert "Harbour" in out and "project.json.damaged-" in out
    assert shot_count(project) == 2, "the newest backup: the version before the last save"
    [kept] = project.glob("project.json.damaged-*")
    assert kept.read_bytes() == DAMAGE, "the damaged file is kept as it was"
    assert str(kept.name) in out


def test_list_numbers_the_backups_newest_first_and_marks_one_that_does_not_open(project: Path) -> None:
    backups = sorted((project / ".backups").glob("project-*.json"))
    assert len(backups) == 3
    backups[1].write_bytes(b"")  # the middle one, damaged too
    out = ok("restore", project, "--list")
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert [row[-1] for row in rows] == ["opens", rows[1][-1], "opens"]
    assert "does not open" in " ".join(rows[1])
    assert f'shotline restore "{project}" --backup N' in out
    assert shot_count(project) == 3, "listing changes nothing"


def test_backup_n_restores_that_one_and_keeps_the_good_file_it_replaces(project: Path) -> None:
    ok("restore", project, "--backup", "3")
    assert shot_count(project) == 0, "backup 3: the project as first created"
    assert list(project.glob("project.json.damaged-*")) == []
    ok("restore", project, "--backup", "1")  # the version just replaced is now the newest backup
    assert shot_count(project) == 3


def test_a_backup_that_does_not_open_is_refused_and_nothing_changes(project: Path) -> None:
    oldest = sorted((project / ".backups").glob("project-*.json"))[0]
    oldest.write_bytes(b"\x00" * 32)
    before = (project / "project.json").read_bytes()
    result = shotline("restore", project, "--backup", "3")
    assert result.code == 1 and "zero bytes" in result.err and "Traceback" not in result.err
    assert (project / "project.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("--backup", "9"), 1, "There is no backup 9: this project has 3"),
        (("--backup", "0"), 2, "--backup"),
        (("--list", "--backup", "1"), 2, "go separately"),
    ],
)
def test_bad_requests_are_explained(project: Path, args: tuple[str, ...], code: int, says: str) -> None:
    before = (project / "project.json").read_bytes()
    result = shotline("restore", project, *args)
    assert result.code == code and says in result.err and "Traceback" not in result.err
    assert (project / "project.json").read_bytes() == before


def test_a_project_without_backups(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.shotline"
    ok("new", fresh)
    assert "has no backups yet" in ok("restore", fresh, "--list")
    result = shotline("restore", fresh)
    assert result.code == 1 and "no backup that opens" in result.err


def test_json_on_disk_after_a_restore_is_the_backup_byte_for_byte(project: Path) -> None:
    newest = max((project / ".backups").glob("project-*.json"))
    (project / "project.json").write_bytes(DAMAGE)
    ok("restore", project)
    assert (project / "project.json").read_bytes() == newest.read_bytes()
    assert json.loads((project / "project.json").read_text())["title"] == "Harbour"
