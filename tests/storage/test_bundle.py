"""The project folder: create/open, atomic save under failures, backups, recovery, paths, media import."""

from __future__ import annotations

import errno
import os
import types
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shotline.core.errors import (
    MediaMissing,
    ProjectCorrupt,
    ProjectError,
    ProjectNotFound,
    SaveFailed,
)
from shotline.core.model import Project
from shotline.storage import atomic, backups, references, schema
from shotline.storage.bundle import ProjectBundle
from tests.storage.projects import sample_project


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".part")))


@pytest.fixture
def bundle(tmp_path: Path) -> ProjectBundle:
    made = ProjectBundle.create(tmp_path / "Harbour.shotline", sample_project())
    yield made
    made.close()


def test_create_lays_out_the_folder_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "Harbour.shotline"
    with ProjectBundle.create(path, sample_project()) as made:
        for name in ("media", "cache", ".backups", ".recovery", ".partial"):
            assert (path / name).is_dir(), name
        assert made.journal_path == path / "jobs.sqlite"
    with ProjectBundle.open(path / "project.json") as again:
        assert again.path == path
        assert again.load() == sample_project()


def test_create_refuses_a_folder_with_things_in_it(tmp_path: Path) -> None:
    (tmp_path / "Busy.shotline").mkdir()
    (tmp_path / "Busy.shotline" / "notes.txt").write_text("mine")
    with pytest.raises(ProjectError, match="already exists and is not empty"):
        ProjectBundle.create(tmp_path / "Busy.shotline", sample_project())
    assert (tmp_path / "Busy.shotline" / "notes.txt").read_text() == "mine"


def test_open_missing_project_says_so(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFound, match="no project at"):
        ProjectBundle.open(tmp_path / "Gone.shotline")
    (tmp_path / "Empty.shotline").mkdir()
    with pytest.raises(ProjectNotFound, match="not a Shotline project"):
        ProjectBundle.open(tmp_path / "Empty.shotline")


def test_save_replaces_and_backs_up_previous(bundle: ProjectBundle) -> None:
    first = bundle.project_file.read_bytes()
    bundle.save(replace(sample_project(), title="Second"))
    assert bundle.load().title == "Second"
    kept = bundle.all_backups()
    assert len(kept) == 1
    assert kept[0].path.read_bytes() == first
    assert _leftovers(bundle.path) == []


def test_backups_are_thinned_to_the_newest_ten_within_an_hour(bundle: ProjectBundle) -> None:
    for n in range(15):
        bundle.save(replace(sample_project(), title=f"v{n}"))
    kept = bundle.all_backups()
    assert len(kept) == 10
    titles = [schema.loads(b.path.read_bytes()).title for b in kept]
    assert titles == [f"v{n}" for n in range(13, 3, -1)], "newest first, the oldest ones dropped"


def test_thinning_keeps_one_per_hour_day_and_month(tmp_path: Path) -> None:
    now = datetime(2025, 6, 30, 12, tzinfo=UTC)
    # Every 10 minutes for 3 days, then one every 6 hours back to 90 days ago.
    moments = [now - timedelta(minutes=10 * i) for i in range(3 * 24 * 6)]
    moments += [now - timedelta(days=3, hours=6 * i) for i in range(4 * 87)]
    made = [backups.Backup(tmp_path / f"b{i}", m) for i, m in enumerate(moments)]
    dropped = {b.path for b in backups.to_discard(made, now)}
    kept = [b for b in made if b.path not in dropped]
    assert {b.path for b in sorted(made, key=lambda b: b.saved_at)[-10:]} <= {b.path for b in kept}
    last_day = [b for b in kept if now - b.saved_at <= timedelta(days=1)]
    assert 24 <= len(last_day) <= 24 + 10
    month = [b for b in kept if timedelta(days=1) < now - b.saved_at <= timedelta(days=31)]
    assert 29 <= len(month) <= 31
    older = [b for b in kept if now - b.saved_at > timedelta(days=31)]
    assert 2 <= len(older) <= 4, "about one per calendar month"
    assert len(kept) < len(made) / 5


