"""The job journal: every generation job of a project, durably, in `jobs.sqlite` (DESIGN §4, §5).

A paid request is written here before it is sent, and every change after, so a crash or restart can resume
polling, download exactly once, and never resubmit a job that may already be billed. Each write is committed
(WAL, synchronous=FULL) before the method returns. One connection guarded by a lock serves any thread.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from shotline.core.errors import ProjectCorrupt, ProjectError, ProjectTooNew
from shotline.core.ports import JobPhase, JobRecord

SCHEMA_VERSION = 1

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
    updated_at TEXT NOT NULL
)
"""
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


def _record(row: sqlite3.Row) -> JobRecord:
    values = {name: row[name] for name in _COLUMNS}
    values["request"] = json.loads(values["request"])
    values["phase"] = JobPhase(values["phase"])
    for name in ("estimated_cost", "billed_cost"):
        values[name] = None if values[name] is None else Decimal(values[name])
    return JobRecord(**values)


class SqliteJobJournal:
    """`core.ports.JobJournal` over SQLite. `get` of an unknown job raises KeyError."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        except sqlite3.Error as error:
            raise ProjectError(f"Could not open the job journal {self.path}: {error}.") from error
        self._db.row_factory = sqlite3.Row
        try:
            self._setup()
        except BaseException as error:
            self._db.close()
            if not isinstance(error, sqlite3.DatabaseError):
                raise
            raise ProjectCorrupt(
                f"The job journal {self.path.name} is damaged ({error}). Move it aside to start a new one; "
                "jobs already running at the providers will then have to be checked on their websites."
            ) from error

    def _setup(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit survives power loss, not only a crash; the journal is small and written rarely.
        self._db.execute("PRAGMA synchronous=FULL")
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise ProjectTooNew(
                f"The job journal was written by a newer Shotline (version {version}); this Shotline reads up "
                f"to version {SCHEMA_VERSION}. Update Shotline to open this project."
            )
        with self._transaction():
            self._db.execute(_CREATE)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

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
        stamp = _now()
        row = _row(record.with_(created_at=stamp, updated_at=stamp))
        marks = ", ".join("?" * len(_COLUMNS))
        with self._lock:
            try:
                with self._transaction():
                    self._db.execute(f"INSERT INTO jobs ({', '.join(_COLUMNS)}) VALUES ({marks})", row)
            except sqlite3.IntegrityError as error:
                raise ValueError(f"Job {record.id} is already in the journal.") from error

    def update(self, job_id: str, **changes: Any) -> JobRecord:
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise TypeError(f"A job record has no changeable field(s) {', '.join(sorted(unknown))}.")
        if "phase" in changes:
            changes["phase"] = JobPhase(changes["phase"])
        with self._lock, self._transaction():
            record = self._get(job_id).with_(**changes, updated_at=_now())
            assignments = ", ".join(f"{name} = ?" for name in _COLUMNS)
            self._db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*_row(record), job_id))
        return record

    def _get(self, job_id: str) -> JobRecord:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(job_id)
        return _record(row)

    def get(self, job_id: str) -> JobRecord:
        with self._lock:
            return self._get(job_id)

    def all(self) -> list[JobRecord]:
        """Every job, oldest first."""
        with self._lock:
            return [_record(row) for row in self._db.execute("SELECT * FROM jobs ORDER BY rowid")]

    def unfinished(self) -> list[JobRecord]:
        """Jobs to resume after a restart: everything not attached, failed, cancelled, blocked or uncertain."""
        marks = ", ".join("?" * len(_UNFINISHED))
        query = f"SELECT * FROM jobs WHERE phase IN ({marks}) ORDER BY rowid"
        with self._lock:
            return [_record(row) for row in self._db.execute(query, _UNFINISHED)]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteJobJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
