"""Share a project as one `.shotline.zip`, and open one safely (DESIGN §4, issue 6).

The archive holds `shotline-archive.json` (its own format, the project's format and each media file's SHA-256),
`project.json` and the media the project uses. Never the cache, journal, backups, autosave, lock or keys.

Opening an archive from someone else trusts nothing in it: every entry name, kind and size is checked before a
byte is written, bytes are counted (and hashed) while extracting, and everything lands in a temporary folder
beside the destination that is renamed into place only when the whole project has been checked.

Both directions report progress by bytes copied and can be cancelled between two chunks (and up to the last rename),
leaving nothing behind: no partial archive, no half-unpacked folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from shotline.core.errors import (
    ProjectCorrupt,
    ProjectError,
    ProjectNotFound,
    ProjectTooNew,
    SaveFailed,
    ShotlineError,
    plain_reason,
)
from shotline.core.model import FORMAT_VERSION, Project
from shotline.core.ports import ProgressSink
from shotline.storage import schema
from shotline.storage.atomic import fsync_dir, replace_with_retry
from shotline.storage.bundle import SUFFIX as PROJECT_SUFFIX

log = logging.getLogger(__name__)

ARCHIVE_VERSION = 1
MANIFEST = "shotline-archive.json"
PROJECT_FILE = "project.json"
ARCHIVE_SUFFIX = ".shotline.zip"
_CHUNK = 1 << 20
_DATE = (2020, 1, 1, 0, 0, 0)
_DRIVE = re.compile(r"^[A-Za-z]:")
_SAFE_MEDIA = re.compile(r"media/[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


@dataclass(frozen=True, slots=True)
class Limits:
    """What an archive may declare and hold before it is refused as a zip bomb."""

    max_entries: int = 10_000
    max_total_bytes: int = 50 * 1024**3
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1 << 20
    """Entries smaller than this are never refused for their ratio (a small JSON file may compress well)."""


DEFAULT_LIMITS = Limits()


class SharingCancelled(ShotlineError):
    """Packing or unpacking stopped because it was asked to; everything it had written is gone again."""


class _Meter:
    """Counts the bytes copied so far as a fraction of `total` for `progress`, and stops the work once `cancel` is set.

    The fraction stays below 1 until `finish`, so 1.0 always means the archive or project is in place."""

    def __init__(self, total: int, progress: ProgressSink | None, cancel: threading.Event | None, stopped: str) -> None:
        self.total = 1
        self.expect(total)
        self.done = 0
        self._progress = progress
        self._cancel = cancel
        self._stopped = stopped

    def expect(self, total: int) -> None:
        """Count progress against `total` bytes (once known: an archive's size is read only after it is checked)."""
        self.total = max(total, 1)

    def check(self) -> None:
        """Raise SharingCancelled if cancelling was asked for; the caller's cleanup then removes what was written."""
        if self._cancel is not None and self._cancel.is_set():
            raise SharingCancelled(self._stopped)

    def advance(self, size: int) -> None:
        self.done += size
        if self._progress is not None:
            self._progress(min(self.done / self.total, 0.999))
        self.check()

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(1.0)


# ---------------------------------------------------------------------------------------------- pack


def used_media(project: Project) -> list[str]:
    """Every media path the project refers to, once each, in order."""
    used = [take.media for take in project.all_takes()]
    used += [clip.media for clip in project.audio]
    for shot in project.shots:
        gen = shot.generation
        used += [p for p in (gen.first_frame, gen.last_frame, *gen.reference_images) if p]
    return list(dict.fromkeys(used))


def _project_folder(bundle_path: Path) -> Path:
    path = Path(bundle_path)
    if path.name == PROJECT_FILE and path.is_file():
        path = path.parent
    if not (path / PROJECT_FILE).is_file():
        raise ProjectNotFound(f"There is no project at {path}. Choose the folder ending in .shotline.")
    return path


def _media_files(folder: Path, project: Project) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    missing: list[str] = []
    root = folder.resolve()
    for rel in used_media(project):
        problem = _name_problem(rel)
        full = (root / rel).resolve()
        if problem or not full.is_relative_to(root) or not full.is_file():
            missing.append(rel)
        else:
            found.append((rel, full))
    if missing:
        raise ProjectError(
            f"{len(missing)} media file(s) the project uses are not in its folder ({', '.join(missing[:3])}). "
            "Open the project and relink or remove them, then share it again."
        )
    return found


def _info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = compress
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _copy_into(archive: zipfile.ZipFile, rel: str, src: Path, meter: _Meter) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with src.open("rb") as reader, archive.open(_info(rel, zipfile.ZIP_STORED), "w", force_zip64=True) as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
            meter.advance(len(chunk))
    return {"sha256": digest.hexdigest(), "size": size}


def pack(
    bundle_path: Path,
    output: Path,
    *,
    progress: ProgressSink | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Write the project (project.json and the media it uses) to `output` as one zip, atomically.

    `progress` gets the fraction of the media's bytes written (1.0 once the archive is in place); setting `cancel`
    stops the packing at the next chunk with SharingCancelled, and no archive, whole or partial, is left."""
    folder = _project_folder(bundle_path)
    project = schema.loads((folder / PROJECT_FILE).read_bytes())
    media = _media_files(folder, project)
    output = Path(output).absolute()
    if output.resolve().is_relative_to(folder.resolve()):
        raise ProjectError(f"Save the archive outside the project folder, not in {folder}.")
    if not output.parent.is_dir():
        raise SaveFailed(f"The folder {output.parent} does not exist; create it or choose another place.")
    total = sum(src.stat().st_size for _rel, src in media)
    meter = _Meter(total, progress, cancel, f"Sharing was cancelled; {output.name} was not written.")
    meter.check()
    part = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        with zipfile.ZipFile(part, "w") as archive:
            hashes = {rel: _copy_into(archive, rel, src, meter) for rel, src in media}
            manifest = {
                "archive_version": ARCHIVE_VERSION,
                "format_version": FORMAT_VERSION,
                "title": project.title,
                "media": hashes,
            }
            archive.writestr(_info(PROJECT_FILE, zipfile.ZIP_DEFLATED), schema.dumps(project))
            archive.writestr(_info(MANIFEST, zipfile.ZIP_DEFLATED), json.dumps(manifest, indent=2))
        with part.open("rb+") as written:
            os.fsync(written.fileno())
        meter.check()  # the last moment a cancel can still leave no archive
        replace_with_retry(part, output)
        fsync_dir(output.parent)
    except OSError as error:
        raise SaveFailed(f"Could not write {output.name}: {plain_reason(error)}.") from error
    finally:
        part.unlink(missing_ok=True)
    meter.finish()
    log.info("Shared %s as %s (%d media files)", folder, output, len(media))
    return output


# ---------------------------------------------------------------------------------------------- unpack


def _name_problem(name: str) -> str | None:
    """Why an entry name may not be extracted, or None if it stays inside the folder."""
    if not name or "\x00" in name:
        return "has an empty or invalid name"
    if "\\" in name:
        return "uses backslashes in its path"
    if name.startswith("/") or _DRIVE.match(name):
        return "has an absolute path"
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return "climbs out of the folder with '..'"
    return None


def _refuse(archive: Path, why: str) -> ProjectCorrupt:
    return ProjectCorrupt(f"{archive.name} was not opened: {why}. Nothing was written; ask for a new copy.")


def _check_entries(archive: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_entries:
        raise _refuse(archive, f"it has {len(infos)} entries, more than a project ever needs ({limits.max_entries})")
    total = 0
    seen: set[str] = set()
    for info in infos:
        if info.filename.lower() in seen:
            raise _refuse(archive, f"the entry {info.filename!r} appears twice")
        seen.add(info.filename.lower())
        problem = _name_problem(info.filename)
        if problem:
            raise _refuse(archive, f"the entry {info.filename!r} {problem}, outside the project folder")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _refuse(archive, f"the entry {info.filename!r} is a link, which Shotline never unpacks")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise _refuse(archive, f"the entry {info.filename!r} would expand {ratio:.0f} times (a zip bomb)")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise _refuse(archive, f"it would unpack to {total / 1024**3:.1f} GB, more than the limit")


def _read_manifest(archive: Path, zipped: zipfile.ZipFile) -> dict[str, Any]:
    try:
        raw = zipped.read(MANIFEST)
    except KeyError:
        raise _refuse(archive, f"it has no {MANIFEST}, so it was not made by Shotline's Share") from None
    try:
        manifest: dict[str, Any] = json.loads(raw)
        archive_version = int(manifest["archive_version"])
        format_version = int(manifest["format_version"])
        media = manifest.get("media", {})
        if not isinstance(media, dict):
            raise TypeError("media is not an object")
    except (ValueError, KeyError, TypeError) as error:
        raise _refuse(archive, f"its {MANIFEST} is damaged ({error})") from error
    if archive_version > ARCHIVE_VERSION or format_version > FORMAT_VERSION:
        raise ProjectTooNew(
            f"{archive.name} was shared from a newer Shotline (archive {archive_version}, project format "
            f"{format_version}); this Shotline opens up to archive {ARCHIVE_VERSION}, format {FORMAT_VERSION}. "
            "Update Shotline to open it."
        )
    return manifest


class _Budget:
    """Counts the bytes actually extracted, whatever the entries declared."""

    def __init__(self, archive: Path, limits: Limits, meter: _Meter) -> None:
        self.archive = archive
        self.left = limits.max_total_bytes
        self.meter = meter

    def copy(self, info: zipfile.ZipInfo, reader: IO[bytes], writer: IO[bytes]) -> str:
        digest = hashlib.sha256()
        written = 0
        while chunk := reader.read(_CHUNK):
            written += len(chunk)
            self.left -= len(chunk)
            if written > info.file_size or self.left < 0:
                raise _refuse(self.archive, f"the entry {info.filename!r} holds more than it declares (a zip bomb)")
            digest.update(chunk)
            writer.write(chunk)
            self.meter.advance(len(chunk))
        return digest.hexdigest()


def _project_entries(archive: Path, zipped: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The entries that make up a project (project.json and media/ files); anything else is skipped."""
    wanted: list[zipfile.ZipInfo] = []
    for info in zipped.infolist():
        if info.is_dir():
            continue
        if info.filename == PROJECT_FILE or _SAFE_MEDIA.fullmatch(info.filename):
            wanted.append(info)
        else:
            log.info("Skipping %r in %s: not part of a project", info.filename, archive.name)
    return wanted


def _extract(archive: Path, zipped: zipfile.ZipFile, into: Path, limits: Limits, meter: _Meter) -> dict[str, str]:
    """Extract project.json and media/ files into `into`; returns each media file's SHA-256."""
    entries = _project_entries(archive, zipped)
    meter.expect(sum(info.file_size for info in entries))  # what they declare; the budget refuses any holding more
    budget = _Budget(archive, limits, meter)
    hashes: dict[str, str] = {}
    (into / "media").mkdir()
    for info in entries:
        name = info.filename
        with zipped.open(info) as reader, (into / name).open("xb") as writer:
            digest = budget.copy(info, reader, writer)
        if name != PROJECT_FILE:
            hashes[name] = digest
    return hashes


def _verify(archive: Path, into: Path, manifest: dict[str, Any], hashes: dict[str, str]) -> Project:
    project_file = into / PROJECT_FILE
    if not project_file.is_file():
        raise _refuse(archive, f"it has no {PROJECT_FILE}")
    try:
        project = schema.loads(project_file.read_bytes())
    except ProjectCorrupt as error:
        raise _refuse(archive, f"its project is damaged ({error})") from error
    for rel, expected in manifest["media"].items():
        want = expected.get("sha256") if isinstance(expected, dict) else None
        if rel in hashes and hashes[rel] != want:
            raise _refuse(archive, f"the media file {rel} is damaged (its contents do not match what was shared)")
    missing = [rel for rel in used_media(project) if rel not in hashes]
    if missing:
        log.warning("%s lacks %d media file(s) its project uses; they will need relinking", archive, len(missing))
    return project


def archive_stem(archive: Path) -> str:
    """`Film.shotline.zip` -> `Film`."""
    name = Path(archive).name
    for suffix in (ARCHIVE_SUFFIX, ".zip", PROJECT_SUFFIX):
        name = name.removesuffix(suffix)
    return name or "Shared"


def free_folder(parent: Path, name: str) -> Path:
    """`parent/name`, or `Name 2.shotline`, `Name 3.shotline`… if that is taken (by a folder or a file)."""
    stem = name.removesuffix(PROJECT_SUFFIX)
    candidate, number = parent / name, 2
    while candidate.exists():
        candidate = parent / f"{stem} {number}{PROJECT_SUFFIX}"
        number += 1
    return candidate


def unpack(
    archive: Path,
    destination_folder: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    progress: ProgressSink | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Open a shared archive as a new project folder `<destination_folder>/<name>.shotline`; returns its path.

    A taken name is never overwritten: the project becomes `<name> 2.shotline` (3, 4…), as the window names it.
    Everything is extracted into a temporary folder beside it, checked, then renamed into place: a refused
    archive leaves nothing behind, and neither does a cancelled one. `progress` gets the fraction of the bytes
    extracted (1.0 once the project is in place); setting `cancel` stops at the next chunk with SharingCancelled."""
    archive = Path(archive)
    parent = Path(destination_folder)
    if not archive.is_file():
        raise ProjectNotFound(f"There is no archive at {archive}.")
    if not parent.is_dir():
        raise ProjectNotFound(f"The folder {parent} does not exist; create it or choose another.")
    name = f"{archive_stem(archive)}{PROJECT_SUFFIX}"
    target = free_folder(parent, name)
    meter = _Meter(0, progress, cancel, f"Opening {archive.name} was cancelled; nothing was unpacked.")
    meter.check()
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".unpack", dir=parent))
    try:
        staged = temp / target.name
        staged.mkdir()
        _unpack_into(archive, staged, limits, meter)
        target = free_folder(parent, name)  # again: the name may have been taken while unpacking
        meter.check()  # the last moment a cancel can still leave nothing
        staged.rename(target)
        fsync_dir(parent)
    except OSError as error:
        raise SaveFailed(f"Could not unpack {archive.name} into {parent}: {plain_reason(error)}.") from error
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    meter.finish()
    return target


def _unpack_into(archive: Path, staged: Path, limits: Limits, meter: _Meter) -> None:
    try:
        with zipfile.ZipFile(archive) as zipped:
            _check_entries(archive, zipped.infolist(), limits)
            manifest = _read_manifest(archive, zipped)
            hashes = _extract(archive, zipped, staged, limits, meter)
    except zipfile.BadZipFile as error:
        raise _refuse(archive, f"it is damaged or is not a zip archive ({error})") from error
    except (EOFError, zipfile.LargeZipFile, NotImplementedError) as error:
        raise _refuse(archive, f"it could not be read ({error})") from error
    _verify(archive, staged, manifest, hashes)


def archive_media(archive: Path) -> list[str]:
    """The media files an archive holds, by name."""
    with zipfile.ZipFile(archive) as zipped:
        return [name for name in zipped.namelist() if name.startswith("media/")]
