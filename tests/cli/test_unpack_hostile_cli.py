"""`shotline unpack` on hostile archives (issue 13): one plain message naming the archive, exit 1, no traceback,
nothing written; and an archive the disk cannot hold is refused before a byte is written, on a really small disk."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from shotline.storage.sharing import MANIFEST, PROJECT_FILE
from tests.cli.shotline_cli import Result, shotline
from tests.clips import admissible_media
from tests.storage.zips import ENCRYPTED, entry, manifest_text, media_record, shared_archive, zip_bytes

MIB = 1 << 20


def _zip_bomb() -> bytes:
    """The issue's: 9994 entries of 1 MiB of zeros (9.76 GiB), each listed honestly in the manifest."""
    zeros = entry("x", bytes(MIB))
    names = [f"media/z{n:05}.bin" for n in range(9_994)]
    listing = json.loads(manifest_text({}))
    listing["media"] = dict.fromkeys(names, media_record(bytes(MIB)))
    entries = [replace(zeros, name=name.encode()) for name in names]
    entries += [entry(PROJECT_FILE, b'{"id": "bomb"}'), entry(MANIFEST, json.dumps(listing).encode())]
    return zip_bytes(entries)


def _archive(case: str) -> bytes:
    shared = shared_archive()
    if case == "manifest without media":
        document = json.loads(shared.manifest)
        del document["media"]
        shared.manifest = json.dumps(document)
    elif case == "version Infinity":
        shared.manifest = shared.manifest.replace('"archive_version": 1', '"archive_version": Infinity')
    elif case == "manifest nested deep":
        shared.manifest = '{"media": ' * 100_000
    elif case == "first frame outside":
        document = json.loads(shared.project)
        document["shots"][0]["generation"]["first_frame"] = "/etc/passwd"
        shared.project = json.dumps(document).encode()
    entries = shared.entries()
    clip = entries[0]  # stored as it is, like every media file Share packs
    if case == "corrupt deflate":
        deflated = entry(clip.name, clip.data)
        entries[0] = replace(deflated, data=b"\xff\xff\xff" + deflated.data[3:])
    elif case == "encrypted":
        entries[0] = replace(clip, flags=ENCRYPTED)
    return zip_bytes(entries)


@pytest.mark.parametrize(
    "case",
    [
        "manifest without media",
        "corrupt deflate",
        "encrypted",
        "manifest nested deep",
        "version Infinity",
        "first frame outside",
    ],
)
def test_unpack_refuses_a_hostile_archive_in_one_plain_sentence(tmp_path: Path, case: str) -> None:
    archive = tmp_path / "Film.shotline.zip"
    archive.write_bytes(_archive(case))
    into = tmp_path / "into"
    before = sorted(p.name for p in tmp_path.iterdir())
    result = shotline("unpack", archive, "--to", into)
    assert result.code == 1, result
    assert result.err.startswith("Error: Film.shotline.zip was not opened: "), result.err
    assert "Nothing was written" in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # and --to's folder was removed again


# ---------------------------------------------------------------------------------------------- a small disk


def _small_disks_possible() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False).returncode == 0


def _unpack_onto_a_disk_of(size: str, folder: Path, archive: Path) -> Result:
    """`shotline unpack ARCHIVE --to FOLDER` with FOLDER, for this command only, a tmpfs of `size` (e.g. 32m)."""
    folder.mkdir()
    script = f'mount -t tmpfs -o size={size} tmpfs "$0" && exec "$@"'
    argv = ["unshare", "-rm", "sh", "-c", script, str(folder), sys.executable, "-m", "shotline"]
    argv += ["unpack", str(archive), "--to", str(folder)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.mark.skipif(not _small_disks_possible(), reason="needs unshare and user namespaces")
def test_an_archive_the_disk_cannot_spare_room_for_is_refused_before_writing(tmp_path: Path) -> None:
    shared = shared_archive()
    shared.media = {name: admissible_media(name, MIB, tmp_path) for name in shared.media}
    shared.manifest = manifest_text(shared.media)
    archive = tmp_path / "Film.shotline.zip"
    archive.write_bytes(zip_bytes(shared.entries()))

    refused = _unpack_onto_a_disk_of("32m", tmp_path / "small", archive)
    assert refused.code == 1, refused
    needs = f"its project needs {len(shared.media)}.0 MB"  # one MiB a file
    assert refused.err.startswith(f"Error: Film.shotline.zip was not opened: {needs}"), refused.err
    assert "free some space or choose another folder" in refused.err and "Traceback" not in refused.err

    done = _unpack_onto_a_disk_of("128m", tmp_path / "roomy", archive)
    assert done.code == 0 and "Unpacked" in done.out, done


@pytest.mark.skipif(not _small_disks_possible(), reason="needs unshare and user namespaces")
def test_unpack_refuses_the_zip_bomb_as_one(tmp_path: Path) -> None:
    """On a 256 MB disk of its own, so that a Shotline that did unpack it could not fill the real one."""
    archive = tmp_path / "Film.shotline.zip"
    archive.write_bytes(_zip_bomb())
    refused = _unpack_onto_a_disk_of("256m", tmp_path / "disk", archive)
    assert refused.code == 1, refused
    assert refused.err.startswith("Error: Film.shotline.zip was not opened: it would unpack to 9.8 GB, far more than")
    assert "(a zip bomb). Nothing was written" in refused.err and "Traceback" not in refused.err
