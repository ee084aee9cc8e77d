"""The job journal: every generation job of a project, durably, in `jobs.sqlite` (DESIGN §4, §5).

A paid request is written here before it is sent, and every change after, so a crash or restart can resume
polling, download exactly once, and never resubmit a job that may already be billed. Each write is committed
(WAL, synchronous=FULL) before the method returns. One connection guarded by a lock serves any thread.

A journal that cannot be written (a read-only folder, a full disk) is opened read-only, not called damaged: its jobs
are still listed, and a write says why it cannot be made. Opened read-only on purpose it writes nothing at all, not
even SQLite's shared-memory file. Only a file SQLite finds damaged is called damaged, and the advice keeps a copy: it
is the record of jobs that may have been paid for.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from shotline.core.errors import ProjectCorrupt, ProjectError, ProjectTooNew, SaveFailed
from shotline.core.ports import JobPhase, JobRecord

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""Raised only for a change an older Shotline cannot read. A column added since (`sent_at`, when a create went out,
for find() after a restart) is one it ignores: a journal without it is given it when opened for writing, and read
without it (its jobs' sending times unknown), so a project stays open to the Shotline before."""
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_UNWRITABLE = frozenset(
    {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR}
)
"""What SQLite says when it cannot write (or make its -wal and -shm files): the journal is fine, the place is not."""

_CREATE = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    shot_id TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    phase TEXT NOT NULL,
    provider_job_id TEXT NOT NULL,
    progress REAL NOT NULL,
    message TEXT NOT NULL,
    media_path TEXT NOT NULL,
    estimated_cost TEXT,
    billed_cost TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT ''
)
"""
_ADDED_COLUMNS = {"sent_at": "ALTER TABLE jobs ADD COLUMN sent_at TEXT NOT NULL DEFAULT ''"}
"""Columns added after version 1's table, each a column an older Shotline ignores (it names the ones it writes)."""

_COLUMNS = [f.name for f in dataclasses.fields(JobRecord)]
_CHANGEABLE = frozenset(_COLUMNS) - {"id", "created_at", "updated_at"}
_UNFINISHED = [phase.value for phase in JobPhase if not phase.is_final]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _row(record: JobRecord) -> tuple[Any, ...]:
    values = dataclasses.asdict(record)
    values["request"] = json.dumps(dict(record.request), sort_keys=True, ensure_ascii=False)
    values["phase"] = JobPhase(record.phase).value
    values["estimated_cost"] = _decimal_text(record.estimated_cost)
    values["billed_cost"] = _decimal_text(record.billed_cost)
    return tuple(values[name] for name in _COLUMNS)


def _too_new(version: int) -> ProjectTooNew:
    return ProjectTooNew(
        f"The job journal was written by a newer Shotline (version {version}); this Shotline reads up to version "
        f"{SCHEMA_VERSION}. Update Shotline to open this project."
    )


def _record(row: sqlite3.Row) -> JobRecord:
    present = set(row.keys())  # a version 1 journal, only being read, has no sent_at
    values = {name: row[name] for name in _COLUMNS if name in present}
    values["request"] = json.loads(values["request"])
    values["phase"] = JobPhase(values["phase"])
    for name in ("estimated_cost", "billed_cost"):
        values[name] = None if values[name] is None else Decimal(values[name])
    return JobRecord(**values)


def _code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF  # the primary code, without the extended detail


def _unwritable_place(folder: Path) -> str | None:
    """Why nothing can be written in `folder`, in a creator's words, or None if it looks writable."""
    if not os.access(folder, os.W_OK):
        return "the project folder cannot be written to"
    try:
        if shutil.disk_usage(folder).free == 0:
            return "the disk is full"
    except OSError:
        pass
    return None


class _Unwritable(Exception):
    pass


