"""A project on a full disk or in a folder that cannot be written: what only looks still works and writes nothing,
what must write says why it cannot and loses nothing, and the job journal is read-only there, never "damaged".

Both faults are real, for one command only: the command runs in a mount namespace of its own (`unshare`) where a copy
of the project sits on a tmpfs filled to the last byte, or where the project folder is bind-mounted read-only
(tests run as root, for whom a `chmod` stops no write; a read-only mount stops root too).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.shotline_cli import NO_KEYRING, Result, info, ok, shotline
from tests.cli.test_cast_cli import picture
from tests.cli.test_write_failures import needs_full_disk
from tests.clips import make_clip
from tests.fakes.runway import KEY, FakeRunway

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

INTERNAL = ("Traceback", "Errno", "WARNING")

_FULL = (
    'disk="$1"; after="$2"; shift 2; mount -t tmpfs -o size=1m tmpfs "$disk" && cp -a "$0" "$disk"/ && '
    '{ dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null; true; } && "$@"; code=$?; '
    'rm -f "$disk/filler"; cp -a "$disk"/. "$after"/; exit $code'
)
"""Copy the project onto a 1 MB tmpfs, fill it, run the command, copy what is left on it back out to look at."""
_READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def _in_namespace(script: str, *args: str | Path) -> Result:
    argv = ["unshare", "-rm", "sh", "-c", script, *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


def on_a_full_disk(project: Path, tmp: Path, command: str, *args: str) -> tuple[Result, Path]:
    """Run `shotline COMMAND <copy of project> ARGS` with the copy on a full disk; returns the result and the copy
    as the command left it."""
    disk, after = tmp / "disk", tmp / "after"
    disk.mkdir()
    after.mkdir()
    copy = disk / project.name
    result = _in_namespace(_FULL, project, disk, after, sys.executable, "-m", "shotline", command, copy, *args)
    return result, after / project.name


def in_a_read_only_folder(project: Path, command: str, *args: str) -> Result:
    return _in_namespace(_READ_ONLY, project, sys.executable, "-m", "shotline", command, project, *args)


def _contents(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones too) and a digest of what it holds."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _plain(result: Result) -> None:
    for internal in INTERNAL:
        assert internal not in result.err, result.err


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project with one generated take, so its journal holds one job."""
    path = tmp_path_factory.mktemp("made") / "Film.shotline"
    ok("new", path, "--size", "320x180", "--fps", "24")
    ok("add", path, "--prompt", "Harbour at dawn")
    ok("generate", path, "--wait", "--backend", "animatic")
    (path / ".lock").unlink()  # as a copy from another computer or a backup has it: nobody has opened it here
    return path


