"""ProjectDocument: the window's one door to a project — edits, undo, jobs, imports and thumbnails as signals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from shotline.core import commands, edits
from shotline.core.ports import JobPhase
from shotline.services import thumbnails
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


def test_edits_and_undo_announce_themselves(qtbot, document: ProjectDocument) -> None:
    first = document.project.shots[0]
    expected = edits.trim_shot(document.project, first.id, 200_000, 1_000_000)
    with qtbot.waitSignal(document.changed) as change, qtbot.waitSignal(document.history_changed):
        assert document.execute(commands.trim_shot(first.id, 200_000, 1_000_000))
    assert change.args[0].updated == (first.id,)
    assert document.project == expected and document.is_dirty
    document.undo()
    assert document.project.shots[0] == first


def test_a_refused_edit_fails_with_a_message_and_changes_nothing(qtbot, document: ProjectDocument) -> None:
    before = document.project
    with qtbot.waitSignal(document.failed) as failed:
        assert not document.execute(commands.trim_shot(before.shots[0].id, 0, 99_000_000))
    assert "outside the clip" in failed.args[0]
    assert document.project is before


def test_a_failed_transaction_rolls_back_with_a_message(qtbot, document: ProjectDocument) -> None:
    before = document.project
    with qtbot.waitSignal(document.failed), document.transaction("Two edits"):
        document.session.execute(commands.move_shot(before.shots[0].id, 2))
        document.session.execute(commands.remove_shot("nope"))
    assert document.project is before
    assert not document.session.history.can_undo


def test_generation_attaches_a_take_and_announces_the_job(qtbot, document: ProjectDocument) -> None:
    shot = document.project.shots[1]
    with qtbot.waitSignal(document.history_changed, timeout=60_000):
        [job_id] = document.generate([shot.id])
        assert document.is_running(job_id)
    qtbot.waitUntil(lambda: not document.is_running(job_id), timeout=60_000)
    assert len(document.project.shot(shot.id).takes) == 2
    assert not document.session.history.can_undo, "a take a job made is not an undoable edit"
    qtbot.waitUntil(lambda: document.job(job_id).phase is JobPhase.ATTACHED, timeout=5_000)
    assert not document.is_dirty, "it is on disk as it lands"


def test_unknown_backend_fails_before_any_job(qtbot, document: ProjectDocument) -> None:
    with qtbot.waitSignal(document.failed) as failed:
        assert document.generate([document.project.shots[0].id], backend="nonesuch") == []
    assert "no backend called" in failed.args[0].lower()
    assert document.jobs() == [j for j in document.jobs() if j.phase is JobPhase.ATTACHED]


def test_import_runs_off_thread_and_is_one_undo_step(qtbot, document: ProjectDocument, tmp_path: Path) -> None:
    clips = [make_clip(tmp_path / f"c{n}.mp4", seconds=1) for n in range(2)]
    count = len(document.project.shots)
    with qtbot.waitSignal(document.history_changed, timeout=30_000):
        document.import_files(clips, index=0)
    assert len(document.project.shots) == count + 2
    assert [s.title for s in document.project.shots[:2]] == ["c0", "c1"]
    document.undo()
    assert len(document.project.shots) == count


def test_a_broken_import_fails_with_its_name(qtbot, document: ProjectDocument, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with qtbot.waitSignal(document.failed, timeout=30_000) as failed:
        document.import_files([empty])
    assert "empty.mp4" in failed.args[0]


def test_thumbnails_arrive_once_as_pictures_and_are_cached(
    qtbot, document: ProjectDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[Path] = []
    real_thumbnail = thumbnails.thumbnail

    def counted(path: Path, *args: object) -> Path:
        decoded.append(path)
        return real_thumbnail(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(thumbnails, "thumbnail", counted)
    take = document.project.shots[0].picked_take
    assert take is not None
    arrived: list[QImage] = []
    document.thumbnail(take, 500_000, 160, arrived.append)
    document.thumbnail(take, 500_000, 160, arrived.append)  # same request: one decode, two answers
    assert arrived == []  # never at once: the cache is read off the GUI thread
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=30_000)
    assert arrived[0].width() == 160 and arrived[0] == arrived[1]
    document.thumbnail(take, 500_000, 160, arrived.append)
    qtbot.waitUntil(lambda: len(arrived) == 3, timeout=30_000)
    assert arrived[2] == arrived[0]
    assert len(decoded) == 1  # the third came from the cache


def test_autosave_writes_the_recovery_file_not_the_project(qtbot, document: ProjectDocument) -> None:
    saved = (document.path / "project.json").read_bytes()
    document.execute(commands.set_title(document.project.shots[0].id, "Renamed"))
    recovery = document.path / ".recovery" / "autosave.json"
    qtbot.waitUntil(recovery.exists, timeout=5_000)
    assert (document.path / "project.json").read_bytes() == saved
    assert document.session.bundle.recovery() == document.project


@pytest.mark.parametrize("closed", [False, True], ids=["after-the-autosave-delay", "closed-at-once"])
def test_undoing_back_to_the_saved_project_leaves_no_recovery_to_offer(
    qtbot, app_context: AppContext, project_path: Path, closed: bool
) -> None:
    """Edit, autosave, undo: the project is as saved, so the next start must not offer the undone edit back."""
    document = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    recovery = document.path / ".recovery" / "autosave.json"
    try:
        document.execute(commands.set_title(document.project.shots[0].id, "Taken back"))
        qtbot.waitUntil(recovery.exists, timeout=5_000)
        document.undo()
        assert not document.is_dirty
        if not closed:
            qtbot.waitUntil(lambda: not recovery.exists(), timeout=5_000)
    finally:
        document.close()
    assert not recovery.exists()
    with ProjectSession.open(project_path) as reopened:
        assert reopened.bundle.recovery() is None