class SqliteJobJournal:
    """`core.ports.JobJournal` over SQLite. `get` of an unknown job raises KeyError.

    `read_only` opens it only to read (a project only being looked at). A journal that cannot be written is opened
    read-only too. Either way `read_only_because` says why it could not be written here, if it could not; `add` and
    `update` then raise SaveFailed saying so."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.read_only = read_only
        self.read_only_because = _unwritable_place(self.path.parent) if read_only else None
        """Why the journal cannot be written here ("the disk is full"), when it cannot."""
        if not read_only:
            try:
                self._db = self._open_for_writing()
                return
            except _Unwritable as error:
                self.read_only = True
                self.read_only_because = str(error)
                log.info("The job journal %s cannot be written (%s); reading it only", self.path, error)
        self._db = self._open_for_reading()

    def _open_for_writing(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        except sqlite3.Error as error:
            raise self._trouble(error, writing=True) from error
        try:
            self._setup(db)
        except BaseException as error:
            db.close()
            if isinstance(error, sqlite3.Error):
                raise self._trouble(error, writing=True) from error
            raise
        return db

    def _open_for_reading(self) -> sqlite3.Connection:
        """A connection that never writes: to the file as it stands, or to an empty journal if there is none."""
        if not self.path.exists():
            return self._nothing_to_read()
        uri = self.path.absolute().as_uri()
        # Without a -wal file nobody is writing and everything is in the file itself: `immutable` reads it as it is,
        # without making the -wal and -shm files a WAL reader otherwise needs. With one, a writer is at work (or
        # died with jobs only written there): read through it, and fall back to the file where that cannot be done.
        wal = self.path.with_name(self.path.name + "-wal").exists()
        tries = (f"{uri}?mode=ro", f"{uri}?mode=ro&immutable=1") if wal else (f"{uri}?mode=ro&immutable=1",)
        for n, address in enumerate(tries, start=1):
            db = sqlite3.connect(address, uri=True, check_same_thread=False, isolation_level=None, timeout=10)
            try:
                version = int(db.execute("PRAGMA user_version").fetchone()[0])
                has_jobs = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone() is not None
            except sqlite3.Error as error:
                db.close()
                if n < len(tries) and _code(error) in _UNWRITABLE:
                    continue
                raise self._trouble(error, writing=False) from error
            if version > SCHEMA_VERSION:
                db.close()
                raise _too_new(version)
            if not has_jobs:  # an empty file: a journal that never recorded a job
                db.close()
                return self._nothing_to_read()
            db.row_factory = sqlite3.Row
            return db
        raise AssertionError("unreachable")

    @staticmethod
    def _nothing_to_read() -> sqlite3.Connection:
        """An empty journal in memory: what a project whose journal was never written has recorded."""
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.execute(_CREATE)
        db.row_factory = sqlite3.Row
        return db

    def _trouble(self, error: sqlite3.Error, *, writing: bool) -> Exception:
        """What an error from SQLite means to the creator: a damaged journal, a place it cannot be written, or else
        SQLite's own words."""
        code = _code(error)
        if code in _DAMAGED:
            return ProjectCorrupt(
                f"The job journal {self.path.name} is damaged ({error}); Shotline has left it as it is. It records the "
                "jobs sent to providers, some perhaps paid for, so keep a copy of it somewhere safe. Then move it out "
                "of the project folder to start a new journal; a job that was still running at a provider has to be "
                "checked on the provider's website."
            )
        if writing and code in _UNWRITABLE:
            because = _unwritable_place(self.path.parent)
            if because is None:
                because = "the disk is full" if code == sqlite3.SQLITE_FULL else str(error)
            return _Unwritable(because)
        return ProjectError(f"Could not use the job journal {self.path.name}: {error}.")

    def _setup(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit survives power loss, not only a crash; the journal is small and written rarely.
        db.execute("PRAGMA synchronous=FULL")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise _too_new(version)
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(_CREATE)
            present = {str(column[1]) for column in db.execute("PRAGMA table_info(jobs)")}
            for name, add in _ADDED_COLUMNS.items():
                if name not in present:
                    db.execute(add)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        db.row_factory = sqlite3.Row

    @contextmanager
    def _plainly(self, doing: str, *, writing: bool = False) -> Iterator[None]:
        """SQLite's errors while `doing` something, said as the creator's trouble (never a traceback). A clash of
        job ids is the caller's to say."""
        try:
            yield
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as error:
            trouble = self._trouble(error, writing=writing)
            if isinstance(trouble, _Unwritable):
                raise SaveFailed(
                    f"Could not {doing} in the job journal {self.path.name}: {trouble}. Nothing was changed; free "
                    "some space or make the folder writable, then try again."
                ) from error
            raise trouble from error

    def _writable(self, doing: str) -> None:
        if self.read_only:
            because = f" ({self.read_only_because})" if self.read_only_because else ""
            raise SaveFailed(
                f"Could not {doing}: the job journal {self.path.name} is open read-only here{because}. Nothing was "
                "changed."
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add(self, record: JobRecord) -> None:
        self._writable("record a new job")
        stamp = _now()
        row = _row(record.with_(created_at=stamp, updated_at=stamp))
        marks = ", ".join("?" * len(_COLUMNS))
        with self._lock:
            try:
                with self._plainly("record a new job", writing=True), self._transaction():
                    self._db.execute(f"INSERT INTO jobs ({', '.join(_COLUMNS)}) VALUES ({marks})", row)
            except sqlite3.IntegrityError as error:
                raise ValueError(f"Job {record.id} is already in the journal.") from error

    def update(self, job_id: str, **changes: Any) -> JobRecord:
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise TypeError(f"A job record has no changeable field(s) {', '.join(sorted(unknown))}.")
        if "phase" in changes:
            changes["phase"] = JobPhase(changes["phase"])
        self._writable("record how a job is going")
        with self._lock, self._plainly("record how a job is going", writing=True), self._transaction():
            before = self._get(job_id)
            # marking a downloaded job attached is bookkeeping at a save: its time stays the time its take arrived
            bookkeeping = changes == {"phase": JobPhase.ATTACHED} and before.phase is JobPhase.DOWNLOADED
            record = before.with_(**changes, updated_at=before.updated_at if bookkeeping else _now())
            assignments = ", ".join(f"{name} = ?" for name in _COLUMNS)
            self._db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*_row(record), job_id))
        return record

    def _get(self, job_id: str) -> JobRecord:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(job_id)
        return _record(row)

    def get(self, job_id: str) -> JobRecord:
        with self._lock, self._plainly("read a job"):
            return self._get(job_id)

    def all(self) -> list[JobRecord]:
        """Every job, oldest first."""
        with self._lock, self._plainly("read the jobs"):
            return [_record(row) for row in self._db.execute("SELECT * FROM jobs ORDER BY rowid")]

    def unfinished(self) -> list[JobRecord]:
        """Jobs to resume after a restart: everything not attached, failed, cancelled, blocked or uncertain."""
        marks = ", ".join("?" * len(_UNFINISHED))
        query = f"SELECT * FROM jobs WHERE phase IN ({marks}) ORDER BY rowid"
        with self._lock, self._plainly("read the jobs"):
            return [_record(row) for row in self._db.execute(query, _UNFINISHED)]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteJobJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
