"""A cut comes back from another editor as a new project: each hand-off format of the film in `handoff_film`, read
back through OpenTimelineIO, gives the same shots with the same takes trimmed to the same frames and the generated
shot's recipe; a clip that cannot be found is named and its shot kept; a damaged file is refused by its name."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path, PurePosixPath

import opentimelineio as otio
import pytest

from shotline.core import commands
from shotline.core.errors import MediaError, MediaUnreadable
from shotline.core.model import CUT, Origin, Transition, TransitionKind
from shotline.core.timeline import layout
from shotline.services.handoff import write_handoff
from shotline.services.handoff_import import import_cut
from shotline.services.session import ProjectSession
from tests.services.handoff_film import PROMPT, make_film

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff-import"))


def _hand_off(film: Path, cut: Path) -> None:
    with ProjectSession.open(film, read_only=True) as session:
        write_handoff(session.project, session.bundle, cut)


@pytest.mark.parametrize("ending", [".otio", ".fcpxml", ".xml", ".edl"])
def test_a_cut_comes_back_as_the_same_film(film: Path, tmp_path: Path, ending: str) -> None:
    cut = tmp_path / f"Harbour{ending}"
    _hand_off(film, cut)
    made = import_cut(cut, tmp_path / "Back.shotline")
    assert (made.shots, made.missing) == (3, ())
    with ProjectSession.open(film, read_only=True) as before, ProjectSession.open(made.project) as after:
        assert [shot.title for shot in after.project.shots] == ["Dawn", "Quay", "Gulls"]
        for old, new in zip(before.project.shots, after.project.shots, strict=True):
            old_take, new_take = old.picked_take, new.picked_take
            assert old_take is not None and new_take is not None
            assert new_take.trim == old_take.trim
            assert PurePosixPath(new_take.media).name == PurePosixPath(old_take.media).name  # the same file's bytes
            assert after.bundle.resolve(new_take.media).is_file()
        gulls = after.project.shots[2]
        take = gulls.picked_take
        assert take is not None and take.generation is not None and take.origin is Origin.GENERATED
        made_by = take.generation
        assert (made_by.backend, made_by.model, made_by.billed_cost) == ("fal", "veo3", Decimal("0.40"))
        assert made_by.request == {"prompt": PROMPT, "seed": 42}
        assert (gulls.prompt, gulls.generation.backend, gulls.generation.seed) == (PROMPT, "fal", 42)
        dawn = after.project.shots[0].picked_take
        assert dawn is not None and dawn.generation is None and dawn.source_name == "dawn.mp4"  # its own name
        if ending != ".edl":  # an EDL is the picture's cut: its sound goes as stems
            assert [(clip.lane, clip.start_us, clip.source_name) for clip in after.project.audio] == [
                ("music", 0, "music.wav"),
                ("voice", 500_000, "voice.wav"),
            ]


@pytest.mark.parametrize("ending", [".otio", ".fcpxml", ".xml", ".edl"])
def test_a_dissolve_comes_back_as_the_crossfade_it_was(film: Path, tmp_path: Path, ending: str) -> None:
    faded = tmp_path / "faded" / film.name
    shutil.copytree(film, faded)
    with ProjectSession.open(faded) as session:
        blend = Transition(TransitionKind.CROSSFADE, 250_000)  # 6 frames
        session.execute(commands.set_transition(session.project.shots[0].id, blend))
        cut = tmp_path / f"Harbour{ending}"
        write_handoff(session.project, session.bundle, cut)
        before = session.project
    made = import_cut(cut, tmp_path / "Back.shotline")
    with ProjectSession.open(made.project) as after:
        assert [shot.transition_out for shot in after.project.shots] == [blend, CUT, CUT]
        assert [s.picked_take.trim for s in after.project.shots] == [s.picked_take.trim for s in before.shots]  # type: ignore[union-attr]
        assert layout(after.project)[1].start_us == layout(before)[1].start_us


def test_clips_that_cannot_be_found_are_named_and_their_shots_kept(film: Path, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour.otio"
    _hand_off(film, cut)
    moved = tmp_path / "sent" / "to" / "the" / "colourist" / "Harbour.otio"  # without the project beside it
    moved.parent.mkdir(parents=True)
    shutil.copy(cut, moved)
    made = import_cut(moved, tmp_path / "Back.shotline")
    assert made.shots == 3 and len(made.missing) == 5
    assert made.missing[0].startswith("Shot 1 (Dawn): its clip ") and " is not at " in made.missing[0]
    assert made.missing[2].startswith("Shot 3 (Gulls): its clip ")
    assert made.missing[3].startswith("The sound music.wav on the Music lane: ")
    with ProjectSession.open(made.project) as after:
        assert [shot.picked_take for shot in after.project.shots] == [None, None, None]
        assert after.project.shots[2].prompt == PROMPT  # so the shot can be generated again


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("Damaged.fcpxml", "<fcpxml version='1.8'><resources>", "Damaged.fcpxml could not be read as a cut"),
        ("Damaged.otio", '{"OTIO_SCHEMA": "Timeline.1", "tracks": ', "Damaged.otio could not be read as a cut"),
        ("Damaged.xml", "not xml at all", "Damaged.xml could not be read as a cut"),
        ("Empty.otio", otio.adapters.write_to_string(otio.schema.Timeline("x")), "Empty.otio holds no picture track"),
        ("Film.mov", "", "Film.mov: Shotline reads a cut from .otio, .fcpxml, .xml, .edl files"),
    ],
)
def test_a_damaged_cut_is_refused_by_name_and_makes_nothing(tmp_path: Path, name: str, content: str, said: str) -> None:
    cut = tmp_path / name
    cut.write_text(content)
    with pytest.raises(MediaUnreadable) as refused:
        import_cut(cut, tmp_path / "Back.shotline")
    assert str(refused.value).startswith(said)
    assert not (tmp_path / "Back.shotline").exists()


def test_a_cut_that_is_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"There is no file .*Gone\.otio"):
        import_cut(tmp_path / "Gone.otio", tmp_path / "Back.shotline")
