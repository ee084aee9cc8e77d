"""The captions in a hand-off: an .otio carries them as a track of their own (each caption a generated clip over its
frames, its words and speaker kept), and every format has them as an SRT beside the cut."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import opentimelineio as otio
import pysubs2
import pytest

from shotline.core import caption_edits
from shotline.core.commands import Command
from shotline.core.model import Caption
from shotline.services.handoff import write_handoff
from shotline.services.handoff_import import import_cut
from shotline.services.handoff_recipe import NAMESPACE
from shotline.services.session import ProjectSession
from tests.services.handoff_film import make_film, opened_copy

pytestmark = pytest.mark.ffmpeg

CAPTIONS = (
    Caption("c1", 250_000, 1_000_000, "Where is the boat?", "Mara", "l-a"),
    Caption("c2", 1_500_000, 2_750_000, "Gone with the tide.", "Old man", None, edited=True),
)


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff-captions"))


@pytest.fixture
def session(film: Path, tmp_path: Path) -> Iterator[ProjectSession]:
    for opened in opened_copy(film, tmp_path):
        opened.execute(Command("Captions", partial(caption_edits.set_captions, captions=CAPTIONS)))
        yield opened


def test_an_otio_has_the_captions_as_a_track_of_their_own(session: ProjectSession, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour cut.otio"
    write_handoff(session.project, session.bundle, cut)
    timeline = otio.adapters.read_from_file(str(cut))
    [track] = [t for t in timeline.tracks if t.name == "Captions"]
    clips = [item for item in track if isinstance(item, otio.schema.Clip)]
    # at 24 fps: 0.25 s is frame 6, 1 s frame 24, 1.5 s frame 36, 2.75 s frame 66
    assert [(c.trimmed_range_in_parent().start_time.value, c.duration().value) for c in clips] == [(6, 18), (36, 30)]
    assert [c.media_reference.parameters["text"] for c in clips] == ["Where is the boat?", "Gone with the tide."]
    assert [dict(c.metadata[NAMESPACE]) for c in clips] == [
        {"text": "Where is the boat?", "speaker": "Mara", "line": "l-a", "edited": "false"},
        {"text": "Gone with the tide.", "speaker": "Old man", "line": "", "edited": "true"},
    ]


@pytest.mark.parametrize("ending", [".otio", ".fcpxml", ".xml", ".edl", ".mlt"])
def test_every_format_has_the_captions_as_srt_beside_the_cut(
    session: ProjectSession, tmp_path: Path, ending: str
) -> None:
    cut = tmp_path / f"Harbour cut{ending}"
    written = write_handoff(session.project, session.bundle, cut)
    # an MLT project's captions keep its whole name: Kdenlive loads `NAME.mlt.srt` onto its subtitle track
    assert written.captions == tmp_path / ("Harbour cut.mlt.srt" if ending == ".mlt" else "Harbour cut.srt")
    subs = pysubs2.load(str(written.captions))
    assert [(e.start, e.end, e.plaintext) for e in subs] == [
        (250, 1000, "Where is the boat?"),
        (1500, 2750, "Gone with the tide."),
    ]
    if ending != ".otio":  # the other writers take no generated clips: their cut is as it was
        timeline = otio.adapters.read_from_file(str(cut)) if ending != ".mlt" else None
        assert timeline is None or all(t.name != "Captions" for t in timeline.tracks)


def test_a_cut_brought_back_from_an_otio_has_its_captions(session: ProjectSession, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour cut.otio"
    write_handoff(session.project, session.bundle, cut)
    import_cut(cut, tmp_path / "Back.shotline")
    with ProjectSession.open(tmp_path / "Back.shotline") as back:
        assert [(c.start_us, c.end_us, c.text, c.speaker) for c in back.project.captions] == [
            (250_000, 1_000_000, "Where is the boat?", "Mara"),
            (1_500_000, 2_750_000, "Gone with the tide.", "Old man"),
        ]
