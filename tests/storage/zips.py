"""Zip archives written byte by byte, as an attacker writes them: any name, flag, method, declared size or data.

`zipfile` refuses to write most of what a hostile archive holds (a name with a NUL, a size that lies, an encrypted
flag without encryption), so the tests that prove Shotline refuses them make them here. `shared_archive` gives the
pieces of a valid archive as Share writes it, for tests to spoil one at a time.
"""

from __future__ import annotations

import hashlib
import json
import stat
import struct
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shotline.core.model import FORMAT_VERSION
from shotline.storage import schema
from shotline.storage.sharing import ARCHIVE_VERSION, MANIFEST, PROJECT_FILE
from tests.storage.projects import sample_project

STORED = 0
DEFLATED = 8
REGULAR = (stat.S_IFREG | 0o644) << 16
LINK = (stat.S_IFLNK | 0o777) << 16
ENCRYPTED = 0x1
UTF8 = 0x800
_DOS_TIME, _DOS_DATE = 0, (2020 - 1980) << 9 | 1 << 5 | 1


@dataclass(frozen=True)
class Entry:
    """One entry exactly as it will be written: `data` is what is stored (compressed when `method` says so)."""

    name: bytes
    data: bytes
    crc: int
    size: int
    """The uncompressed size it declares."""
    method: int = STORED
    flags: int = 0
    external_attr: int = REGULAR
    create_system: int = 3


def raw_deflate(content: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(content) + packer.flush()


def entry(name: str | bytes, content: bytes, method: int = DEFLATED, **changes: Any) -> Entry:
    """An honest entry holding `content`, then `changes` (a lying size, a flag, another name…)."""
    raw = name.encode() if isinstance(name, str) else name
    flags = UTF8 if any(byte > 0x7F for byte in raw) else 0
    data = raw_deflate(content) if method == DEFLATED else content
    made = Entry(raw, data, zlib.crc32(content), len(content), method, flags)
    return replace(made, **changes)


def zip_bytes(entries: list[Entry]) -> bytes:
    """Local headers and data, then the central directory and its end record (no zip64: tests stay under 4 GB)."""
    body = bytearray()
    central = bytearray()
    for item in entries:
        offset = len(body)
        body += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, item.flags, item.method, _DOS_TIME, _DOS_DATE,
            item.crc, len(item.data), item.size, len(item.name), 0,
        )  # fmt: skip
        body += item.name + item.data
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", item.create_system << 8 | 20, 20, item.flags, item.method, _DOS_TIME,
            _DOS_DATE, item.crc, len(item.data), item.size, len(item.name), 0, 0, 0, 0, item.external_attr, offset,
        )  # fmt: skip
        central += item.name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    return bytes(body + central + end)


def write_zip(path: Path, entries: list[Entry]) -> Path:
    path.write_bytes(zip_bytes(entries))
    return path


def media_record(content: bytes) -> dict[str, Any]:
    """What Share's manifest says of a media file."""
    return {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}


def manifest_text(media: dict[str, bytes], /, **changes: Any) -> str:
    """The manifest Share writes for `media`, then `changes` to its top-level values."""
    document: dict[str, Any] = {
        "archive_version": ARCHIVE_VERSION,
        "format_version": FORMAT_VERSION,
        "title": "Harbour",
        "media": {name: media_record(content) for name, content in media.items()},
    }
    document.update(changes)
    return json.dumps(document)


@dataclass
class SharedArchive:
    """A valid archive's pieces, as Share writes them: the manifest's text, project.json and each media file."""

    manifest: str
    project: bytes
    media: dict[str, bytes] = field(default_factory=dict)

    def entries(self) -> list[Entry]:
        made = [entry(name, content, STORED) for name, content in self.media.items()]
        return [*made, entry(PROJECT_FILE, self.project), entry(MANIFEST, self.manifest.encode())]


def shared_archive(project_document: bytes | None = None, media: dict[str, bytes] | None = None) -> SharedArchive:
    """A small valid archive: the project (by default one whose media are all in the archive) and its media."""
    if project_document is None:
        project = sample_project(shots=1)
        project_document = schema.dumps(project)
        media = {rel: f"{rel} holds these bytes".encode() * 3 for rel in project.media_paths()}
    media = media or {}
    return SharedArchive(manifest_text(media), project_document, media)
