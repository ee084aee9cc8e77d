"""A request's cast placements and reference tags survive the job journal, so a resumed job sends the same prompt and
pictures and its take records what was sent of whom (issue 16, carry)."""

from __future__ import annotations

from pathlib import Path

from shotline.core.ports import GenerationRequest, JobRecord
from shotline.core.references import How, Placement
from shotline.storage.journal import SqliteJobJournal
from tests.backends.kit import request


def test_placements_and_tags_round_trip_through_the_journal(tmp_path: Path) -> None:
    sent = request(
        prompt="@Image1 rows into Harbour at dawn. Harbour: a grey stone harbour.",
        reference_images=("/film/media/mara.png",),
        reference_tags=("@Image1",),
        cast=(
            Placement("c1", "Mara", How.IMAGE_REFERENCE, image="media/mara.png", tag="@Image1"),
            Placement("c3", "Harbour", How.DESCRIBED, detail="only 1 reference"),
            Placement("c4", "Gull", How.DROPPED, detail="no picture or description"),
        ),
    )
    record = JobRecord(sent.job_id, sent.shot_id, sent.backend, sent.model, sent.to_json())
    path = tmp_path / "jobs.sqlite"
    with SqliteJobJournal(path) as journal:
        journal.add(record)
    with SqliteJobJournal(path) as reopened:
        assert GenerationRequest.from_json(reopened.get(sent.job_id).request) == sent


def test_a_request_without_a_cast_is_written_as_before() -> None:
    """Requests journaled before the cast was carried read back the same, and new ones without a cast add no keys."""
    plain = request()
    assert "cast" not in plain.to_json() and "reference_tags" not in plain.to_json()
    assert GenerationRequest.from_json(plain.to_json()) == plain