def test_disk_full_during_write_keeps_old_file_and_no_temp(
    bundle: ProjectBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = bundle.project_file.read_bytes()
    real_write = os.write

    def write_some_then_fail(fd: int, data: bytes) -> int:
        if len(data) > 100:
            real_write(fd, bytes(data)[:100])
            return 100
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", write_some_then_fail)
    with pytest.raises(SaveFailed) as caught:
        bundle.save(replace(sample_project(), title="Never written"))
    monkeypatch.undo()
    assert "No space left on device" in str(caught.value)
    assert "previous save is intact" in str(caught.value)
    assert bundle.project_file.read_bytes() == before
    assert _leftovers(bundle.path) == []
    assert bundle.load() == sample_project()


def test_read_only_folder_fails_cleanly(bundle: ProjectBundle, monkeypatch: pytest.MonkeyPatch) -> None:
    before = bundle.project_file.read_bytes()
    real_open = os.open

    def refuse_new_files(path: str | os.PathLike[str], flags: int, *args: int, **kw: object) -> int:
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_new_files)
    with pytest.raises(SaveFailed, match="Read-only file system"):
        bundle.save(replace(sample_project(), title="Nope"))
    monkeypatch.undo()
    assert bundle.project_file.read_bytes() == before
    assert _leftovers(bundle.path) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write to read-only folders")
def test_really_read_only_folder(bundle: ProjectBundle) -> None:
    before = bundle.project_file.read_bytes()
    bundle.path.chmod(0o555)
    try:
        with pytest.raises(SaveFailed, match="Permission denied"):
            bundle.save(replace(sample_project(), title="Nope"))
    finally:
        bundle.path.chmod(0o755)
    assert bundle.project_file.read_bytes() == before


