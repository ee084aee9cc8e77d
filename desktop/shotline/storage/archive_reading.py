"""Reading a shared archive someone else made, trusting nothing in it (issue 13): what storage.sharing's unpack
checks before it writes a byte, and how it reads the bytes it writes.

Every entry's name, kind, flags and compression method is checked first, then the manifest (its own JSON, each
value checked). What the archive may unpack to is limited by what it declares, per entry and in sum, against its own
size and the disk's free space; the bytes are then counted as they are decompressed, never trusting a declared size.
Whatever fails, from a name climbing out with `..` to deflate data that does not inflate, becomes ArchiveDamaged:
one message naming the archive and why, nothing written.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import struct
import zipfile
import zlib
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from shotline.core.errors import ArchiveDamaged, SaveFailed, plain_reason

MANIFEST = "shotline-archive.json"
PROJECT_FILE = "project.json"
CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")
_MEDIA_NAME = re.compile(r"media/[A-Za-z0-9][A-Za-z0-9._-]{0,200}(?<!\.)")
_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", re.IGNORECASE)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ENCRYPTED = 0x1 | 0x40  # traditional and strong encryption
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""What Share writes and what every system's own zip tool writes. bzip2 and LZMA are refused with the rest: a
crafted LZMA header may ask for a dictionary of gigabytes before a byte is out."""
_LARGEST_VERSION = 1_000_000
_LARGEST_ENTRY_ROW = 512
"""The most one entry's row of the central directory takes in an archive Shotline would unpack: 46 bytes, a media
name of at most 207 characters and the extra fields a zip tool adds (times, owner: a few dozen bytes)."""

_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OverflowError,
    struct.error,
    OSError,
)
"""What zipfile raises on bytes that are not what their headers say: bad offsets (which seek before the start of the
file, an OSError), checksums, deflate streams, names in no encoding. Only ever caught around reads of the archive."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What an archive may declare and hold before it is refused as a zip bomb, or as too big for the disk."""

    max_entries: int = 10_000
    max_total_bytes: int = 50 * 1024**3
    max_ratio: float = 100.0
    """How many times its compressed size one entry may unpack to."""
    ratio_floor_bytes: int = 1 << 20
    """Entries smaller than this are never refused for their own ratio (a small JSON file may compress well); they
    still count towards what the whole archive may unpack to."""
    max_archive_ratio: float = 10.0
    """How many times its own size the whole archive may unpack to, beyond `archive_allowance_bytes`: Share stores
    media as they are, so an archive it made unpacks to little more than its size (a zip tool's deflate changes that
    by a few percent for video and pictures)."""
    archive_allowance_bytes: int = 64 << 20
    max_project_bytes: int = 16 << 20
    """The most project.json may hold: a project of a thousand shots needs a few MB, and JSON parsed takes up to 22
    times its size in memory (a list of empty objects), so this bounds what reading it may take."""
    max_manifest_bytes: int = 4 << 20
    """The most the manifest may hold (it is read whole); a hundred bytes per media file."""
    keep_free_bytes: int = 64 << 20
    """Room the disk keeps after unpacking: an archive that would fill it is refused before a byte is written."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Manifest:
    """What `shotline-archive.json` says, every value checked."""

    archive_version: int
    format_version: int
    media: dict[str, tuple[str, int]]
    """Each media file's name, and its SHA-256 and size when it was shared."""


def refuse(archive: Path, why: str) -> ArchiveDamaged:
    return ArchiveDamaged(f"{archive.name} was not opened: {why}. Nothing was written; ask for a new copy.")


