"""How a job reads in the jobs panel: shot label, state, progress, elapsed time and cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shotline.core.model import Project, Shot
from shotline.core.ports import JobPhase, JobRecord
from shotline.services import jobs_view

START = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def _record(**changes: object) -> JobRecord:
    base = JobRecord(id="j", shot_id="b", backend="animatic", model="card", request={}, created_at=START.isoformat())
    return base.with_(**changes)


def test_shot_label_numbers_and_titles_and_says_deleted() -> None:
    project = Project(id="p", title="t", shots=(Shot(id="a", prompt="x", title="Dawn"), Shot(id="b", prompt="y")))
    assert jobs_view.shot_label(project, "a") == "1 · Dawn"
    assert jobs_view.shot_label(project, "b") == "2"
    assert jobs_view.shot_label(project, "gone") == "deleted shot"


def test_states_read_in_the_creators_words() -> None:
    # a job in flight reads as its shot's card does: queued until it is at work, then running
    assert jobs_view.state_text(_record(phase=JobPhase.SUBMITTING)) == "queued"
    assert jobs_view.state_text(_record(phase=JobPhase.SUBMITTED, message="Waiting for a free slot")) == "queued"
    assert jobs_view.state_text(_record(phase=JobPhase.SUBMITTED)) == "running"
    assert jobs_view.state_text(_record(phase=JobPhase.DOWNLOADED)) == "downloaded — take not added"
    assert jobs_view.state_text(_record(phase=JobPhase.DOWNLOADED), take_in_project=True) == "done — take added"
    assert jobs_view.state_text(_record(phase=JobPhase.SUBMITTED, progress=0.3)) == "running"
    assert jobs_view.state_text(_record(phase=JobPhase.UNCERTAIN)) == "uncertain — check your provider dashboard"
    assert jobs_view.state_text(_record(phase=JobPhase.FAILED, message="Out of credit.")) == "failed: Out of credit."
    assert jobs_view.progress_percent(_record(progress=0.456)) == 46
    assert jobs_view.progress_percent(_record(phase=JobPhase.DOWNLOADED, progress=0.9)) == 100


def test_elapsed_runs_to_now_while_working_and_stops_when_finished() -> None:
    now = START + timedelta(minutes=2, seconds=5)
    working = _record(phase=JobPhase.SUBMITTED, updated_at=(START + timedelta(seconds=10)).isoformat())
    assert jobs_view.elapsed_seconds(working, now) == 125
    done = working.with_(phase=JobPhase.ATTACHED)
    assert jobs_view.elapsed_seconds(done, now) == 10
    assert jobs_view.format_elapsed(125) == "2:05"
    assert jobs_view.format_elapsed(3 * 3600 + 61) == "3:01:01"
    assert jobs_view.elapsed_seconds(_record(created_at="not a time"), now) is None
    assert jobs_view.format_elapsed(None) == "—"
