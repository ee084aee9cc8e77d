"""Hostile shared archives (issue 13, classes 2, 5 and 6): every one is refused as damaged, nothing is written.

Each archive is built here byte by byte (tests/storage/zips.py), the way an attacker would. Refused means
ArchiveDamaged with a message naming the archive, the destination left as empty as it was and nothing written
beside the archive. The zip bombs run in a child process with an address-space limit while this process watches
how many bytes land on disk; a Hypothesis strategy spoils a valid archive (its manifest's values, its project's
references, entry names, flags, methods, sizes and compressed bytes, the file's own bytes) and every outcome must be
a project or a refusal, never another exception.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shotline
from shotline.core.errors import ArchiveDamaged, ProjectTooNew
from shotline.storage.sharing import MANIFEST, PROJECT_FILE, unpack
from tests.storage.zips import (
    DEFLATED,
    ENCRYPTED,
    LINK,
    STORED,
    Entry,
    SharedArchive,
    entry,
    manifest_text,
    media_record,
    raw_deflate,
    shared_archive,
    write_zip,
    zip_bytes,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the address space")


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def _refused(archive: Path, message: str) -> str:
    """Unpack `archive` into an empty folder beside it: refused as damaged, naming it, and nothing written."""
    into = archive.parent / "into"
    into.mkdir(exist_ok=True)
    around = _listing(archive.parent.parent)
    with pytest.raises(ArchiveDamaged, match=message) as caught:
        unpack(archive, into)
    said = str(caught.value)
    assert said.startswith(f"{archive.name} was not opened: ") and "Nothing was written" in said
    assert _listing(into) == []
    assert _listing(archive.parent.parent) == around
    return said


def _archive(inbox: Path, entries: list[Entry], name: str = "Film") -> Path:
    return write_zip(inbox / f"{name}.shotline.zip", entries)


def _with(shared: SharedArchive, name: bytes, **changes: Any) -> list[Entry]:
    """The archive's entries, the one called `name` changed."""
    changed = [replace(item, **changes) if item.name == name else item for item in shared.entries()]
    assert changed != shared.entries(), f"no entry {name!r}"
    return changed


# ---------------------------------------------------------------------------------------------- the manifest


def _manifest_without(key: str) -> str:
    document = json.loads(shared_archive().manifest)
    del document[key]
    return json.dumps(document)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (_manifest_without("media"), "no list of media"),
        (_manifest_without("archive_version"), "archive_version"),
        (manifest_text({}, media=[]), "media"),
        (manifest_text({}, media={"media/a.mp4": "0" * 64}), "media/a.mp4"),
        (manifest_text({}, media={"media/a.mp4": {"sha256": "x", "size": 1}}), "media/a.mp4"),
        (manifest_text({}, media={"media/a.mp4": {"sha256": "0" * 64, "size": -1}}), "media/a.mp4"),
        (manifest_text({}, media={"../evil.txt": media_record(b"x")}), "evil"),
        (manifest_text({}, archive_version=float("inf")), "Infinity"),
        ('{"archive_version": Infinity, "format_version": 2, "media": {}}', "Infinity"),
        ('{"archive_version": NaN, "format_version": 2, "media": {}}', "NaN"),
        ('{"archive_version": 1e400, "format_version": 2, "media": {}}', "archive_version"),
        ('{"archive_version": 1, "format_version": -Infinity, "media": {}}', "Infinity"),
        ('{"archive_version": 1' + "0" * 5000 + ', "format_version": 2, "media": {}}', "damaged"),
        (manifest_text({}, archive_version="1"), "archive_version"),
        (manifest_text({}, archive_version=True), "archive_version"),
        (manifest_text({}, format_version=0), "format_version"),
        (manifest_text({}, format_version=[2]), "format_version"),
        ("[" * 100_000 + "]" * 100_000, "damaged"),
        ('{"media": ' * 50_000 + "{}" + "}" * 50_000, "damaged"),
        ('{"archive_version": 1, "archive_version": 1, "format_version": 2, "media": {}}', "twice"),
        ("null", "damaged"),
        ("", "damaged"),
        ("\udcff", "damaged"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_a_damaged_manifest_is_refused(inbox: Path, text: str, why: str) -> None:
    shared = shared_archive()
    raw = text.encode("utf-8", "surrogateescape")
    _refused(
        _archive(inbox, _with(shared, MANIFEST.encode(), **_deflated(raw))), f"{MANIFEST}.*{why}|{why}.*{MANIFEST}"
    )


def _deflated(content: bytes) -> dict[str, Any]:
    """The fields of an honest deflated entry holding `content`."""
    made = entry("x", content)
    return {"data": made.data, "crc": made.crc, "size": made.size, "method": DEFLATED}


def test_a_manifest_listing_media_the_archive_lacks_is_refused(inbox: Path) -> None:
    shared = shared_archive()
    listed = {**shared.media, "media/extra.mp4": b"never packed"}
    shared.manifest = manifest_text(listed)
    _refused(_archive(inbox, shared.entries()), r"lists media/extra\.mp4.*does not hold")


def test_media_of_another_size_than_listed_is_refused(inbox: Path) -> None:
    shared = shared_archive()
    document = json.loads(shared.manifest)
    document["media"]["media/clip0.mp4"]["size"] += 1
    shared.manifest = json.dumps(document)
    _refused(_archive(inbox, shared.entries()), r"media/clip0\.mp4 is damaged")


# ---------------------------------------------------------------------------------------------- entries


CLIP = b"media/clip0.mp4"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (b"../evil.txt", "climbs out"),
        (b"media/../../evil.txt", "climbs out"),
        (b"/tmp/shotline-evil.txt", "absolute path"),
        (b"//server/share/evil.txt", "absolute path"),
        (b"C:/evil.txt", "absolute path"),
        (b"C:evil.txt", "absolute path"),
        (b"media\\..\\..\\evil.txt", "backslashes"),
        (b"media/clip0.mp4\x00/../../../evil.txt", "invalid name"),
        (b"\x00", "invalid name"),
        (b"", "invalid name"),
    ],
)
def test_entries_named_outside_the_folder_are_refused(inbox: Path, name: bytes, why: str) -> None:
    entries = [*shared_archive().entries(), entry(name, b"owned")]
    _refused(_archive(inbox, entries), why)


