"""The generation service: requests built from shots, takes landed once outside the undo history and on disk."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.backends.animatic import card_for
from shotline.core import commands
from shotline.core.errors import InputRejected, JobFailed, ProjectCorrupt
from shotline.core.model import GenerationSettings, Size
from shotline.core.ports import JobPhase, JobRecord
from shotline.media.cards import card_texts
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot, delete_take, restore_take
from shotline.services.generation import GenerationService, ObservedJournal, build_request, request_size
from shotline.services.session import ProjectSession
from shotline.storage import schema
from shotline.storage.secrets import MemorySecretStore
from tests.media import hostile

pytestmark = pytest.mark.ffmpeg


@pytest.mark.parametrize(
    ("aspect", "frame", "expected"),
    [
        ("16:9", Size(1920, 1080), Size(1920, 1080)),
        ("9:16", Size(1920, 1080), Size(608, 1080)),
        ("1:1", Size(640, 360), Size(360, 360)),
        ("21:9", Size(1280, 720), Size(1280, 548)),
    ],
)
def test_request_size_fits_the_frame(aspect: str, frame: Size, expected: Size) -> None:
    assert request_size(aspect, frame) == expected


def test_request_size_rejects_nonsense() -> None:
    with pytest.raises(InputRejected, match="aspect ratio"):
        request_size("wide", Size(640, 360))


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        yield opened


def test_request_carries_style_number_and_size(ctx: AppContext, session: ProjectSession) -> None:
    add_shot(session, "A red door", title="Door")
    shot = add_shot(session, "A blue sky", generation=GenerationSettings(aspect="1:1", duration_us=2_000_000))
    settings = session.project.settings
    session.execute(commands.set_project_settings(settings.__class__(size=settings.size, style="35 mm, warm grade")))
    request = build_request(ctx, session.project, session.project.shot(shot.id))
    assert request.prompt == "A blue sky, 35 mm, warm grade"
    assert (request.shot_number, request.size, request.duration_us) == (2, Size(180, 180), 2_000_000)
    assert request.label == ""  # an untitled shot; never "Shot 2", which a move would make wrong


def test_a_first_frame_swapped_for_a_link_out_is_never_uploaded(
    ctx: AppContext, session: ProjectSession, tmp_path: Path
) -> None:
    """The project opened with its first frame inside; a link to a file elsewhere put in its place afterwards is
    refused where the request is built (issue 13: a project's first frame made `generate` upload any file)."""
    frame = session.bundle.media_dir / "first.png"
    frame.write_bytes(b"png")
    settings = GenerationSettings(backend="runway", model="gen4_turbo", first_frame="media/first.png")
    shot = add_shot(session, "A gull", generation=settings)
    request = build_request(ctx, session.project, shot, project_dir=session.bundle.path)
    assert request.first_frame == str(frame.resolve())
    secret = tmp_path / "secret.txt"
    secret.write_text("not the creator's to share")
    frame.unlink()
    frame.symlink_to(secret)
    with pytest.raises(ProjectCorrupt, match=r"is a link to .*secret\.txt', outside the project folder"):
        build_request(ctx, session.project, shot, project_dir=session.bundle.path)


def test_the_animatic_card_never_shows_the_shot_number(ctx: AppContext, session: ProjectSession) -> None:
    """After a reorder the film opened on a card reading "SHOT 3": a card is a take, and a take stays when its shot
    moves. What the card writes comes from the shot's title (if any) and prompt only."""
    for prompt in ("Waves on the rocks", "A gull lands on a post"):
        add_shot(session, prompt)
    add_shot(session, "A harbour at dawn", title="Harbour")
    session.execute(commands.move_shot(session.project.shot("3").id, 0))
    model = ctx.registry.info("animatic").default_model
    drawn = []
    for shot in session.project.shots:
        texts = card_texts(card_for(build_request(ctx, session.project, shot), model))
        assert shot.prompt in texts["prompt.txt"]
        assert texts["label.txt"] == shot.title.upper()
        drawn.append("\n".join(texts.values()))
    assert drawn[0].startswith("HARBOUR\n")
    for text in drawn:
        assert not re.search(r"(?i)\bshot\s*\d", text), text


def test_refuses_what_the_model_cannot_make(ctx: AppContext, session: ProjectSession) -> None:
    add_shot(session, "Too long", generation=GenerationSettings(duration_us=90_000_000))
    add_shot(session, "  ")
    with pytest.raises(InputRejected, match=r"1–60 s"):
        GenerationService(ctx, session).prepare(["1"])
    with pytest.raises(InputRejected, match="no prompt"):
        GenerationService(ctx, session).prepare(["2"])
    assert session.journal.all() == [], "nothing is journaled when any shot is refused"


def test_a_take_lands_once_outside_the_undo_history_and_is_on_disk_at_once(
    ctx: AppContext, session: ProjectSession
) -> None:
    """A take a job made is not an edit (issue 14, point 12; DESIGN §3): no undo step, and project.json holds it as
    soon as it lands, added to the project as saved: the creator's unsaved edits stay unsaved."""
    shot = add_shot(session, "A lighthouse", generation=GenerationSettings(duration_us=1_000_000))
    session.save()
    generation = GenerationService(ctx, session)
    [record] = generation.prepare([shot.id])
    assert session.journal.get(record.id).phase is JobPhase.SUBMITTING, "the row exists before anything is sent"
    [started] = generation.run([record])
    outcome = started.handle.result(timeout=60)
    session.execute(commands.set_prompt(shot.id, "A lighthouse at dusk"))
    session.bundle.write_recovery(session.project)  # the autosave of that unsaved edit

    assert generation.attach(outcome) is True
    assert generation.attach(outcome) is False
    assert len(session.project.shot(shot.id).takes) == 1
    assert session.history.undo_label == "Edit prompt", "landing adds no step"
    assert session.journal.get(record.id).phase is JobPhase.ATTACHED, "on disk: the job is done"
    on_disk = schema.loads(session.bundle.project_file.read_bytes())
    assert [t.id for t in on_disk.shot(shot.id).takes] == [outcome.take.id]
    assert on_disk.shot(shot.id).prompt == "A lighthouse", "the unsaved edit is not saved by a landing"
    assert session.is_dirty
    recovered = session.bundle.recovery()
    assert recovered is not None and recovered.shot(shot.id).prompt == "A lighthouse at dusk", "the autosave stays"

    session.undo()
    session.undo()
    assert not session.history.can_undo
    assert [r.take for r in session.project.removed_takes] == [outcome.take], "before its shot existed, it waits"
    session.redo()
    assert session.project.shot(shot.id).takes == (outcome.take,), "no undo or redo loses it"
    take = outcome.take
    assert session.bundle.resolve(take.media).is_file()
    assert take.generation is not None and take.generation.request["prompt"] == "A lighthouse"


def test_a_deleted_paid_take_keeps_its_clip_is_restorable_and_never_lands_again(
    ctx: AppContext, session: ProjectSession
) -> None:
    shot = add_shot(session, "A net", generation=GenerationSettings(duration_us=1_000_000))
    generation = GenerationService(ctx, session)
    [started] = generation.run(generation.prepare([shot.id]))
    outcome = started.handle.result(timeout=60)
    generation.attach(outcome)
    removed = delete_take(session, "1", "1")
    assert session.history.undo_label == "Delete take" and session.project.shot(shot.id).takes == ()
    assert removed.take == outcome.take and session.bundle.resolve(outcome.take.media).is_file()
    assert generation.attach(outcome) is False, "a resumed job does not bring a deleted take back"
    session.save()
    with ProjectSession.open(session.bundle.path, read_only=True) as reopened:
        assert reopened.project.removed_takes == (removed,)
    restore_take(session, "1")
    assert session.project.shot(shot.id).picked_take == outcome.take and session.project.removed_takes == ()
    assert session.history.undo_label == "Restore take"
    session.undo()
    assert session.project.removed_takes == (removed,)


def test_a_planned_job_writes_its_journal_row_on_the_runner_before_it_is_sent(
    ctx: AppContext, session: ProjectSession
) -> None:
    shot = add_shot(session, "A harbour", generation=GenerationSettings(duration_us=1_000_000))
    written: list[tuple[str, JobPhase, str]] = []

    def wrote(record: JobRecord) -> None:
        written.append((record.id, record.phase, threading.current_thread().name))

    generation = GenerationService(ctx, session, ObservedJournal(session.journal, wrote))
    [record] = generation.plan([shot.id])
    assert session.journal.all() == [], "planning writes nothing"
    [started] = generation.run([record], journal_first=True)
    started.handle.result(timeout=60)
    first_id, first_phase, thread = written[0]
    assert (first_id, first_phase) == (record.id, JobPhase.SUBMITTING), "the row exists before anything is sent"
    assert thread == ctx.runner.thread.name, "written on the runner, never on the caller's thread"
    assert session.journal.get(record.id).phase is JobPhase.DOWNLOADED


def test_a_take_whose_shot_was_deleted_waits_among_the_deleted_takes(ctx: AppContext, session: ProjectSession) -> None:
    shot = add_shot(session, "A gull", generation=GenerationSettings(duration_us=1_000_000))
    generation = GenerationService(ctx, session)
    [started] = generation.run(generation.prepare([shot.id]))
    session.execute(commands.remove_shot(shot.id))
    generation.attach(started.handle.result(timeout=60))
    [waiting] = session.project.removed_takes
    assert (waiting.shot_id, waiting.take) == (shot.id, started.handle.result().take), "restorable onto any shot"


def test_a_downloaded_clip_is_held_to_the_import_rules(
    ctx: AppContext, session: ProjectSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A download cut short (an MP4 with its header first, half its samples missing) fails the job with the reason,
    as an import of it is refused, where it once landed as a full-length take that froze mid-export. No take lands."""
    whole = hostile.moov_first_clip(tmp_path / "whole.mp4")
    half = hostile.cut(whole, tmp_path / "half.mp4", 0.5)
    backend = ctx.backend("animatic")

    async def download(provider_job_id: str, status: object, dest: Path, progress: object) -> None:
        dest.write_bytes(half.read_bytes())

    monkeypatch.setattr(backend, "download", download)
    shot = add_shot(session, "A lighthouse", generation=GenerationSettings(duration_us=1_000_000))
    generation = GenerationService(ctx, session)
    [started] = generation.run(generation.prepare([shot.id]))
    with pytest.raises(JobFailed, match="The downloaded file is not playable"):
        started.handle.result(timeout=60)
    assert session.project.shot(shot.id).takes == ()
