"""Share a project as one `.shotline.zip`, and open one safely (DESIGN §4, issue 6).

The archive holds `shotline-archive.json` (its own format, the project's format and each media file's SHA-256),
`project.json` and the media the project uses. Never the cache, journal, backups, autosave, lock or keys.

Opening an archive from someone else trusts nothing in it (storage.archive_reading checks what it declares and
reads what it holds): every entry name, kind, flag and size and the manifest's every value are checked before a
byte is written, bytes are counted (and hashed) while extracting, and everything lands in a hidden temporary folder
beside the destination that is renamed into place only when the whole project, and each file it refers to, has
been checked. Any refusal is one ArchiveDamaged naming the archive and why.

Both directions report progress by bytes copied and can be cancelled between two chunks (and up to the last rename),
leaving nothing behind: no partial archive, no half-unpacked folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import stat
import threading
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from shotline.core.errors import (
    MediaError,
    ProjectCorrupt,
    ProjectError,
    ProjectNotFound,
    ProjectTooNew,
    SaveFailed,
    ShotlineError,
    in_creator_words,
    plain_reason,
)
from shotline.core.model import FORMAT_VERSION, Project
from shotline.core.partial import partial_path
from shotline.core.ports import ProgressSink
from shotline.storage import references, schema
from shotline.storage.archive_reading import (
    CHUNK,
    DEFAULT_LIMITS,
    Manifest,
    check_entries,
    chunks,
    in_bytes,
    open_zip,
    read_manifest,
    refuse,
    room,
)
from shotline.storage.archive_reading import MANIFEST as MANIFEST  # what an archive holds, named here too
from shotline.storage.archive_reading import PROJECT_FILE as PROJECT_FILE
from shotline.storage.archive_reading import Limits as Limits
from shotline.storage.atomic import discard, fsync_dir, replace_with_retry
from shotline.storage.bundle import SUFFIX as PROJECT_SUFFIX

log = logging.getLogger(__name__)

ARCHIVE_VERSION = 1
ARCHIVE_SUFFIX = ".shotline.zip"
_DATE = (2020, 1, 1, 0, 0, 0)


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
    for rel in project.media_paths():
        try:
            full = references.inside(folder, rel)
        except ProjectCorrupt:
            full = None
        if full is None or not full.is_file():
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
        while chunk := reader.read(CHUNK):
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
    part = partial_path(output)  # named with its owner, so one a killed Shotline left is swept later
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
        discard(part)
    meter.finish()
    log.info("Shared %s as %s (%d media files)", folder, output, len(media))
    return output


# ---------------------------------------------------------------------------------------------- unpack


class _Budget:
    """Counts the bytes actually extracted, against what each entry declared and what unpacking may write in all."""

    def __init__(self, archive: Path, room: int, meter: _Meter) -> None:
        self.archive = archive
        self.left = room
        self.meter = meter

    def copy(self, zipped: zipfile.ZipFile, info: zipfile.ZipInfo, writer: IO[bytes]) -> str:
        """Copy the entry into `writer`; returns its SHA-256."""
        digest = hashlib.sha256()
        written = 0
        with contextlib.closing(chunks(self.archive, zipped, info)) as pieces:
            for chunk in pieces:
                written += len(chunk)
                self.left -= len(chunk)
                if written > info.file_size:
                    raise refuse(self.archive, f"the entry {info.filename!r} holds more than it declares (a zip bomb)")
                if self.left < 0:
                    raise refuse(self.archive, "it holds more than its size and its entries allow (a zip bomb)")
                digest.update(chunk)
                writer.write(chunk)
                self.meter.advance(len(chunk))
        return digest.hexdigest()


def _wanted(archive: Path, infos: list[zipfile.ZipInfo], manifest: Manifest, limits: Limits) -> list[zipfile.ZipInfo]:
    """The entries that make up the project: project.json and the media the manifest lists (anything else is
    skipped), each of the size the manifest says it was shared at."""
    by_name = {info.filename: info for info in infos if not info.is_dir()}
    project = by_name.get(PROJECT_FILE)
    if project is None:
        raise refuse(archive, f"it has no {PROJECT_FILE}")
    if project.file_size > limits.max_project_bytes:
        raise refuse(
            archive, f"its {PROJECT_FILE} would unpack to {in_bytes(project.file_size)}, far more than a project holds"
        )
    wanted = [project]
    for name, (_digest, size) in manifest.media.items():
        info = by_name.get(name)
        if info is None:
            raise refuse(archive, f"its {MANIFEST} lists {name}, which the archive does not hold")
        if info.file_size != size:
            raise refuse(archive, f"the media file {name} is damaged (it is not the size it was shared at)")
        wanted.append(info)
    for name in sorted(by_name.keys() - {PROJECT_FILE, MANIFEST, *manifest.media}):
        log.info("Skipping %r in %s: not part of the project", name, archive.name)
    return wanted


def _check_versions(archive: Path, manifest: Manifest) -> None:
    if manifest.archive_version > ARCHIVE_VERSION or manifest.format_version > FORMAT_VERSION:
        raise ProjectTooNew(
            f"{archive.name} was shared from a newer Shotline (archive {manifest.archive_version}, project format "
            f"{manifest.format_version}); this Shotline opens up to archive {ARCHIVE_VERSION}, format "
            f"{FORMAT_VERSION}. Update Shotline to open it."
        )


def _check_project(archive: Path, staged: Path) -> None:
    """The unpacked project.json must load, and refer to nothing outside its folder: opened, a project naming a file
    elsewhere would have `generate` upload it, or an export read it (issue 13), so it is refused, not warned of."""
    try:
        project = schema.loads((staged / PROJECT_FILE).read_bytes())
        references.check_references(project, staged)
    except ProjectCorrupt as error:
        raise refuse(archive, f"its project is damaged ({error})") from error
    except ProjectTooNew as error:  # the manifest said otherwise; the project's own word counts
        raise ProjectTooNew(f"{archive.name} was not opened. {error}") from error
    except MemoryError as error:  # a project.json within the limit that parses into millions of objects
        raise refuse(archive, f"its {PROJECT_FILE} holds more than this computer has memory to read") from error
    missing = [rel for rel in project.media_paths() if not (staged / rel).is_file()]
    if missing:
        log.warning("%s lacks %d media file(s) its project uses; they will need relinking", archive, len(missing))


MediaCheck = Callable[[Path, bool], None]
"""Raises MediaError for a media file Shotline would not take (`True`: a still picture, else a clip or sound)."""


def _check_media(archive: Path, staged: Path, check: MediaCheck) -> None:
    """Each file the unpacked project refers to, held to the rules an import holds it to: a playlist saved as
    `media/x.mp4` would otherwise be played by the viewer, reading the files it names."""
    project = schema.loads((staged / PROJECT_FILE).read_bytes())
    for reference in references.references(project):
        path = staged / reference.path
        if not path.is_file():
            continue  # missing media is relinked later, as in any project
        try:
            check(path, reference.still)
        except MediaError as error:
            raise refuse(archive, f"{reference.what} ({reference.path}): {in_creator_words(str(error))}") from error


def _unpack_into(archive: Path, parent: Path, staged: Path, limits: Limits, meter: _Meter) -> None:
    """Check everything the archive declares, then extract the project into `staged`, checking what it holds."""
    with archive.open("rb") as handle, open_zip(archive, handle, limits) as zipped:
        infos = zipped.infolist()
        check_entries(archive, infos, limits)
        manifest = read_manifest(archive, zipped, limits)
        _check_versions(archive, manifest)
        wanted = _wanted(archive, infos, manifest, limits)
        declared = sum(info.file_size for info in infos if not info.is_dir())
        budget = _Budget(archive, room(archive, parent, declared, limits), meter)
        meter.expect(sum(info.file_size for info in wanted))
        (staged / "media").mkdir()
        for info in wanted:
            with (staged / info.filename).open("xb") as writer:
                digest = budget.copy(zipped, info, writer)
            if info.filename in manifest.media and digest != manifest.media[info.filename][0]:
                raise refuse(
                    archive, f"the media file {info.filename} is damaged (its contents do not match what was shared)"
                )
    _check_project(archive, staged)


_UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Unicode categories of characters a name may hold but a reader cannot see as they are."""


