"""Sharing a project as one .shotline.zip: the round trip, and hostile archives refused without writing anything.

Hostile archives are built by hand with zipfile, the way an attacker would; each must be refused with a message
naming the problem, and the destination's parent folder must list exactly what it listed before.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from shotline.core.errors import ArchiveDamaged, ProjectError, ProjectTooNew
from shotline.core.model import FORMAT_VERSION
from shotline.storage import schema
from shotline.storage.bundle import ProjectBundle
from shotline.storage.sharing import (
    ARCHIVE_VERSION,
    MANIFEST,
    Limits,
    SharingCancelled,
    free_folder,
    pack,
    unpack,
)
from tests.storage.projects import sample_project


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project_folder(tmp_path: Path) -> Path:
    """A saved project whose every media file exists, plus a cache, journal, backup, autosave and a stray file."""
    project = sample_project()
    path = tmp_path / "projects" / "Harbour.shotline"
    with ProjectBundle.create(path, project) as bundle:
        for n, rel in enumerate(project.media_paths()):
            (path / rel).write_bytes(os.urandom(1000 + n))
        bundle.save(project)  # leaves a backup of the first save in .backups/
        bundle.write_recovery(project)
    (path / "cache" / "thumb.png").write_bytes(b"cached")
    (path / "jobs.sqlite").write_bytes(b"journal")
    (path / "media" / "unused.mp4").write_bytes(b"not used by the project")
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_round_trip_keeps_the_project_and_its_media_and_leaves_the_rest(project_folder: Path, tmp_path: Path) -> None:
    archive = pack(project_folder, tmp_path / "Harbour.shotline.zip")
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        manifest = json.loads(zipped.read(MANIFEST))
    used = sample_project().media_paths()
    assert names == {MANIFEST, "project.json", *used}
    assert manifest["archive_version"] == ARCHIVE_VERSION
    assert manifest["format_version"] == FORMAT_VERSION
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

    out = tmp_path / "received"
    out.mkdir()
    opened = unpack(archive, out)
    assert opened == out / "Harbour.shotline"
    expected = ["Harbour.shotline", "Harbour.shotline/media", "Harbour.shotline/project.json"]
    assert _listing(out) == sorted(expected + [f"Harbour.shotline/{rel}" for rel in used])
    original = schema.loads((project_folder / "project.json").read_bytes())
    assert schema.loads((opened / "project.json").read_bytes()) == original
    for rel in used:
        assert _sha(opened / rel) == _sha(project_folder / rel)
    with ProjectBundle.open(opened) as bundle:
        assert bundle.load() == original
        assert bundle.missing_media(original) == []


def test_unpacking_onto_a_taken_name_picks_the_next_free_one(project_folder: Path, tmp_path: Path) -> None:
    archive = pack(project_folder, tmp_path / "Harbour.shotline.zip")
    first = unpack(archive, tmp_path)
    before = {p: p.stat().st_mtime_ns for p in first.rglob("*")}
    (tmp_path / "Harbour 2.shotline").write_text("a file takes the name too")
    assert unpack(archive, tmp_path) == tmp_path / "Harbour 3.shotline"
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*")} == before  # the first one is untouched
    with ProjectBundle.open(tmp_path / "Harbour 3.shotline") as bundle:
        assert bundle.load() == sample_project()


def test_a_free_folder_name_counts_up_past_taken_ones(tmp_path: Path) -> None:
    assert free_folder(tmp_path, "Film.shotline") == tmp_path / "Film.shotline"
    (tmp_path / "Film.shotline").mkdir()
    (tmp_path / "Film 2.shotline").write_text("a file takes the name too")
    assert free_folder(tmp_path, "Film.shotline") == tmp_path / "Film 3.shotline"


def test_sharing_a_project_with_missing_media_says_which(project_folder: Path, tmp_path: Path) -> None:
    (project_folder / "media" / "music.wav").unlink()
    with pytest.raises(ProjectError, match=r"media/music\.wav.*relink"):
        pack(project_folder, tmp_path / "out.shotline.zip")
    assert not (tmp_path / "out.shotline.zip").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


# ---------------------------------------------------------------------------------------------- hostile archives


def _manifest(archive_version: int = ARCHIVE_VERSION, format_version: int = FORMAT_VERSION) -> str:
    return json.dumps({"archive_version": archive_version, "format_version": format_version, "media": {}})


def _project_json() -> bytes:
    return schema.dumps(sample_project(shots=0))


def _hostile(path: Path, *entries: tuple[str | zipfile.ZipInfo, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(MANIFEST, _manifest())
        zipped.writestr("project.json", _project_json())
        for name, data in entries:
            zipped.writestr(name, data)
    return path


def _symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, str]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def _refused(archive: Path, error: type[Exception], message: str, limits: Limits | None = None) -> None:
    parent = archive.parent / "into"
    parent.mkdir()
    outside = archive.parent.parent
    before, before_outside = _listing(parent), sorted(p.name for p in outside.iterdir())
    with pytest.raises(error, match=message) as caught:
        unpack(archive, parent, limits) if limits else unpack(archive, parent)
    assert "Traceback" not in str(caught.value)
    assert _listing(parent) == before == []
    assert sorted(p.name for p in outside.iterdir()) == before_outside
    assert not (outside / "evil.txt").exists() and not Path("/tmp/shotline-evil.txt").exists()


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil.txt", "climbs out"),
        ("media/../../evil.txt", "climbs out"),
        ("/tmp/shotline-evil.txt", "absolute path"),
        ("C:/evil.txt", "absolute path"),
        ("media\\..\\..\\evil.txt", "backslashes"),
    ],
)
def test_entries_that_escape_the_folder_are_refused(hostile_dir: Path, name: str, why: str) -> None:
    archive = _hostile(hostile_dir / "Evil.shotline.zip", ("media/ok.mp4", b"fine"), (name, b"owned"))
    _refused(archive, ArchiveDamaged, f"{why}.*Nothing was written")


def test_a_symbolic_link_entry_is_refused(hostile_dir: Path) -> None:
    archive = _hostile(hostile_dir / "Link.shotline.zip", _symlink("media/clip0.mp4", "/etc/passwd"))
    _refused(archive, ArchiveDamaged, "is a link")


def test_a_zip_bomb_of_zeros_is_refused_by_its_ratio(hostile_dir: Path) -> None:
    archive = hostile_dir / "Bomb.shotline.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        zipped.writestr(MANIFEST, _manifest())
        zipped.writestr("project.json", _project_json())
        with zipped.open("media/zeros.mp4", "w", force_zip64=True) as writer:
            block = bytes(1 << 20)
            for _ in range(200):
                writer.write(block)
    assert archive.stat().st_size < 1 << 20  # 200 MB of zeros in under 1 MB
    _refused(archive, ArchiveDamaged, "expand .* times")


def test_an_archive_declaring_too_much_in_total_is_refused(hostile_dir: Path) -> None:
    archive = _hostile(hostile_dir / "Big.shotline.zip", ("media/a.mp4", os.urandom(3000)))
    _refused(archive, ArchiveDamaged, "would unpack to", Limits(max_total_bytes=2000))


def test_too_many_entries_are_refused(hostile_dir: Path) -> None:
    archive = _hostile(hostile_dir / "Many.shotline.zip", *((f"media/{n}.mp4", b"x") for n in range(30)))
    _refused(archive, ArchiveDamaged, "32 entries", Limits(max_entries=20))


def _lie_about_size(archive: Path, name: str, declared: int) -> None:
    """Rewrite the uncompressed size of `name` in its local header and the central directory."""
    with zipfile.ZipFile(archive) as zipped:
        info = zipped.getinfo(name)
    raw = bytearray(archive.read_bytes())
    struct.pack_into("<I", raw, info.header_offset + 22, declared)
    central = -1
    position = 0
    while (position := raw.find(b"PK\x01\x02", position)) >= 0:
        length = struct.unpack_from("<H", raw, position + 28)[0]
        if raw[position + 46 : position + 46 + length] == name.encode():
            struct.pack_into("<I", raw, position + 24, declared)
            central = position
        position += 4
    assert central >= 0
    archive.write_bytes(bytes(raw))


def test_an_entry_holding_more_than_it_declares_is_refused(hostile_dir: Path) -> None:
    archive = hostile_dir / "Liar.shotline.zip"
    listed = {"media/zeros.mp4": {"sha256": hashlib.sha256(bytes(1000)).hexdigest(), "size": 1000}}
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(MANIFEST, json.dumps({**json.loads(_manifest()), "media": listed}))
        zipped.writestr("project.json", _project_json())
        zipped.writestr("media/zeros.mp4", bytes(5 << 20))
    _lie_about_size(archive, "media/zeros.mp4", 1000)
    with zipfile.ZipFile(archive) as zipped:
        assert zipped.getinfo("media/zeros.mp4").file_size == 1000  # the declared sizes pass the ratio check
    _refused(archive, ArchiveDamaged, "more than it declares|zeros.mp4' is damaged")


@pytest.mark.parametrize(
    ("archive_version", "format_version"), [(ARCHIVE_VERSION + 1, FORMAT_VERSION), (1, FORMAT_VERSION + 1)]
)
def test_a_newer_archive_or_project_format_is_refused(
    hostile_dir: Path, archive_version: int, format_version: int
) -> None:
    archive = hostile_dir / "Future.shotline.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(MANIFEST, _manifest(archive_version, format_version))
        zipped.writestr("project.json", _project_json())
    _refused(archive, ProjectTooNew, "newer Shotline.*Update Shotline")


def test_a_project_json_newer_than_its_manifest_says_is_refused(hostile_dir: Path) -> None:
    document = json.loads(_project_json())
    document["format_version"] = FORMAT_VERSION + 1
    archive = hostile_dir / "Sneaky.shotline.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(MANIFEST, _manifest())
        zipped.writestr("project.json", json.dumps(document))
    _refused(archive, ProjectTooNew, "newer Shotline")


@pytest.mark.parametrize(
    ("project_json", "message"), [(None, "no project.json"), (b'{"id": "x", "shots": [', "project is damaged")]
)
def test_a_missing_or_corrupt_project_is_refused(hostile_dir: Path, project_json: bytes | None, message: str) -> None:
    archive = hostile_dir / "Broken.shotline.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(MANIFEST, _manifest())
        if project_json is not None:
            zipped.writestr("project.json", project_json)
        zipped.writestr("media/a.mp4", b"clip")
    _refused(archive, ArchiveDamaged, message)


def test_a_file_that_is_not_a_zip_is_refused(hostile_dir: Path) -> None:
    archive = hostile_dir / "Fake.shotline.zip"
    archive.write_bytes(b"this is not a zip file" * 10)
    _refused(archive, ArchiveDamaged, "damaged or is not a zip")


def test_media_altered_after_sharing_is_refused(project_folder: Path, tmp_path: Path) -> None:
    archive = pack(project_folder, tmp_path / "Harbour.shotline.zip")
    tampered = tmp_path / "inbox" / "Harbour.shotline.zip"
    tampered.parent.mkdir()
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, b"swapped" if info.filename == "media/music.wav" else data)
    _refused(tampered, ArchiveDamaged, r"media/music\.wav is damaged")


# ---------------------------------------------------------------------------------------------- progress and cancel


MEDIA_BYTES = 3 << 20
"""Per media file: several chunks each, so progress is reported many times and a cancel lands mid-file."""


@pytest.fixture
def large_project(project_folder: Path) -> Path:
    """The sample project with a few MB of random bytes in each media file it uses (pack never decodes them)."""
    for n, rel in enumerate(sample_project().media_paths()):
        (project_folder / rel).write_bytes(os.urandom(MEDIA_BYTES + 1000 * n))
    return project_folder


def _recorded() -> tuple[list[float], Callable[[float], None]]:
    values: list[float] = []
    return values, values.append


def _assert_progress_by_bytes(values: list[float], total_bytes: int) -> None:
    assert len(values) >= total_bytes // (1 << 20), "fewer reports than MB copied"
    assert values == sorted(values), "progress went backwards"
    assert 0 < values[0] < 0.1
    assert values[-1] == 1.0 and all(value < 1.0 for value in values[:-1])  # 1.0 only once it is all in place


def test_pack_and_unpack_report_progress_by_bytes_up_to_the_end(large_project: Path, tmp_path: Path) -> None:
    total = sum((large_project / rel).stat().st_size for rel in sample_project().media_paths())
    packed, progress = _recorded()
    archive = pack(large_project, tmp_path / "Harbour.shotline.zip", progress=progress)
    _assert_progress_by_bytes(packed, total)

    out = tmp_path / "received"
    out.mkdir()
    unpacked, progress = _recorded()
    opened = unpack(archive, out, progress=progress)
    _assert_progress_by_bytes(unpacked, total)
    assert _sha(opened / "media" / "music.wav") == _sha(large_project / "media" / "music.wav")


def _cancel_at(cancel: threading.Event, report: int) -> tuple[list[float], Callable[[float], None]]:
    """A progress sink that asks to cancel on its `report`-th report (1 = after the first chunk)."""
    values: list[float] = []

    def progress(fraction: float) -> None:
        values.append(fraction)
        if len(values) == report:
            cancel.set()

    return values, progress


def _chunk_reports(run: Callable[[Callable[[float], None]], object]) -> int:
    """How many reports a run makes before its final 1.0, i.e. how many chunks it copies."""
    values, progress = _recorded()
    run(progress)
    assert values[-1] == 1.0
    return len(values) - 1


@pytest.mark.parametrize("moment", ["first chunk", "last chunk"])
def test_cancelling_a_pack_leaves_no_archive_and_keeps_an_older_one(
    large_project: Path, tmp_path: Path, moment: str
) -> None:
    chunks = _chunk_reports(lambda progress: pack(large_project, tmp_path / "count.zip", progress=progress))
    out = tmp_path / "out"
    out.mkdir()
    older = out / "Harbour.shotline.zip"
    older.write_bytes(b"the archive shared yesterday")
    before, project_before = _listing(out), _listing(large_project)
    cancel = threading.Event()
    values, progress = _cancel_at(cancel, 1 if moment == "first chunk" else chunks)

    with pytest.raises(SharingCancelled, match=r"Sharing was cancelled; Harbour\.shotline\.zip was not written"):
        pack(large_project, older, progress=progress, cancel=cancel)

    assert len(values) == (1 if moment == "first chunk" else chunks)  # it stopped at once, before the next chunk
    assert _listing(out) == before  # no partial archive beside it
    assert older.read_bytes() == b"the archive shared yesterday"
    assert _listing(large_project) == project_before


@pytest.mark.parametrize("moment", ["first chunk", "last chunk"])
def test_cancelling_an_unpack_leaves_no_folder(large_project: Path, tmp_path: Path, moment: str) -> None:
    archive = pack(large_project, tmp_path / "Harbour.shotline.zip")
    counted = tmp_path / "counted"
    counted.mkdir()
    chunks = _chunk_reports(lambda progress: unpack(archive, counted, progress=progress))
    into = tmp_path / "into"
    into.mkdir()
    (into / "Other.shotline").mkdir()  # something already there, which must stay as it is
    before, around = _listing(into), _listing(tmp_path)
    cancel = threading.Event()
    values, progress = _cancel_at(cancel, 1 if moment == "first chunk" else chunks)

    with pytest.raises(SharingCancelled, match=r"Opening Harbour\.shotline\.zip was cancelled; nothing was unpacked"):
        unpack(archive, into, progress=progress, cancel=cancel)

    assert len(values) == (1 if moment == "first chunk" else chunks)
    assert _listing(into) == before
    assert _listing(tmp_path) == around


def test_a_cancel_asked_for_before_the_start_writes_nothing(large_project: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    values, progress = _recorded()
    with pytest.raises(SharingCancelled):
        pack(large_project, tmp_path / "Harbour.shotline.zip", progress=progress, cancel=cancel)
    archive = pack(large_project, tmp_path / "outbox.shotline.zip")
    into = tmp_path / "into"
    into.mkdir()
    with pytest.raises(SharingCancelled):
        unpack(archive, into, progress=progress, cancel=cancel)
    assert values == [] and not (tmp_path / "Harbour.shotline.zip").exists() and _listing(into) == []