@pytest.mark.parametrize(
    "second",
    [CLIP, b"MEDIA/CLIP0.MP4", b"media/Clip0.mp4", PROJECT_FILE.encode(), MANIFEST.upper().encode()],
    ids=lambda name: name.decode(),
)
def test_an_entry_named_twice_is_refused(inbox: Path, second: bytes) -> None:
    entries = [*shared_archive().entries(), entry(second, b"the other one")]
    _refused(_archive(inbox, entries), "appears twice")


@pytest.mark.parametrize(
    ("attr", "why"),
    [(LINK, "is a link"), ((stat.S_IFIFO | 0o644) << 16, "not an ordinary file"), (stat.S_IFBLK << 16, "ordinary")],
)
def test_links_and_devices_are_refused(inbox: Path, attr: int, why: str) -> None:
    _refused(_archive(inbox, _with(shared_archive(), CLIP, external_attr=attr)), why)


@pytest.mark.parametrize("name", [MANIFEST.encode(), PROJECT_FILE.encode(), CLIP])
def test_an_entry_flagged_encrypted_is_refused(inbox: Path, name: bytes) -> None:
    _refused(_archive(inbox, _with(shared_archive(), name, flags=ENCRYPTED)), "encrypted")


@pytest.mark.parametrize("method", [1, 12, 14, 99])
def test_an_entry_compressed_another_way_is_refused(inbox: Path, method: int) -> None:
    _refused(_archive(inbox, _with(shared_archive(), CLIP, method=method)), f"method {method}")


def _spoiled(data: bytes) -> bytes:
    return b"\xff\xff\xff" + data[3:]


@pytest.mark.parametrize("name", [MANIFEST.encode(), PROJECT_FILE.encode(), CLIP])
def test_corrupt_deflate_data_is_refused(inbox: Path, name: bytes) -> None:
    shared = shared_archive()
    content = {item.name: item for item in shared.entries()}[name]
    if content.method == STORED:
        deflated = _deflated(content.data)
        changes = {**deflated, "data": _spoiled(deflated["data"])}
    else:
        changes = {"data": _spoiled(content.data)}
    _refused(_archive(inbox, _with(shared, name, **changes)), "damaged")