def test_replace_is_retried_when_briefly_refused(bundle: ProjectBundle, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace
    refusals = [PermissionError(errno.EACCES, "in use by a virus scanner")] * 2

    def flaky(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if refusals and Path(dst).name == "project.json":
            raise refusals.pop()
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    bundle.save(replace(sample_project(), title="Retried"))
    assert refusals == []
    assert bundle.load().title == "Retried"


def test_model_that_would_not_load_is_never_written(bundle: ProjectBundle) -> None:
    before = bundle.project_file.read_bytes()
    bad = Project(id="p", title="t", shots=(replace(sample_project().shots[0], gain_db=float("inf")),))
    with pytest.raises(SaveFailed):
        bundle.save(bad)
    assert bundle.project_file.read_bytes() == before


def test_corrupt_project_names_the_backup_and_restore_brings_it_back(bundle: ProjectBundle) -> None:
    bundle.save(replace(sample_project(), title="Good"))
    bundle.save(replace(sample_project(), title="Latest"))
    bundle.project_file.write_bytes(b"\x00" * 512)
    with pytest.raises(ProjectCorrupt) as caught:
        bundle.load()
    newest = bundle.latest_backup()
    assert newest is not None
    assert "only zero bytes" in str(caught.value)
    assert str(newest.path) in str(caught.value)
    restored = bundle.restore_backup()
    assert restored.project.title == "Good" and restored.backup == newest
    assert bundle.load().title == "Good"
    assert restored.kept is not None and restored.kept.parent == bundle.path
    assert restored.kept.name.startswith("project.json.damaged-")
    assert restored.kept.read_bytes() == b"\x00" * 512, "the damaged file is kept as it was"


def test_restoring_twice_keeps_both_damaged_files_and_a_good_file_becomes_a_backup(bundle: ProjectBundle) -> None:
    bundle.save(replace(sample_project(), title="Good"))
    bundle.save(replace(sample_project(), title="Latest"))
    kept = []
    for damage in (b"\x00" * 8, b"{"):
        bundle.project_file.write_bytes(damage)
        restored = bundle.restore_backup()
        assert restored.kept is not None
        kept.append(restored.kept)
    assert kept[0] != kept[1] and [p.read_bytes() for p in kept] == [b"\x00" * 8, b"{"]

    bundle.save(replace(sample_project(), title="Edited"))
    restored = bundle.restore_backup(bundle.all_backups()[-1])
    assert bundle.load() == restored.project and restored.project.title != "Edited"
    assert restored.kept is not None and restored.kept.parent == bundle.backups_dir
    assert b'"Edited"' in restored.kept.read_bytes(), "the version replaced is a backup like any other"


def test_corrupt_without_backup_is_plain_corrupt(bundle: ProjectBundle) -> None:
    bundle.project_file.write_bytes(b'{"format_version": 1, "id": "p", "shots": [')
    with pytest.raises(ProjectCorrupt, match="ends too early") as caught:
        bundle.load()
    assert "backup" not in str(caught.value).lower()


def test_recovery_newer_than_save_is_offered(bundle: ProjectBundle) -> None:
    assert bundle.recovery() is None
    edited = replace(sample_project(), title="Unsaved edit")
    bundle.write_recovery(edited)
    assert bundle.recovery() == edited
    assert bundle.load() == sample_project(), "autosave never touches project.json"
    bundle.save(edited)
    assert not bundle.recovery_file.exists()
    assert bundle.recovery() is None


def test_recovery_older_than_save_is_ignored(bundle: ProjectBundle) -> None:
    bundle.write_recovery(replace(sample_project(), title="Old autosave"))
    later = bundle.recovery_file.stat().st_mtime_ns + 5_000_000_000
    os.utime(bundle.project_file, ns=(later, later))
    assert bundle.recovery() is None


def test_corrupt_recovery_is_logged_and_ignored(bundle: ProjectBundle, caplog: pytest.LogCaptureFixture) -> None:
    bundle.recovery_file.write_bytes(b'{"format_version": 1, "id": ')
    later = bundle.project_file.stat().st_mtime_ns + 5_000_000_000
    os.utime(bundle.recovery_file, ns=(later, later))
    assert bundle.recovery() is None
    assert "Ignoring the autosave" in caplog.text
    bundle.discard_recovery()
    assert not bundle.recovery_file.exists()


def test_stale_temp_files_are_swept_on_open(bundle: ProjectBundle) -> None:
    stale = atomic.temp_name(bundle.project_file)
    stale.write_bytes(b'{"half": ')
    bundle.close()
    with ProjectBundle.open(bundle.path):
        assert not stale.exists()


LEFTOVERS = [
    "cache/waveforms/.4f2a.peaks.0a1b2c3d.partial",  # services.waveforms
    "cache/thumbnails/.4f2a.jpg.0a1b2c3d.partial",  # services.thumbnails, media.thumbnails
    "cache/loudness/.4f2a.levels.0a1b2c3d.partial",  # services.take_loudness
    "cache/previews/.mix-4f2a.0a1b2c3d.partial.wav",  # services.mix_preview
    ".partial/0a1b2c3d4e5f.import.part.mkv",  # services.importing: a transport stream's remux
    ".partial/4f2a.mp4.4242.import.part",  # storage.bundle: a copy into media/
]
"""Hidden part files a Shotline killed while writing them leaves in the project (named as each writer names them);
the cache's and a remux's were never removed, by anything."""


@pytest.mark.parametrize("rel", LEFTOVERS)
def test_what_a_killed_shotline_was_writing_in_the_project_is_swept_on_open(bundle: ProjectBundle, rel: str) -> None:
    leftover = bundle.path / rel
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"half a file")
    kept = leftover.with_name("4f2a.peaks")  # a finished cache file beside it stays
    kept.write_bytes(b"whole")
    bundle.close()
    with ProjectBundle.open(bundle.path):
        assert not leftover.exists()
        assert kept.read_bytes() == b"whole"


@pytest.mark.parametrize("rel", ["../outside.mp4", "/etc/passwd", "media/../../x", "C:/x.mp4", "media\\..\\x", ""])
def test_resolve_refuses_paths_leaving_the_folder(bundle: ProjectBundle, rel: str) -> None:
    with pytest.raises(ProjectCorrupt, match="Shotline only reads media inside the project"):
        bundle.resolve(rel)


def test_resolve_refuses_symlinks_out_and_accepts_media(bundle: ProjectBundle, tmp_path: Path) -> None:
    (bundle.media_dir / "sneaky.mp4").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(ProjectCorrupt, match=r"is a link to .*secret\.txt', outside the project folder"):
        bundle.resolve("media/sneaky.mp4")
    assert bundle.resolve("media/a.mp4") == (bundle.path / "media" / "a.mp4").resolve()


def test_import_media_by_content_hash_once(bundle: ProjectBundle, tmp_path: Path) -> None:
    source = tmp_path / "Boats At Dawn.MP4"
    source.write_bytes(os.urandom(3 << 20))
    rel = bundle.import_media(source)
    assert rel.startswith("media/") and rel.endswith(".mp4")
    stored = bundle.resolve(rel)
    assert stored.read_bytes() == source.read_bytes()
    inode = stored.stat().st_ino
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(source.read_bytes())
    assert bundle.import_media(copy) == rel
    assert stored.stat().st_ino == inode, "the same content is not copied again"
    other = tmp_path / "other.mp4"
    other.write_bytes(b"different")
    assert bundle.import_media(other) != rel
    assert _leftovers(bundle.path) == []
    with pytest.raises(MediaMissing):
        bundle.import_media(tmp_path / "nope.mp4")


def test_missing_media_lists_what_is_not_there(bundle: ProjectBundle) -> None:
    project = sample_project(shots=1)
    (bundle.media_dir / "clip0.mp4").write_bytes(b"x")
    (bundle.media_dir / "ref1.png").write_bytes(b"x")
    missing = bundle.missing_media(project)
    assert missing == [
        "media/x.mov",
        "media/deleted.mp4",
        "media/music.wav",
        "media/first.png",
        "media/last.png",
        "media/ref2.png",
        "media/q1.png",
        "media/q2.png",
    ]
    escaping = replace(project, audio=(replace(project.audio[0], media="../../etc/passwd"),))
    assert "../../etc/passwd" in bundle.missing_media(escaping)


def test_a_crash_after_the_backup_does_not_keep_the_same_version_twice(bundle: ProjectBundle) -> None:
    for _ in range(3):  # as if three saves each died right after keeping their backup
        backups.backup_file(bundle.project_file, bundle.backups_dir)
    assert len(bundle.all_backups()) == 1
    stale = atomic.temp_name(bundle.backups_dir / "project-20250101T000000000000Z.json")
    stale.write_bytes(b"half a copy")
    bundle.close()
    with ProjectBundle.open(bundle.path) as again:
        assert not stale.exists()
        assert len(again.all_backups()) == 1


def test_a_windows_junction_counts_as_a_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Path.is_symlink does not see a junction before Python 3.12; a project's media folder made a junction to a
    folder elsewhere (no rights needed on Windows) must be refused as a link is. Linux has no junctions, so the
    folder's lstat answer is Windows' for one."""
    (tmp_path / "media").mkdir()
    real = os.lstat

    def windows_lstat(path: object, *args: object, **kwargs: object) -> object:
        found = real(path, *args, **kwargs)  # type: ignore[arg-type]
        if Path(str(path)).name != "media":
            return found
        return types.SimpleNamespace(st_mode=found.st_mode, st_reparse_tag=0xA0000003)  # IO_REPARSE_TAG_MOUNT_POINT

    monkeypatch.setattr(os, "lstat", windows_lstat)
    monkeypatch.setattr(Path, "readlink", lambda self: Path("C:/Users/someone/Pictures"))
    assert references.is_link(tmp_path / "media")
    with pytest.raises(ProjectCorrupt, match="its media is a link"):
        references.check_own_entries(tmp_path)
    assert not references.is_link(tmp_path)  # a plain folder is not
