"""The SQLite job journal: round trip, updates, unfinished jobs, threads, and durability under SIGKILL."""

from __future__ import annotations

import signal
import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.core.errors import ProjectCorrupt, ProjectTooNew, SaveFailed
from shotline.core.ports import JobPhase, JobRecord
from shotline.storage import journal as journal_module
from shotline.storage.journal import SqliteJobJournal
from tests import clean_fork


def _job(n: int, phase: JobPhase = JobPhase.SUBMITTING) -> JobRecord:
    return JobRecord(
        id=f"job-{n}",
        shot_id=f"shot-{n}",
        backend="runway",
        model="gen4_turbo",
        request={"prompt": f"boats {n}", "duration_us": 5_000_000, "options": {"seed": n}},
        phase=phase,
        estimated_cost=Decimal("0.50"),
    )


def test_add_get_round_trip_sets_times(tmp_path: Path) -> None:
    with SqliteJobJournal(tmp_path / "jobs.sqlite") as journal:
        journal.add(_job(1))
        got = journal.get("job-1")
    assert replace(got, created_at="", updated_at="") == _job(1)
    assert got.created_at.endswith("+00:00") and got.created_at == got.updated_at
    assert isinstance(got.phase, JobPhase) and got.estimated_cost == Decimal("0.50")
    assert sqlite3.connect(tmp_path / "jobs.sqlite").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_update_changes_fields_and_persists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The journal's clock ticks a second per reading: with the real one, whether an update's time differs from the
    # add's depends on the clock's resolution and the machine's speed.
    ticks = iter(datetime(2025, 1, 1, 12, 0, n, tzinfo=UTC).isoformat(timespec="microseconds") for n in range(60))
    monkeypatch.setattr(journal_module, "_now", lambda: next(ticks))
    path = tmp_path / "jobs.sqlite"
    with SqliteJobJournal(path) as journal:
        journal.add(_job(1))
        updated = journal.update(
            "job-1", phase="downloaded", provider_job_id="prov-9", billed_cost=Decimal("0.45"), progress=1.0
        )
        assert updated.phase is JobPhase.DOWNLOADED
        assert (updated.created_at, updated.updated_at) == (
            "2025-01-01T12:00:00.000000+00:00",
            "2025-01-01T12:00:01.000000+00:00",
        )
    with SqliteJobJournal(path) as reopened:
        assert reopened.get("job-1") == updated
        with pytest.raises(KeyError):
            reopened.get("nope")
        with pytest.raises(KeyError):
            reopened.update("nope", progress=0.5)
        with pytest.raises(TypeError, match="no changeable field"):
            reopened.update("job-1", created_at="yesterday")
        with pytest.raises(ValueError, match="already in the journal"):
            reopened.add(_job(1))


def test_unfinished_lists_jobs_to_resume_in_order(tmp_path: Path) -> None:
    with SqliteJobJournal(tmp_path / "jobs.sqlite") as journal:
        for n, phase in enumerate(JobPhase):
            journal.add(_job(n, phase))
        assert [j.id for j in journal.all()] == [f"job-{n}" for n in range(len(JobPhase))]
        assert [j.phase for j in journal.unfinished()] == [p for p in JobPhase if not p.is_final]