@pytest.mark.parametrize("name", [MANIFEST.encode(), PROJECT_FILE.encode(), CLIP])
def test_an_entry_cut_short_or_with_a_wrong_checksum_is_refused(inbox: Path, name: bytes) -> None:
    shared = shared_archive()
    _refused(_archive(inbox, _with(shared, name, crc=12345)), "damaged")
    content = {item.name: item for item in shared.entries()}[name]
    (inbox / "into").rmdir()
    # cut in the middle: a deflated entry's last bytes may hold only the stream's end mark, and one cut there still
    # inflates to all of its bytes with the right checksum (format 6's project.json did), which is not damage
    _refused(_archive(inbox, _with(shared, name, data=content.data[: len(content.data) // 2])), "damaged")


def test_an_entry_holding_more_than_it_declares_puts_no_more_on_disk(inbox: Path) -> None:
    """Its checksum and size are the first bytes', so it is the file that was shared; the rest is never written."""
    shared = shared_archive()
    clip = shared.media[CLIP.decode()]
    archive = _archive(inbox, _with(shared, CLIP, data=raw_deflate(clip + bytes(8 * MIB)), method=DEFLATED))
    into = inbox / "into"
    into.mkdir()
    made = unpack(archive, into)
    assert (made / CLIP.decode()).read_bytes() == clip


def test_a_project_json_larger_than_any_project_is_refused(inbox: Path) -> None:
    huge = b'{"id": "x", "title": "' + b"a" * (40 << 20) + b'"}'
    _refused(_archive(inbox, _with(shared_archive(), PROJECT_FILE.encode(), **_deflated(huge))), "project.json")


# ---------------------------------------------------------------------------------------------- the project (class 2)


def _project_with(change: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(shared_archive().project)
    change(document)
    return json.dumps(document).encode()


OUTSIDE = [
    "/etc/passwd",
    "../../secret.png",
    "media/../../secret.png",
    "C:/Users/me/secret.png",
    "C:secret.png",
    "media\\..\\..\\secret.png",
    "//server/share/secret.png",
    "media/first.png\x00.png",
]


def _first_frame(path: str) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["shots"][0]["generation"].__setitem__("first_frame", path)


def _reference(path: str) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["shots"][0]["generation"]["reference_images"].append(path)


def _take(path: str) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["shots"][0]["takes"][0].__setitem__("media", path)


@pytest.mark.parametrize("where", [_first_frame, _reference, _take], ids=["first frame", "reference", "take"])
@pytest.mark.parametrize("path", OUTSIDE)
def test_a_project_naming_files_outside_its_folder_is_refused(
    inbox: Path, where: Callable[[str], Callable[[dict[str, Any]], None]], path: str
) -> None:
    document = _project_with(where(path))
    said = _refused(_archive(inbox, _with(shared_archive(), PROJECT_FILE.encode(), **_deflated(document))), "project")
    assert repr(path) in said or ("shots[0]" in said and "zero character" in said)


def test_a_project_whose_media_is_a_link_out_of_the_folder_is_refused(inbox: Path) -> None:
    """The archive cannot make a link, but a project may name a folder link's path (media/x is never one)."""
    path = "media/clip0.mp4/../../../../etc/passwd"
    document = _project_with(_reference(path))
    said = _refused(_archive(inbox, _with(shared_archive(), PROJECT_FILE.encode(), **_deflated(document))), "project")
    assert repr(path) in said


# ---------------------------------------------------------------------------------------------- zip bombs (class 6)


DISK_LIMIT = 128 << 20
"""The most any of these bombs may put on disk, hidden folders included (each holds far more)."""
MEMORY_HEADROOM = 256 << 20
"""Address space the child may add to what it has once Python and Shotline's storage are loaded."""

_CHILD = """
import json, resource, sys
from pathlib import Path
from shotline.storage.sharing import unpack

with open("/proc/self/status") as status:
    size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (size + int(sys.argv[3]), resource.RLIM_INFINITY))
try:
    made = unpack(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({"outcome": "unpacked", "message": str(made)}))
except Exception as error:
    print(json.dumps({"outcome": type(error).__name__, "message": str(error)}))
"""


def _disk_bytes(folder: Path) -> int:
    used = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                used += os.lstat(os.path.join(root, name)).st_blocks * 512
    return used


def _unpack_in_child(archive: Path, into: Path) -> tuple[dict[str, str], int]:
    """Unpack in a child limited in address space, watching the bytes under `into`; a child that writes more than
    DISK_LIMIT is stopped there. Returns what it said and the most bytes seen on disk."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(shotline.__file__).parents[1]), os.getcwd()])}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(archive), str(into), str(MEMORY_HEADROOM)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peak = 0
    started = time.monotonic()
    while child.poll() is None:
        peak = max(peak, _disk_bytes(into))
        if peak > DISK_LIMIT or time.monotonic() - started > 240:  # a hang guard, not a speed test
            child.kill()
            break
        time.sleep(0.01)
    out, err = child.communicate()
    peak = max(peak, _disk_bytes(into))
    assert peak <= DISK_LIMIT, f"the bomb put {peak / 2**20:.0f} MB on disk before it was stopped"
    assert child.returncode == 0, err
    return json.loads(out), peak


MIB = 1 << 20


def _bomb(inbox: Path, count: int, content: bytes, declared: int | None = None, project: bytes = b"") -> Path:
    """`count` media files each holding `content` (deflated), listed honestly in the manifest unless `declared`
    gives the size every entry and the manifest claim instead; and `project` as project.json."""
    data, crc = raw_deflate(content), entry("x", content).crc
    size = len(content) if declared is None else declared
    names = [f"media/z{n:05}.bin" for n in range(count)]
    record = {"sha256": hashlib.sha256(content).hexdigest(), "size": size}
    manifest = manifest_text({}, media=dict.fromkeys(names, record))
    project = project or json.dumps({"id": "bomb", "title": "Bomb"}).encode()
    entries = [Entry(name.encode(), data, crc, size, DEFLATED) for name in names]
    entries += [entry(PROJECT_FILE, project), entry(MANIFEST, manifest.encode())]
    return _archive(inbox, entries, "Bomb")


def _objects(size: int) -> bytes:
    """A project.json of `size` bytes that parses into 18 empty objects every 60 bytes (22 times its size in
    memory), with a number in each 60 so that it deflates only about 15 times, well under the ratio refused."""
    rows = (b"{}," * 18 + b"[%d]," % (n * 7919 % 1_000_003) for n in range(size // 60))
    return b'{"id": "bomb", "shots": [' + b"".join(rows) + b"{}]}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    [
        "9994 entries of exactly 1 MiB",
        "entries just under the ratio",
        "sizes that lie",
        "a project.json of millions of objects",
    ],
)
def test_a_zip_bomb_is_refused_in_bounded_memory_and_disk(inbox: Path, kind: str) -> None:
    if kind == "9994 entries of exactly 1 MiB":  # the issue's: 9.76 GiB from an archive of about 10 MB
        archive = _bomb(inbox, 9_994, bytes(MIB))
    elif kind == "entries just under the ratio":  # 2 MiB each, 85 times smaller: each passes its ratio check
        archive = _bomb(inbox, 200, os.urandom(24_000) + bytes(2 * MIB))
    elif kind == "sizes that lie":  # 1 MiB of zeros each, declared (and listed) as 1000 bytes
        archive = _bomb(inbox, 2_000, bytes(MIB), declared=1000)
    else:  # as large as a project.json may be, and more than the child's memory may hold once parsed
        archive = _bomb(inbox, 0, b"", project=_objects(16 * MIB - 100))
    into = inbox / "into"
    into.mkdir()
    said, _peak = _unpack_in_child(archive, into)
    assert said["outcome"] == "ArchiveDamaged", said
    assert said["message"].startswith("Bomb.shotline.zip was not opened")
    assert _listing(into) == []


def _listing_of_many(inbox: Path, count: int, declared: int) -> Path:
    """An archive whose central directory lists `count` entries (every one the same empty file, as an attacker
    points them all at one local header), while its end record declares `declared`: `zipfile` reads as many as the
    directory's size holds, whatever the count says, building an object for each before Shotline sees one."""
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 1, 0) + b"a"
    rows = b"".join(
        struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(b"%x" % n), 0, 0, 0, 0, 0, 0)
        + b"%x" % n
        for n in range(count)
    )
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, declared, declared, len(rows), len(local), 0)
    return write_bytes(inbox / "Many.shotline.zip", local + rows + end)


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("declared", [600_000 % 0x10000, 3], ids=["its count", "a count that lies"])
def test_a_central_directory_of_more_entries_than_memory_holds_is_refused_before_it_is_read(
    inbox: Path, declared: int
) -> None:
    """600,000 entries in a 29 MB archive: read by zipfile they take more than the child's 256 MB (a MemoryError,
    the unpack's temporary folder left behind); the end record's size of the directory refuses them unread."""
    archive = _listing_of_many(inbox, 600_000, declared)
    into = inbox / "into"
    into.mkdir()
    said, _peak = _unpack_in_child(archive, into)
    assert said["outcome"] == "ArchiveDamaged", said
    assert said["message"].startswith("Many.shotline.zip was not opened: it"), said
    assert "more than a project" in said["message"] and "entries" in said["message"]
    assert _listing(into) == []


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("..Film", "Film.shotline"),  # a hidden folder the creator would never see
        ("Film\u202egpj", "Filmgpj.shotline"),  # a right-to-left override: shown as 'Filmjpg'
        ("Film\u200b", "Film.shotline"),  # a zero-width space: two names that look alike
        ("Film\nUnpacked all.shotline as Safe", "FilmUnpacked all.shotline as Safe.shotline"),  # a line of its own
        (" . ", "Shared.shotline"),
    ],
)
def test_an_archive_named_to_mislead_unpacks_under_a_plain_visible_name(inbox: Path, name: str, folder: str) -> None:
    """The project's folder is named after the archive's file, a name its sender chose: without controls, format
    characters (direction overrides, zero-width ones) or leading dots and spaces, as the creator reads it."""
    archive = write_zip(inbox / f"{name}.shotline.zip", shared_archive().entries())
    into = inbox / "into"
    into.mkdir()
    made = unpack(archive, into)
    assert made == into / folder
    assert _listing(into)[0] == folder


