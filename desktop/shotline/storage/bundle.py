"""The project folder `Name.shotline/` (DESIGN §4): open, lock, load, save atomically, back up, recover, import.

```
project.json   media/   jobs.sqlite   cache/   .backups/   .recovery/   .partial/   .lock
```
Saving never leaves a half-written project.json: the previous version goes to `.backups/`, the new one is
written beside it and swapped in with one rename. Autosave writes `.recovery/autosave.json` and never touches
project.json. Restoring a backup keeps the file it replaces: in `.backups/`, or if damaged beside it as
`project.json.damaged-<time>`. Media is copied in under a content-hash name, so importing the same clip twice
stores it once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from shotline.core.errors import (
    MediaMissing,
    MediaUnreadable,
    ProjectCorrupt,
    ProjectError,
    ProjectNotFound,
    ProjectTooNew,
    SaveFailed,
    plain_reason,
)
from shotline.core.model import Project
from shotline.storage import atomic, backups, references, schema
from shotline.storage.atomic import discard, fsync_dir, replace_with_retry, sweep_temps, write_atomic
from shotline.storage.backups import Backup
from shotline.storage.lock import FolderLock

log = logging.getLogger(__name__)

PROJECT_FILE = "project.json"
RECOVERY_FILE = "autosave.json"
SUFFIX = ".shotline"
_FOLDERS = ("media", "cache", ".backups", ".recovery", ".partial")
_CHUNK = 1 << 20
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")
_CACHE_PART = re.compile(r"\..+\.[0-9a-f]{8}\.partial(?:\.[A-Za-z0-9]{1,10})?", re.DOTALL)
"""How a cache file is named while it is written (`.<name>.<8 hex>.partial[.wav]`), before it is renamed."""


@dataclass(frozen=True, slots=True)
class Restored:
    """What `restore_backup` did."""

    project: Project
    backup: Backup
    kept: Path | None
    """Where the replaced project.json is now (None if there was none)."""


class ProjectBundle:
    """An open, locked project folder. Use `create` or `open`; close it (or use `with`) to release the lock."""

    def __init__(self, path: Path, lock: FolderLock) -> None:
        self.path = path
        self._lock = lock

    # ------------------------------------------------------------------------------------------ life cycle

    @classmethod
    def create(cls, path: Path, project: Project) -> ProjectBundle:
        """Make a new project folder holding `project`. Refuses a folder that already has something in it."""
        path = Path(path)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise ProjectError(f"{path} already exists and is not empty. Choose a new name or an empty folder.")
        try:
            path.mkdir(parents=True, exist_ok=True)
            for name in _FOLDERS:
                (path / name).mkdir(exist_ok=True)
        except OSError as error:
            raise SaveFailed(f"Could not create the project folder {path}: {plain_reason(error)}.") from error
        bundle = cls(path, FolderLock(path))
        try:
            bundle.save(project)
        except BaseException:
            bundle.close()
            raise
        return bundle

    @classmethod
    def open(cls, path: Path, *, read_only: bool = False) -> ProjectBundle:
        """Open a project folder, or the project.json inside one. Raises ProjectNotFound or ProjectLocked.

        `read_only` takes no lock, so it works while another Shotline has the project open: that one only ever
        replaces project.json whole, so what is read is its last save. Nothing can be saved through it."""
        path = Path(path)
        if path.name == PROJECT_FILE and path.is_file():
            path = path.parent
        if path.is_file():
            raise ProjectNotFound(
                f"{path} is a file, not a Shotline project (a project is a folder ending in {SUFFIX})."
            )
        if not path.is_dir():
            raise ProjectNotFound(f"There is no project at {path}. It may have been moved, renamed or deleted.")
        if not (path / PROJECT_FILE).is_file():
            raise ProjectNotFound(
                f"{path} is not a Shotline project (it has no {PROJECT_FILE}). Open the folder ending in {SUFFIX}."
            )
        references.check_own_entries(path)  # before the lock writes its holder record: .lock may be a link
        bundle = cls(path, FolderLock(path, take=not read_only))
        if bundle._lock.held:
            bundle._tidy()
        return bundle

    def _tidy(self) -> None:
        """Make missing folders and sweep temp files a crashed save left; safe because we hold the lock."""
        for name in _FOLDERS:
            try:
                (self.path / name).mkdir(exist_ok=True)
            except OSError as error:
                log.warning("Could not create %s in the project: %s", name, error)
        sweep_temps(self.path, PROJECT_FILE)
        sweep_temps(self.recovery_dir, RECOVERY_FILE)
        sweep_temps(self.backups_dir, None)
        backups.thin(self.backups_dir)
        for leftover in self._killed_writes():
            discard(leftover)

    def _killed_writes(self) -> list[Path]:
        """Hidden part files a Shotline killed while writing them left: a copy or remux into media/, and each cache
        file (peaks, thumbnails, loudness cells, preview mixes), which is written under a hidden name and renamed.
        Whoever holds the lock is the only one writing them, and at opening it writes none yet."""
        found = [*self.partial_dir.glob("*.import.part"), *self.partial_dir.glob("*.import.part.*")]
        try:
            kinds = [kind for kind in self.cache_dir.iterdir() if kind.is_dir() and not references.is_link(kind)]
        except OSError:
            kinds = []
        for kind in kinds:
            found += [part for part in kind.glob(".*") if _CACHE_PART.fullmatch(part.name)]
        return found

    @property
    def locked(self) -> bool:
        """Whether this bundle holds the project's lock (so it may write to the folder)."""
        return self._lock.held

    @property
    def open_elsewhere(self) -> str | None:
        """For a bundle opened read-only: who has the project open ("pid 4242 on studio"), or None if nobody."""
        return self._lock.holder

    def close(self) -> None:
        self._lock.release()

    def __enter__(self) -> ProjectBundle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------ layout

    @property
    def project_file(self) -> Path:
        return self.path / PROJECT_FILE

    @property
    def media_dir(self) -> Path:
        return self.path / "media"

    @property
    def cache_dir(self) -> Path:
        return self.path / "cache"

    @property
    def partial_dir(self) -> Path:
        return self.path / ".partial"

    @property
    def backups_dir(self) -> Path:
        return self.path / ".backups"

    @property
    def recovery_dir(self) -> Path:
        return self.path / ".recovery"

    @property
    def recovery_file(self) -> Path:
        return self.recovery_dir / RECOVERY_FILE

    @property
    def journal_path(self) -> Path:
        return self.path / "jobs.sqlite"

    # ------------------------------------------------------------------------------------------ load / save

    def load(self) -> Project:
        """Read project.json. If it is damaged, the ProjectCorrupt message names the newest good backup."""
        try:
            raw = read_capped(self.project_file)
        except FileNotFoundError as error:
            raise ProjectNotFound(f"The project file {self.project_file} is missing.") from error
        except OSError as error:
            raise ProjectCorrupt(f"The project file could not be read: {plain_reason(error)}.") from error
        try:
            return self.opened(raw)
        except ProjectCorrupt as error:
            good = self.latest_backup()
            if good is None:
                raise
            raise ProjectCorrupt(
                f"{error} The newest backup that opens is from {good.label} ({good.path}). To go back to it, choose "
                f'“Restore the latest backup” when Shotline offers it, or run: shotline restore "{self.path}". '
                "Restoring keeps the damaged file."
            ) from error

    def opened(self, raw: bytes) -> Project:
        """A project read from this folder: its file parsed and checked against the schema, and everything it
        refers to checked to be inside the folder (DESIGN §4). Raises ProjectCorrupt or ProjectTooNew."""
        project = schema.loads(raw)
        references.check_references(project, self.path)
        return project

    def save(self, project: Project, *, keep_recovery: bool = False) -> None:
        """Write project.json atomically, keeping the previous one in .backups/. Raises SaveFailed.

        The autosave goes, as the project saved is the creator's latest; with `keep_recovery` it is not (a take a job
        delivered landed in the project as saved), so the autosave of their unsaved work stays, and stays as current
        as project.json."""
        self._require_lock()
        data = schema.dumps(project)
        try:
            schema.loads(data)
        except (ProjectCorrupt, ProjectTooNew) as error:
            # Never replace a file that loads with one that would not.
            raise SaveFailed(f"This project was not saved because it would not open again: {error}") from error
        try:
            if self.project_file.exists():
                backups.backup_file(self.project_file, self.backups_dir)
            write_atomic(self.project_file, data)
        except OSError as error:
            raise SaveFailed(
                f"Could not save the project: {plain_reason(error)}. Your previous save is intact; free some disk "
                "space or choose a folder you can write to, then save again."
            ) from error
        if keep_recovery:
            self._keep_recovery_current()
        else:
            self.discard_recovery()
            atomic.crash_point("autosave discarded")
        try:
            backups.thin(self.backups_dir)
        except OSError as error:
            log.warning("Could not thin old backups: %s", error)

    def _require_lock(self) -> None:
        if self._lock.unwritable is not None:
            raise SaveFailed(
                f"Could not save the project: {self._lock.unwritable}. Your previous save is intact; choose a folder "
                "you can write to (or free some disk space), then save again."
            )
        if not self._lock.held:
            raise SaveFailed(f"This project is open read-only, so it cannot be saved in {self.path}.")

    # ------------------------------------------------------------------------------------------ backups

    def all_backups(self) -> list[Backup]:
        """Every backup, newest first."""
        return backups.list_backups(self.backups_dir)

    def latest_backup(self) -> Backup | None:
        """The newest backup that loads cleanly, or None."""
        for backup in self.all_backups():
            try:
                self.opened(read_capped(backup.path))
            except (OSError, ProjectCorrupt, ProjectTooNew):
                continue
            return backup
        return None

    def restore_backup(self, backup: Backup | None = None) -> Restored:
        """Make a backup (default: the newest good one) the project again; the file it replaces is kept."""
        self._require_lock()
        chosen = backup or self.latest_backup()
        if chosen is None:
            raise ProjectNotFound("This project has no backup that opens cleanly.")
        try:
            raw = read_capped(chosen.path)
        except OSError as error:
            raise ProjectCorrupt(f"The backup {chosen.path} could not be read: {plain_reason(error)}.") from error
        project = self.opened(raw)
        try:
            kept = self._keep_current()
            write_atomic(self.project_file, raw)
        except OSError as error:
            raise SaveFailed(
                f"Could not restore the backup: {plain_reason(error)}. The project is unchanged."
            ) from error
        log.info("Restored the project from backup %s; the replaced file is at %s", chosen.path.name, kept)
        return Restored(project, chosen, kept)

    def _keep_current(self) -> Path | None:
        """Keep the project.json a restore replaces: one that loads goes to .backups/ like any saved version, a
        damaged one is copied beside it as project.json.damaged-<UTC time>, where thinning never reaches."""
        try:
            raw = read_capped(self.project_file)
        except FileNotFoundError:
            return None
        try:
            schema.loads(raw)
        except ProjectCorrupt:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path / f"{PROJECT_FILE}.damaged-{stamp}"
            counter = 0
            while aside.exists():
                counter += 1
                aside = self.path / f"{PROJECT_FILE}.damaged-{stamp}-{counter}"
            if len(raw) > schema.MAX_FILE_BYTES:
                # too large to be read whole (a sparse file can claim terabytes): moved aside, it is replaced next
                self.project_file.replace(aside)
            else:
                write_atomic(aside, raw)
            return aside
        except ProjectTooNew:
            pass  # a newer Shotline's file is not damaged: it waits in .backups/ for that version
        return backups.backup_file(self.project_file, self.backups_dir)

    # ------------------------------------------------------------------------------------------ recovery

    def write_recovery(self, project: Project) -> None:
        """Autosave: a self-contained copy in .recovery/, written atomically; project.json is not touched."""
        self._require_lock()
        try:
            self.recovery_dir.mkdir(exist_ok=True)
            write_atomic(self.recovery_file, schema.dumps(project))
        except OSError as error:
            raise SaveFailed(f"Could not write the autosave: {plain_reason(error)}.") from error

    def recovery(self) -> Project | None:
        """The autosave if it is newer than project.json and loads; a damaged one is logged and ignored."""
        try:
            recovered = self.recovery_file.stat().st_mtime_ns
        except OSError:
            return None
        try:
            saved = self.project_file.stat().st_mtime_ns
        except OSError:
            saved = -1
        if recovered < saved:
            return None
        try:
            raw = read_capped(self.recovery_file)
            # File times tick coarsely (a few ms); within one tick only a differing autosave counts as newer.
            if recovered == saved and raw == read_capped(self.project_file):
                return None
            return self.opened(raw)
        except (OSError, ProjectCorrupt, ProjectTooNew) as error:
            log.warning("Ignoring the autosave in %s: %s", self.recovery_file, error)
            return None

    def _keep_recovery_current(self) -> None:
        """project.json was just written without the creator's unsaved work: the autosave is as current as before, so
        it takes project.json's time and `recovery` still offers it."""
        try:
            saved = self.project_file.stat().st_mtime_ns
            os.utime(self.recovery_file, ns=(saved, saved))
        except FileNotFoundError:
            pass  # no autosave: nothing unsaved to keep
        except OSError as error:
            log.warning("Could not keep the autosave %s current: %s", self.recovery_file, error)

    def discard_recovery(self) -> None:
        try:
            self.recovery_file.unlink(missing_ok=True)
        except OSError as error:
            log.warning("Could not remove the autosave %s: %s", self.recovery_file, error)

    # ------------------------------------------------------------------------------------------ media

    def resolve(self, rel: str) -> Path:
        """The absolute path of a media path stored in the project; refuses paths that leave the folder, checked
        again on every use (a file swapped for a link after the project opened is caught here)."""
        return references.inside(self.path, rel)

    def import_media(self, src: Path) -> str:
        """Copy a file into media/ named by its content hash; returns "media/<hash><suffix>"."""
        src = Path(src)
        if not src.exists():
            raise MediaMissing(f"{src} does not exist; it may have been moved or deleted.")
        if not src.is_file():
            raise MediaUnreadable(f"{src} is not a file; choose a video, image or audio file.")
        suffix = src.suffix.lower() if _SAFE_SUFFIX.fullmatch(src.suffix) else ""
        try:
            digest = _hash_file(src)
        except OSError as error:
            raise MediaUnreadable(f"Could not read {src}: {plain_reason(error)}.") from error
        name = f"{digest[:32]}{suffix}"
        dest = self.media_dir / name
        if dest.is_file() and dest.stat().st_size == src.stat().st_size:
            return f"media/{name}"
        self._copy_in(src, dest, digest)
        return f"media/{name}"

    def _copy_in(self, src: Path, dest: Path, digest: str) -> None:
        part = self.partial_dir / f"{dest.name}.{os.getpid()}.import.part"
        check = hashlib.sha256()
        try:
            self.partial_dir.mkdir(exist_ok=True)
            self.media_dir.mkdir(exist_ok=True)
            with src.open("rb") as reader, part.open("wb") as writer:
                while chunk := reader.read(_CHUNK):
                    check.update(chunk)
                    writer.write(chunk)
                writer.flush()
                os.fsync(writer.fileno())
            if check.hexdigest() != digest:
                raise MediaUnreadable(f"{src} changed while it was being imported; import it again.")
            replace_with_retry(part, dest)
            fsync_dir(self.media_dir)
        except OSError as error:
            raise SaveFailed(f"Could not copy {src.name} into the project: {plain_reason(error)}.") from error
        finally:
            discard(part)

    def missing_media(self, project: Project) -> list[str]:
        """Media paths the project uses that are not in the folder (or point outside it), for the relink dialog."""
        missing: list[str] = []
        for rel in project.media_paths():
            try:
                present = self.resolve(rel).is_file()
            except ProjectCorrupt:
                present = False
            if not present:
                missing.append(rel)
        return missing


def cached(path: Path) -> bool:
    """Whether `path`, a file in a project's cache, is one Shotline may read back or show: a regular file, no link
    (a hand-made project folder can hold a link under a thumbnail's name to a picture anywhere on the computer)."""
    return path.is_file() and not references.is_link(path)


def read_capped(path: Path) -> bytes:
    """A project file's bytes (project.json, a backup, the autosave), but never more than one byte past what a
    project may be: schema.loads refuses that without the rest of a huge file ever being read. Every reader of one
    reads it so: a hand-made folder's 6 GB sparse backup was read whole (a MemoryError) when the project was
    damaged."""
    with path.open("rb") as reader:
        return reader.read(schema.MAX_FILE_BYTES + 1)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