@pytest.fixture
def project(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "here" / made.name
    shutil.copytree(made, copy)
    return copy


def _job_id(project: Path) -> str:
    with sqlite3.connect(f"{(project / 'jobs.sqlite').as_uri()}?immutable=1", uri=True) as db:
        (job_id,) = db.execute("SELECT id FROM jobs").fetchone()
    return str(job_id)


# ---------------------------------------------------------------------------------------------------- a full disk


@needs_full_disk
def test_info_on_a_full_disk_shows_the_project_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    before = _contents(project)
    result, after = on_a_full_disk(project, tmp_path, "info")
    assert result.code == 0, result.err
    assert "Harbour at dawn" in result.out
    _plain(result)
    assert _contents(after) == before  # not even a lock file


@needs_full_disk
def test_jobs_on_a_full_disk_are_listed(project: Path, tmp_path: Path) -> None:
    result, after = on_a_full_disk(project, tmp_path, "jobs")
    assert result.code == 0, result.err
    assert _job_id(project)[:8] in result.out and "attached" in result.out
    assert "damaged" not in result.err and "aside" not in result.err
    _plain(result)
    assert _job_id(after) == _job_id(project)


@needs_full_disk
def test_an_edit_on_a_full_disk_says_the_disk_is_full_and_loses_nothing(project: Path, tmp_path: Path) -> None:
    before = _contents(project)
    result, after = on_a_full_disk(project, tmp_path, "add", "--prompt", "Gulls")
    assert result.code == 1
    error = result.err[result.err.index("Error: ") :]
    assert "Could not save the project: No space left on device" in error, result.err
    assert "previous save is intact" in error
    _plain(result)
    kept = _contents(after)
    assert {name: kept.get(name) for name in before} == before  # every file as it was (a lock file may be new)
    assert "Gulls" not in (after / "project.json").read_text()
    assert result.out == ""  # no new shot's id printed for a shot that was never saved


@needs_full_disk
def test_generating_on_a_full_disk_says_the_disk_is_full_and_starts_nothing(project: Path, tmp_path: Path) -> None:
    result, after = on_a_full_disk(project, tmp_path, "generate", "--all", "--backend", "animatic")
    assert result.code == 1
    error = result.err[result.err.index("Error: ") :]
    assert "the disk is full" in error and "Nothing was changed" in error, result.err
    _plain(result)
    assert _contents(after / "media") == _contents(project / "media")
    with sqlite3.connect(f"{(after / 'jobs.sqlite').as_uri()}?immutable=1", uri=True) as db:
        assert db.execute("SELECT count(*) FROM jobs").fetchone() == (1,)  # the one job from before, no new one


_NEARLY_FULL = _FULL.replace("2>/dev/null; true; }", '2>/dev/null; true; } && truncate -s -"$free" "$disk/filler"')
_NEARLY_FULL = 'free="$3"; ' + _NEARLY_FULL.replace('after="$2"; shift 2;', 'after="$2"; shift 3;').replace(
    "size=1m", "size=2m"
)
"""As _FULL, on a disk of 2 MB left with `free` bytes: room for the journal's writes, not for a clip."""


@needs_full_disk
def test_a_clip_the_disk_has_no_room_for_stays_with_its_job_for_the_resume(tmp_path: Path) -> None:
    """The download's write failing (the disk full) ended the job as failed ('Try generating again': paying again)
    with a traceback, though the provider still held the clip; the job waits for the resume, which fetches it."""
    project = tmp_path / "here" / "Film.shotline"
    ok("new", project, "--size", "320x180", "--fps", "24")
    ok("add", project, "--prompt", "Harbour at dawn", "--duration", "5")
    with FakeRunway() as fake:
        env = {
            **NO_KEYRING,
            "SHOTLINE_RUNWAY_BASE_URL": fake.url,
            "RUNWAYML_API_SECRET": KEY,
            "SHOTLINE_POLL_SECONDS": "0.05",
            "SHOTLINE_CONFIG_DIR": str(tmp_path / "config"),
            "SHOTLINE_CACHE_DIR": str(tmp_path / "cache"),
        }
        ok("generate", project, "--backend", "runway", "--model", "gen4.5", env=env)
        (project / ".lock").unlink()
        disk, after = tmp_path / "disk", tmp_path / "after"
        disk.mkdir()
        after.mkdir()
        argv = [sys.executable, "-m", "shotline", "resume", disk / project.name, "--wait"]
        with_env = ["env", *(f"{name}={value}" for name, value in env.items())]
        result = _in_namespace(_NEARLY_FULL, project, disk, after, "100K", *with_env, *argv)
        assert result.code == 1
        assert "could not be written into the project: No space left on device" in result.err, result.err
        assert "resume the job" in result.err
        _plain(result)
        left = after / project.name
        with sqlite3.connect(f"{(left / 'jobs.sqlite').as_uri()}?immutable=1", uri=True) as db:
            (phase,) = db.execute("SELECT phase FROM jobs").fetchone()
        assert phase in {"submitted", "downloading"}, phase  # not failed: the clip is still the provider's to fetch
        (left / ".lock").unlink(missing_ok=True)
        ok("resume", left, "--wait", env=env)
    assert [shot["takes"] for shot in info(left)["shots"]] == [1]


# ---------------------------------------------------------------------------------------------- a read-only folder


@needs_full_disk
def test_jobs_in_a_read_only_project_are_listed_from_a_read_only_journal(project: Path) -> None:
    before = _contents(project)
    result = in_a_read_only_folder(project, "jobs")
    assert result.code == 0, result.err
    assert _job_id(project)[:8] in result.out and "attached" in result.out
    assert "read-only" in result.err
    assert "damaged" not in result.err and "aside" not in result.err
    _plain(result)
    assert _contents(project) == before


@needs_full_disk
@pytest.mark.parametrize("command", ["info", "budget"])
def test_a_read_only_project_can_be_looked_at(project: Path, command: str) -> None:
    before = _contents(project)
    result = in_a_read_only_folder(project, command)
    assert result.code == 0, result.err
    assert "damaged" not in result.err
    _plain(result)
    assert _contents(project) == before


@needs_full_disk
def test_a_read_only_project_without_a_journal_has_no_jobs(project: Path) -> None:
    (project / "jobs.sqlite").unlink()
    result = in_a_read_only_folder(project, "jobs")
    assert result.code == 0, result.err
    assert "No jobs yet." in result.out
    assert "damaged" not in result.err
    _plain(result)
    assert not (project / "jobs.sqlite").exists()


@needs_full_disk
def test_an_edit_in_a_read_only_project_says_why_it_cannot_be_saved(project: Path) -> None:
    before = _contents(project)
    result = in_a_read_only_folder(project, "add", "--prompt", "Gulls")
    assert result.code == 1
    error = result.err[result.err.index("Error: ") :]
    assert "Could not save the project: Read-only file system" in error, result.err
    _plain(result)
    assert _contents(project) == before


@pytest.fixture(scope="module")
def brought_in(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A clip, a sound and a picture from outside the project, for the commands that copy one in."""
    folder = tmp_path_factory.mktemp("outside")
    made = {"clip": folder / "harbour.mp4", "sound": folder / "gulls.wav", "picture": folder / "mara.png"}
    made["stream"] = folder / "broadcast.ts"  # copied in remuxed, through a part file of its own
    make_clip(made["clip"], seconds=1, size=(320, 180))
    make_clip(made["stream"], seconds=1, size=(320, 180))
    make_clip(made["sound"], seconds=1, video=False, audio=(48_000, 2))
    picture(made["picture"])
    return made


@needs_full_disk
@pytest.mark.parametrize(
    ("what", "command"),
    [
        ("clip", ["import"]),
        ("stream", ["import"]),
        ("stream", ["import", "--keep-partial"]),
        ("sound", ["sound", "add"]),
        ("picture", ["cast", "image", "add"]),
    ],
)
def test_bringing_a_file_into_a_read_only_project_names_the_file_and_why(
    project: Path, brought_in: dict[str, Path], what: str, command: list[str]
) -> None:
    """The copy's clean-up (removing a part file it never made) raised 'Read-only file system' over the copy's own
    failure, naming the hidden part file where the creator's file should be."""
    if command[0] == "cast":
        ok("cast", "add", project, "Mara", "--kind", "character")
        (project / ".lock").unlink(missing_ok=True)
    if "--keep-partial" in command:  # the folder for part files is there already (else it must be made first)
        command = [word for word in command if word != "--keep-partial"]
        (project / ".partial").mkdir(exist_ok=True)
    else:
        shutil.rmtree(project / ".partial", ignore_errors=True)
    before = _contents(project)
    source = brought_in[what]
    args = [*command[1:], project, *(["Mara"] if command[0] == "cast" else []), source]
    result = _in_namespace(_READ_ONLY, project, sys.executable, "-m", "shotline", command[0], *args)
    assert result.code == 1
    error = result.err[result.err.index("Error: ") :]
    assert f"Could not copy {source.name} into the project: Read-only file system" in error, result.err
    assert ".partial" not in error and ".part" not in error
    _plain(result)
    assert _contents(project) == before


@needs_full_disk
def test_unpacking_into_a_folder_that_cannot_be_made_names_the_archive_and_why(project: Path, tmp_path: Path) -> None:
    archive = tmp_path / "Film.shotline.zip"
    ok("share", project, "-o", archive)
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    result = _in_namespace(_READ_ONLY, shelf, sys.executable, "-m", "shotline", "unpack", archive, "--to", shelf / "in")
    assert result.code == 1
    error = result.err[result.err.index("Error: ") :]
    assert f"Could not unpack Film.shotline.zip: the folder {shelf / 'in'} could not be made" in error, result.err
    assert "Read-only file system" in error
    _plain(result)
    assert list(shelf.iterdir()) == []


# ---------------------------------------------------------------------------------------------- a damaged journal


def test_a_damaged_journal_is_called_damaged_and_kept_as_it_is(project: Path) -> None:
    damaged = b"this is not a database" * 100
    (project / "jobs.sqlite").write_bytes(damaged)
    result = shotline("jobs", project)
    assert result.code == 1
    error = result.err[result.err.index("Error: ") :]
    assert "jobs.sqlite is damaged" in error
    assert "keep a copy" in error.lower()  # moving it aside alone would lose the record of jobs paid for
    _plain(result)
    assert (project / "jobs.sqlite").read_bytes() == damaged