@pytest.mark.slow
def test_an_archive_just_within_the_limits_still_unpacks_in_the_child(inbox: Path) -> None:
    """The control for the bombs: the same child and watch unpack a real archive of a few MB."""
    shared = shared_archive()
    shared.media = {name: os.urandom(MIB) for name in shared.media}
    shared.manifest = manifest_text(shared.media)
    archive = _archive(inbox, shared.entries())
    into = inbox / "into"
    into.mkdir()
    said, peak = _unpack_in_child(archive, into)
    assert said == {"outcome": "unpacked", "message": str(into / "Film.shotline")}
    assert peak >= len(shared.media) * MIB


# ---------------------------------------------------------------------------------------------- any spoiled archive


HOSTILE_NAMES = [
    b"../evil.txt",
    b"/tmp/shotline-evil.txt",
    b"C:/evil.txt",
    b"C:evil.txt",
    b"media\\..\\..\\evil.txt",
    b"media/../../evil.txt",
    b"media/a\x00/../../evil.txt",
    b"",
    b"media/",
    b"media",
    b"media/sub/clip.mp4",
    b"media/./clip0.mp4",
    b"media//clip0.mp4",
    b"media/CON.mp4",
    b"media/clip0.mp4.",
    b"media/clip0.mp4 ",
    PROJECT_FILE.encode(),
    PROJECT_FILE.upper().encode(),
    MANIFEST.encode(),
    CLIP,
    CLIP.upper(),
    "media/é.mp4".encode(),
    b"\xff\xfe",
    b"media/" + b"a" * 300,
]
HOSTILE_PATHS = [
    *OUTSIDE,
    "",
    "media",
    "media/",
    "project.json",
    "media/clip0.mp4/..",
    "media/missing.png",
    "\udcff",
    "~/secret.png",
    "file:///etc/passwd",
]
_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(HOSTILE_PATHS)
)
_json_value = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner))
HOSTILE_MANIFESTS = [
    "[" * 100_000,
    '{"archive_version": Infinity, "format_version": 2, "media": {}}',
    '{"archive_version": 1, "archive_version": 9, "format_version": 2, "media": {}}',
    "",
    "\ufeff{}",
    "null",
]


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place inside a JSON document, as the keys and indexes that lead there."""
    yield at
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*at, index))


def _set(document: Any, at: tuple[Any, ...], value: Any, delete: bool) -> Any:
    if not at:
        return value
    parent = document
    for step in at[:-1]:
        parent = parent[step]
    if delete:
        del parent[at[-1]]
    else:
        parent[at[-1]] = value
    return document


@st.composite
def _spoiled_json(draw: st.DrawFn, text: str) -> str:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return text  # spoiled already
    at = draw(st.sampled_from(list(_paths(document))))
    document = _set(document, at, draw(_json_value), delete=bool(at) and draw(st.booleans()))
    return json.dumps(document)


@st.composite
def _spoiled_entry(draw: st.DrawFn, item: Entry) -> Entry:
    field = draw(st.sampled_from(["name", "flags", "method", "external_attr", "size", "crc", "data", "create_system"]))
    if field == "name":
        value: Any = draw(st.sampled_from(HOSTILE_NAMES) | st.binary(max_size=20))
    elif field == "flags":
        value = draw(st.sampled_from([ENCRYPTED, 0x8, 0x20, 0x40, 0x800]) | st.integers(0, 0xFFFF))
    elif field == "method":
        value = draw(st.sampled_from([STORED, DEFLATED, 1, 9, 12, 14, 99]))
    elif field == "external_attr":
        value = draw(st.sampled_from([LINK, stat.S_IFDIR << 16, stat.S_IFIFO << 16, 0]) | st.integers(0, 2**32 - 1))
    elif field in ("size", "crc"):
        near = [min(max(item.size + step, 0), 2**32 - 1) for step in (-1, 1)]
        value = draw(st.sampled_from([0, 1, *near, 2**31, 2**32 - 1]) | st.integers(0, 2**32 - 1))
    elif field == "create_system":
        value = draw(st.sampled_from([0, 3, 11, 255]))
    else:
        data = bytearray(item.data)
        if data and draw(st.booleans()):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
        else:
            data = bytearray(draw(st.binary(max_size=64)))
        value = bytes(data)
    return replace(item, **{field: value})


@st.composite
def spoiled_archives(draw: st.DrawFn) -> bytes:
    """A valid shared archive with one to three things spoiled: the manifest's JSON, the project's JSON (its media
    references above all), an entry's name, flags, method, attributes, sizes, checksum or bytes, an entry twice,
    or the file's own bytes."""
    shared = shared_archive()
    entries = shared.entries()
    flips = []
    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["manifest", "project", "entry", "twice", "bytes"]))
        if what == "manifest":
            shared.manifest = draw(st.sampled_from(HOSTILE_MANIFESTS) | _spoiled_json(shared.manifest))
            entries = shared.entries()
        elif what == "project":
            shared.project = draw(_spoiled_json(shared.project.decode())).encode()
            entries = shared.entries()
        elif what == "entry":
            at = draw(st.integers(0, len(entries) - 1))
            entries[at] = draw(_spoiled_entry(entries[at]))
        elif what == "twice":
            entries.append(draw(st.sampled_from(entries)))
        else:
            flips.append((draw(st.floats(0, 1, exclude_max=True)), draw(st.integers(1, 255))))
    raw = bytearray(zip_bytes(entries))
    for where, mask in flips:
        raw[int(where * len(raw))] ^= mask
    return bytes(raw)


@contextlib.contextmanager
def _address_space(headroom: int) -> Iterator[None]:
    """This process may map at most `headroom` bytes more than it has now, until the block ends."""
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (size + headroom, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=spoiled_archives())
def test_a_spoiled_archive_unpacks_or_is_refused_as_damaged(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        inbox = Path(scratch) / "inbox"
        into = Path(scratch) / "into"
        inbox.mkdir()
        into.mkdir()
        archive = inbox / "Film.shotline.zip"
        archive.write_bytes(raw)
        try:
            with _address_space(MEMORY_HEADROOM):
                made = unpack(archive, into)
        except (ArchiveDamaged, ProjectTooNew) as refused:
            assert str(refused).startswith("Film.shotline.zip ")
            assert _listing(into) == []
        else:
            assert made.parent == into and _listing(into)[0] == made.name
            assert all(not p.is_symlink() for p in made.rglob("*"))
            assert {p.name for p in made.iterdir()} <= {PROJECT_FILE, "media"}
        assert _listing(inbox) == ["Film.shotline.zip"]
        assert _listing(Path(scratch)) == [
            "inbox",
            "inbox/Film.shotline.zip",
            "into",
            *(f"into/{p}" for p in _listing(into)),
        ]