def in_bytes(count: int) -> str:
    """`count` bytes in the creator's words: 12.9 MB, 9.8 GB."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


def name_problem(name: str) -> str | None:
    """Why an entry name may not be extracted, or None if it stays inside the folder."""
    if not name or "\x00" in name:
        return "has an empty or invalid name"
    if "\\" in name:
        return "uses backslashes in its path"
    if name.startswith("/") or _DRIVE.match(name):
        return "has an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "climbs out of the folder with '..'"
    return None


def is_media_name(name: str) -> bool:
    """Whether `name` is one Shotline writes media under and may create on every system: `media/<name>`, plain
    letters, digits, `._-`, no trailing dot (Windows drops it) and no device name (`media/CON.mp4` is the console)."""
    return bool(_MEDIA_NAME.fullmatch(name)) and not _DEVICE.fullmatch(name.removeprefix("media/"))


def _folded(name: str) -> str:
    """The name as a case-insensitive file system sees it (macOS, Windows): two entries folding alike are one file."""
    return name.rstrip(". ").casefold()


def open_zip(archive: Path, handle: Any, limits: Limits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """The archive opened, once its end record shows a listing of entries no larger than a project's can be."""
    try:
        _check_listing(archive, handle, limits)
        return zipfile.ZipFile(handle)
    except _UNREADABLE as error:
        raise refuse(archive, f"it is damaged or is not a zip archive ({_why(error)})") from error
    except MemoryError as error:  # what it holds is freed again as this unwinds
        raise refuse(archive, "it lists more than this computer's memory can hold") from error


def _check_listing(archive: Path, handle: Any, limits: Limits) -> None:
    """Refuse a central directory larger than `limits.max_entries` entries can take, before zipfile reads it.

    zipfile builds an object for each entry of the directory, as many as its size holds whatever its count says
    (600,000 of them take more than 256 MB, from a 29 MB archive); `check_entries` only sees them afterwards. The end
    record zipfile itself goes by (its own reader, so both read the same record) gives the directory's size."""
    end = zipfile._EndRecData(handle)  # type: ignore[attr-defined]
    if end is None:
        return  # not a zip: zipfile says so
    count, size = int(end[zipfile._ECD_ENTRIES_TOTAL]), int(end[zipfile._ECD_SIZE])  # type: ignore[attr-defined]
    if count > limits.max_entries:
        raise refuse(archive, f"it has {count} entries, more than a project ever needs ({limits.max_entries})")
    if size > limits.max_entries * _LARGEST_ENTRY_ROW:
        raise refuse(
            archive, f"its list of entries takes {in_bytes(size)}, more than a project's {limits.max_entries} need"
        )


