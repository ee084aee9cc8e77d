"""A hand-off's progress and its way out: the stems report how much of their sound is mixed, a cancel mid-stem and a
failure part-way leave nothing of the hand-off behind (no cut, stem, captions, partial file or folder it made), and
every file that was there before (a cut it would have replaced among them) stays as it was. The film is
`handoff_film`'s, mixed for real; cancelling and failing are done from the progress report, on the mixing thread, as
the window's Cancel and a disappearing sound file would land there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core.errors import MediaError, SaveFailed
from shotline.core.model import VOICE_LANE, ExportSettings, LaneKind
from shotline.media.mix import build_stems
from shotline.media.plan import plan_export
from shotline.services.handoff import stem_paths, write_handoff
from shotline.services.handoff_staging import HandoffCancelled
from shotline.services.session import ProjectSession
from tests.services.handoff_film import make_film, opened_copy

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff-cancel"))


@pytest.fixture
def session(film: Path, tmp_path: Path) -> Iterator[ProjectSession]:
    yield from opened_copy(film, tmp_path)


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) with its bytes, and every folder (as b"/")."""
    return {str(path.relative_to(folder)): b"/" if path.is_dir() else path.read_bytes() for path in folder.rglob("*")}


def test_progress_rises_to_one_as_the_stems_are_mixed(session: ProjectSession, tmp_path: Path) -> None:
    seen: list[float] = []
    written = write_handoff(session.project, session.bundle, tmp_path / "cut.otio", progress=seen.append)
    assert len(written.stems) == 3
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert any(0 < fraction < 1 for fraction in seen)  # it moved while mixing, not only at the end


def test_a_cancel_mid_stem_leaves_the_folder_as_it_was(session: ProjectSession, tmp_path: Path) -> None:
    folder = tmp_path / "for Resolve"
    folder.mkdir()
    cut = folder / "Harbour.fcpxml"
    cut.write_text("the editor's own cut")  # replacing it was agreed to, but the hand-off never finished
    stem_paths(cut)[LaneKind.MUSIC].write_bytes(b"last week's music stem")
    (folder / "notes.txt").write_text("call Ana")
    before = listing(tmp_path)
    cancel = threading.Event()
    seen: list[float] = []

    def cancel_at_first_report(fraction: float) -> None:
        seen.append(fraction)
        cancel.set()  # as the window's Cancel does, while the first stem is being mixed

    with pytest.raises(HandoffCancelled) as stopped:
        write_handoff(session.project, session.bundle, cut, progress=cancel_at_first_report, cancel=cancel)
    assert 0 < seen[0] < 1 and len(seen) == 1  # stopped after the first sound, mid-stem
    assert listing(tmp_path) == before
    assert str(stopped.value) == (
        "Export for another editor was cancelled: Harbour.fcpxml and its stems were not written, and the files "
        "already there were left as they were."
    )


def _sounds(session: ProjectSession) -> list[int]:
    """The samples of each sound the stems mix, as the hand-off plans them."""
    project = session.project
    plan = plan_export(project, ExportSettings.for_project(project), session.bundle.resolve)
    stems = build_stems(project, plan, session.bundle.resolve)
    return [sound.samples for mix in stems.values() for sound in mix.sounds]


def test_progress_moves_and_a_cancel_lands_inside_a_sound(session: ProjectSession, tmp_path: Path) -> None:
    """A sound is reported as it decodes, not once it is mixed: a 3-minute music bed held the bar still for 2 s."""
    sounds = _sounds(session)
    cancel = threading.Event()
    seen: list[float] = []

    def cancel_at_first_report(fraction: float) -> None:
        seen.append(fraction)
        cancel.set()

    with pytest.raises(HandoffCancelled):
        write_handoff(
            session.project, session.bundle, tmp_path / "cut.otio", progress=cancel_at_first_report, cancel=cancel
        )
    # the first report, and the stop, came before even the shortest sound was wholly in the mix
    assert len(seen) == 1 and 0 < seen[0] * sum(sounds) < min(sounds)


def test_a_cancel_removes_the_folders_the_handoff_made(session: ProjectSession, tmp_path: Path) -> None:
    before = listing(tmp_path)
    cancel = threading.Event()
    with pytest.raises(HandoffCancelled):
        write_handoff(
            session.project,
            session.bundle,
            tmp_path / "out" / "for Kdenlive" / "Harbour.mlt",
            progress=lambda fraction: cancel.set(),
            cancel=cancel,
        )
    assert listing(tmp_path) == before  # neither "out" nor "for Kdenlive" is left


def test_a_sound_lost_while_mixing_leaves_nothing_behind(session: ProjectSession, tmp_path: Path) -> None:
    [voice] = [clip for clip in session.project.audio if clip.lane == VOICE_LANE]
    lost = session.bundle.resolve(voice.media)
    before = listing(tmp_path / "made")

    def lose_the_voice(fraction: float) -> None:
        lost.unlink(missing_ok=True)  # gone before the dialogue stem, the last, is mixed

    with pytest.raises(MediaError) as failed:
        write_handoff(session.project, session.bundle, tmp_path / "cut" / "Harbour.xml", progress=lose_the_voice)
    assert lost.name in str(failed.value)
    assert not (tmp_path / "cut").exists()
    assert set(listing(tmp_path / "made")) == set(before) - {str(lost.relative_to(tmp_path / "made"))}


def test_a_folder_that_cannot_be_made_is_said_plainly(session: ProjectSession, tmp_path: Path) -> None:
    (tmp_path / "Exports").write_text("a file where the folder would go")
    before = listing(tmp_path)
    with pytest.raises(SaveFailed) as failed:
        write_handoff(session.project, session.bundle, tmp_path / "Exports" / "Resolve" / "Harbour.otio")
    assert str(failed.value) == (
        "Could not write Harbour.otio for another editor: Not a directory. Nothing of it was kept; free some space "
        "or choose another folder, then try again."
    )
    assert listing(tmp_path) == before