def archive_stem(archive: Path) -> str:
    """`Film.shotline.zip` -> `Film`: the name the unpacked project's folder takes, as the creator will read it.

    The archive's file name is its sender's choice: control characters (a line break making a line of its own in a
    message), format characters (a right-to-left override after `Film` showing `Filmgpj` as `Filmjpg`, zero-width
    ones making two names that look alike) and leading dots (a folder the creator never sees) are left out."""
    name = Path(archive).name
    for suffix in (ARCHIVE_SUFFIX, ".zip", PROJECT_SUFFIX):
        name = name.removesuffix(suffix)
    shown = "".join(char for char in name if unicodedata.category(char) not in _UNSHOWN)
    return unicodedata.normalize("NFC", shown).strip(" .") or "Shared"


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
    check_media: MediaCheck | None = None,
) -> Path:
    """Open a shared archive as a new project folder `<destination_folder>/<name>.shotline`; returns its path.

    A taken name is never overwritten: the project becomes `<name> 2.shotline` (3, 4…), as the window names it.
    Everything is extracted into a hidden temporary folder beside it, checked, then renamed into place: a refused
    archive (ArchiveDamaged, naming it and why) leaves nothing behind, and neither does a cancelled one. `progress`
    gets the fraction of the bytes extracted (1.0 once the project is in place); setting `cancel` stops at the next
    chunk with SharingCancelled. `check_media` holds each file the project refers to to what an import takes (an
    archive holding one it would refuse is refused)."""
    archive = Path(archive)
    parent = Path(destination_folder)
    if not archive.is_file():
        raise ProjectNotFound(f"There is no archive at {archive}.")
    if not parent.is_dir():
        raise ProjectNotFound(f"The folder {parent} does not exist; create it or choose another.")
    name = f"{archive_stem(archive)}{PROJECT_SUFFIX}"
    meter = _Meter(0, progress, cancel, f"Opening {archive.name} was cancelled; nothing was unpacked.")
    meter.check()
    temp: Path | None = None
    try:
        temp = partial_path(parent / name, "unpack", "")  # named with its owner, as an export's partial files are
        temp.mkdir()
        staged = temp / name
        staged.mkdir()
        _unpack_into(archive, parent, staged, limits, meter)
        if check_media is not None:
            _check_media(archive, staged, check_media)
        target = free_folder(parent, name)  # chosen last: the name may have been taken while unpacking
        meter.check()  # the last moment a cancel can still leave nothing
        staged.rename(target)
        fsync_dir(parent)
    except OSError as error:
        raise SaveFailed(f"Could not unpack {archive.name} into {parent}: {plain_reason(error)}.") from error
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    meter.finish()
    return target


def archive_media(archive: Path) -> list[str]:
    """The media files an archive holds, by name."""
    with zipfile.ZipFile(archive) as zipped:
        return [name for name in zipped.namelist() if name.startswith("media/")]