def check_entries(archive: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse an archive with an entry Shotline never unpacks, whatever it is called: see `_entry_problem`."""
    if len(infos) > limits.max_entries:
        raise refuse(archive, f"it has {len(infos)} entries, more than a project ever needs ({limits.max_entries})")
    seen: set[str] = set()
    for info in infos:
        name = info.orig_filename  # as the archive spells it: zipfile cuts `filename` at a NUL
        if _folded(name) in seen:
            raise refuse(archive, f"the entry {name!r} appears twice")
        seen.add(_folded(name))
        problem = _entry_problem(info, limits)
        if problem:
            raise refuse(archive, f"the entry {name!r} {problem}")


def _entry_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    problem = name_problem(info.orig_filename)
    if problem:
        return f"{problem}, outside the project folder"
    kind = stat.S_IFMT(info.external_attr >> 16)
    if stat.S_ISLNK(kind):
        return "is a link, which Shotline never unpacks"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is not an ordinary file (a device or a pipe), which Shotline never unpacks"
    if info.flag_bits & _ENCRYPTED:
        return "is encrypted, which Share never does"
    if info.compress_type not in _METHODS:
        return f"is compressed in a way Shotline does not read (method {info.compress_type})"
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
        return f"would expand {ratio:.0f} times (a zip bomb)"
    return None


def chunks(archive: Path, zipped: zipfile.ZipFile, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
    """The entry's bytes, a chunk at a time; bytes that do not inflate or fail their checksum refuse the archive."""
    try:
        with zipped.open(info) as reader:
            while chunk := reader.read(CHUNK):
                yield chunk
    except _UNREADABLE as error:
        raise refuse(archive, f"the entry {info.orig_filename!r} is damaged ({_why(error)})") from error


def _why(error: BaseException) -> str:
    return plain_reason(error) or ("it ends early" if isinstance(error, EOFError) else type(error).__name__)


# ---------------------------------------------------------------------------------------------- the manifest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) < len(pairs):
        twice = next(key for n, (key, _value) in enumerate(pairs) if key in dict(pairs[:n]))
        raise ValueError(f"{twice!r} appears twice")
    return document


def read_manifest(archive: Path, zipped: zipfile.ZipFile, limits: Limits) -> Manifest:
    """The manifest, each value checked; a newer version is the caller's question (it is not damage)."""
    try:
        info = zipped.getinfo(MANIFEST)
    except KeyError:
        raise refuse(archive, f"it has no {MANIFEST}, so it was not made by Shotline's Share") from None
    if info.file_size > limits.max_manifest_bytes:
        raise refuse(archive, f"its {MANIFEST} would unpack to {in_bytes(info.file_size)}, far more than Share writes")
    raw = bytearray()
    for chunk in chunks(archive, zipped, info):
        raw += chunk
        if len(raw) > info.file_size:  # zipfile stops at the declared size; this does not depend on it
            raise refuse(archive, f"its {MANIFEST} holds more than it declares")
    try:
        document = json.loads(bytes(raw), parse_constant=_no_constant, object_pairs_hook=_once_each)
    except RecursionError as error:
        raise _damaged(archive, "it is nested too deeply") from error
    except MemoryError as error:  # what it holds is freed again as this unwinds
        raise _damaged(archive, "it holds more than this computer has memory to read") from error
    except ValueError as error:  # not JSON, not UTF-8, a number of more digits than Python reads, a key twice
        raise _damaged(archive, str(error)) from error
    return _manifest_from(archive, document)


def _damaged(archive: Path, why: str) -> ArchiveDamaged:
    return refuse(archive, f"its {MANIFEST} is damaged ({why})")


def _shown(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _manifest_from(archive: Path, document: Any) -> Manifest:
    if not isinstance(document, dict):
        raise _damaged(archive, "it is not a JSON object")
    versions: list[int] = []
    for key in ("archive_version", "format_version"):
        if key not in document:
            raise _damaged(archive, f"it has no {key}")
        value = document[key]
        if type(value) is not int or not 1 <= value <= _LARGEST_VERSION:
            raise _damaged(archive, f"its {key} is {_shown(value)}, not a version number")
        versions.append(value)
    if "media" not in document:
        raise _damaged(archive, "it has no list of media")
    listed = document["media"]
    if not isinstance(listed, dict):
        raise _damaged(archive, f"its list of media is {_shown(listed)}, not a JSON object")
    media: dict[str, tuple[str, int]] = {}
    for name, record in listed.items():
        if not is_media_name(name):
            raise _damaged(archive, f"it lists {_shown(name)}, which is not a media file Shotline unpacks")
        digest = record.get("sha256") if isinstance(record, dict) else None
        size = record.get("size") if isinstance(record, dict) else None
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest) or type(size) is not int or size < 0:
            raise _damaged(archive, f"its record of {name} is {_shown(record)}, not a checksum and a size")
        media[name] = (digest, size)
    return Manifest(versions[0], versions[1], media)


# ---------------------------------------------------------------------------------------------- sizes


def room(archive: Path, parent: Path, declared: int, limits: Limits) -> int:
    """The most bytes unpacking `archive` into `parent` may write, once what its entries `declared` in sum is known
    to fit: no more than the archive's own size makes believable, and what the disk can spare."""
    if declared > limits.max_total_bytes:
        raise refuse(archive, f"it would unpack to {in_bytes(declared)}, more than the limit")
    size = archive.stat().st_size
    believable = min(limits.max_total_bytes, int(size * limits.max_archive_ratio) + limits.archive_allowance_bytes)
    if declared > believable:
        raise refuse(
            archive, f"it would unpack to {in_bytes(declared)}, far more than an archive of {in_bytes(size)} holds "
            "(a zip bomb)"
        )  # fmt: skip
    free = shutil.disk_usage(parent).free
    spare = free - limits.keep_free_bytes
    if declared > spare:
        raise SaveFailed(
            f"{archive.name} was not opened: its project needs {in_bytes(declared)} and the disk holding {parent} "
            f"has {in_bytes(max(free, 0))} free (Shotline leaves {in_bytes(limits.keep_free_bytes)} free). Nothing "
            "was written; free some space or choose another folder."
        )
    return min(believable, spare)