def test_two_threads_write_without_losing_rows(tmp_path: Path) -> None:
    with SqliteJobJournal(tmp_path / "jobs.sqlite") as journal:

        def writer(offset: int) -> None:
            for n in range(offset, offset + 50):
                journal.add(_job(n))
                journal.update(f"job-{n}", progress=0.5)

        threads = [threading.Thread(target=writer, args=(k * 1000,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(journal.all()) == 100
        assert all(j.progress == 0.5 for j in journal.all())


def _add_then_die(path: str) -> None:
    journal = SqliteJobJournal(Path(path))
    journal.add(_job(7))
    signal.raise_signal(signal.SIGKILL)


def test_row_survives_sigkill_right_after_add(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    child = clean_fork.child(_add_then_die, str(path))
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    with SqliteJobJournal(path) as journal:
        assert journal.get("job-7").request["prompt"] == "boats 7"


def test_newer_or_damaged_journal_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version=9")
    db.close()
    with pytest.raises(ProjectTooNew, match="newer Shotline"):
        SqliteJobJournal(newer)
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    for read_only in (False, True):
        with pytest.raises(ProjectCorrupt, match=r"job journal damaged\.sqlite is damaged") as refused:
            SqliteJobJournal(damaged, read_only=read_only)
        assert "keep a copy" in str(refused.value)  # it records jobs that may be paid for: never advise losing it
    assert damaged.read_bytes() == b"this is not a database" * 100


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_reading_only_writes_nothing_and_refuses_writes_plainly(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    with SqliteJobJournal(path) as writer:
        writer.add(_job(1))
    before = _names(tmp_path)
    with SqliteJobJournal(path, read_only=True) as reader:
        assert [job.id for job in reader.all()] == ["job-1"] and reader.unfinished()[0].id == "job-1"
        with pytest.raises(SaveFailed, match=r"jobs\.sqlite is open read-only"):
            reader.add(_job(2))
        with pytest.raises(SaveFailed, match=r"jobs\.sqlite is open read-only"):
            reader.update("job-1", progress=0.5)
        assert _names(tmp_path) == before  # not even SQLite's -wal and -shm files
    assert _names(tmp_path) == before
    with SqliteJobJournal(path) as writer:
        assert [(job.id, job.progress) for job in writer.all()] == [("job-1", 0.0)]


def test_reading_only_sees_jobs_a_killed_writer_left_in_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    child = clean_fork.child(_add_then_die, str(path))
    child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL
    assert path.with_name("jobs.sqlite-wal").stat().st_size > 0  # the job is only there
    with SqliteJobJournal(path, read_only=True) as reader:
        assert reader.get("job-7").request["prompt"] == "boats 7"


def test_reading_only_a_journal_never_written_finds_no_jobs_and_makes_none(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    with SqliteJobJournal(path, read_only=True) as reader:
        assert reader.all() == [] and reader.unfinished() == []
    assert not path.exists()
    path.touch()  # an empty file is an empty journal too
    with SqliteJobJournal(path, read_only=True) as reader:
        assert reader.all() == []
    assert _names(tmp_path) == ["jobs.sqlite"] and path.stat().st_size == 0


_VERSION_1 = """
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, shot_id TEXT NOT NULL, backend TEXT NOT NULL, model TEXT NOT NULL, request TEXT NOT NULL,
    phase TEXT NOT NULL, provider_job_id TEXT NOT NULL, progress REAL NOT NULL, message TEXT NOT NULL,
    media_path TEXT NOT NULL, estimated_cost TEXT, billed_cost TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
)
"""


def _version_1_journal(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute(_VERSION_1)
    db.execute(
        "INSERT INTO jobs VALUES ('job-1', 'shot-1', 'luma', 'ray-2', '{}', 'sending', '', 0, '', '', NULL, NULL, "
        "'2026-10-01T00:00:00+00:00', '2026-10-01T00:00:00+00:00')"
    )
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()


def test_a_journal_from_before_sending_times_is_read_and_given_them(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    _version_1_journal(path)
    with SqliteJobJournal(path, read_only=True) as looking:
        assert looking.get("job-1").sent_at == ""  # read as it is, nothing written
    with SqliteJobJournal(path) as journal:
        assert journal.get("job-1").phase is JobPhase.SENDING and journal.get("job-1").sent_at == ""
        journal.update("job-1", sent_at="2026-10-01T00:00:01+00:00")
    with SqliteJobJournal(path) as reopened:
        assert reopened.get("job-1").sent_at == "2026-10-01T00:00:01+00:00"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == journal_module.SCHEMA_VERSION == 1
    db.close()


_BEFORE = [column.split()[0] for row in _VERSION_1.strip().splitlines()[1:-1] for column in row.split(", ")]
"""The columns the Shotline before sending times names in every statement it sends."""


def test_the_shotline_before_still_reads_and_writes_a_journal_with_sending_times(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    with SqliteJobJournal(path) as journal:
        journal.add(_job(1))
        journal.update("job-1", phase=JobPhase.SENDING, sent_at="2026-10-01T00:00:01+00:00")
    # what the release before does with it: refuse any version above 1, then name only its own columns
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] <= 1
    db.row_factory = sqlite3.Row
    row = db.execute("SELECT * FROM jobs WHERE id = 'job-1'").fetchone()
    assert {name: row[name] for name in _BEFORE}["phase"] == "sending"
    db.execute(
        f"UPDATE jobs SET {', '.join(f'{n} = ?' for n in _BEFORE)} WHERE id = 'job-1'", [row[n] for n in _BEFORE]
    )
    marks = ", ".join("?" * len(_BEFORE))
    db.execute(f"INSERT INTO jobs ({', '.join(_BEFORE)}) VALUES ({marks})", ["job-2", *[row[n] for n in _BEFORE[1:]]])
    db.commit()
    db.close()
    with SqliteJobJournal(path) as journal:
        assert journal.get("job-1").sent_at == "2026-10-01T00:00:01+00:00", "kept through the older writer"
        assert journal.get("job-2").sent_at == ""
