"""What the XML hand-offs carry beyond OpenTimelineIO's adapters (`handoff_xml`), in the file as Final Cut, Resolve and
Premiere read it and back through Shotline's import: a crossfade of the film in `handoff_film` as a Cross Dissolve in
the FCPXML spine over the frames the export blends, each sound lane as its audio role (FCPXML) or named track
(FCP 7 XML), and the sound lanes back on import from a file the other editor wrote again without Shotline's marks."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from shotline.core import commands
from shotline.core.model import Transition, TransitionKind
from shotline.services.handoff import write_handoff
from shotline.services.handoff_import import import_cut, read_cut
from shotline.services.session import ProjectSession
from tests.services.handoff_film import make_film

pytestmark = pytest.mark.ffmpeg

FRAME = Fraction(1, 24)


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff-xml"))


@pytest.fixture
def faded(film: Path, tmp_path: Path) -> Iterator[ProjectSession]:
    """The film with a crossfade of 6 frames from shot 1 into shot 2 (frames 24–29 of the film blend them)."""
    copy = tmp_path / "faded" / film.name
    shutil.copytree(film, copy)
    with ProjectSession.open(copy) as session:
        blend = Transition(TransitionKind.CROSSFADE, 250_000)
        session.execute(commands.set_transition(session.project.shots[0].id, blend))
        yield session


def _frames(time: str | None) -> int:
    assert time is not None
    found = Fraction(time.removesuffix("s")) / FRAME
    assert found.denominator == 1, f"{time} is not a whole frame"
    return int(found)


def test_a_crossfade_is_a_cross_dissolve_in_the_fcpxml_spine(faded: ProjectSession, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour.fcpxml"
    write_handoff(faded.project, faded.bundle, cut)
    root = ET.parse(cut).getroot()
    spine = root.find("project/sequence/spine")
    assert spine is not None
    assert [element.tag for element in spine] == ["clip", "transition", "clip", "clip"]
    dawn, dissolve, quay, _ = spine
    # the clips meet at the dissolve's cut, and the dissolve spans the 6 frames either side of it the export blends
    assert (_frames(dawn.get("offset")), _frames(dawn.get("duration"))) == (0, 27)
    assert _frames(quay.get("offset")) == 27
    assert (_frames(dissolve.get("offset")), _frames(dissolve.get("duration"))) == (24, 6)
    # which the clips' media covers: Dawn's runs 3 frames past its out, Quay's 3 before its in
    assert _frames(dawn.get("start")) + 27 + 3 <= 48 and _frames(quay.get("start")) - 3 >= 0
    effect = dissolve.find("filter-video")
    assert effect is not None and effect.get("name") == "Cross Dissolve"
    [declared] = [e for e in root.iter("effect") if e.get("id") == effect.get("ref")]
    assert declared.get("uid") == "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"  # Final Cut's own Cross Dissolve
    assert otio.adapters.read_from_file(str(cut)).video_tracks(), "OpenTimelineIO still reads the amended file"


def _film_frames(parent: ET.Element, connected: ET.Element) -> tuple[int, int]:
    """The film frames a clip connected to a clip of the spine plays (its offset is on the parent's media clock)."""
    first = _frames(parent.get("offset")) + _frames(connected.get("offset")) - _frames(parent.get("start", "0s"))
    return first, first + _frames(connected.get("duration"))


def test_the_shots_own_sound_crossfades_under_the_dissolve(faded: ProjectSession, tmp_path: Path) -> None:
    """Connected clips take no transition: the sound overlaps over the dissolve's frames and fades, as exported."""
    cut = tmp_path / "Harbour.fcpxml"
    write_handoff(faded.project, faded.bundle, cut)
    spine = ET.parse(cut).getroot().find("project/sequence/spine")
    assert spine is not None
    dawn, _, quay, _ = spine
    [outgoing] = [e for e in dawn if e.tag == "clip" and e.get("lane") == "-1"]  # the shots' own sound
    [incoming] = [e for e in quay if e.tag == "clip" and e.get("lane") == "-1"]
    # Dawn's sound plays on to the dissolve's end (frame 30), Quay's from its start (frame 24), each from its media
    assert _film_frames(dawn, outgoing) == (0, 30) and _film_frames(quay, incoming) == (24, 48)
    assert _frames(incoming.get("start")) == _frames(quay.get("start")) - 3
    fades = [
        (sound.find(f"adjust-volume/param[@name='amount']/{kind}"), kind)
        for sound, kind in ((outgoing, "fadeOut"), (incoming, "fadeIn"))
    ]
    for fade, kind in fades:
        assert fade is not None, f"no {kind}"
        # over the 6 frames the dissolve blends, at equal power: Final Cut's "+3dB" fade, written easeIn both ways
        assert (_frames(fade.get("duration")), fade.get("type")) == (6, "easeIn")
    assert [e.tag for e in outgoing][:2] == ["adjust-volume", "gap"]  # the DTD's order: settings, then content
    assert otio.adapters.read_from_file(str(cut)).video_tracks(), "OpenTimelineIO still reads the amended file"


def test_a_dissolve_off_its_cut_comes_back_with_its_sides(faded: ProjectSession, tmp_path: Path) -> None:
    """Final Cut centres a dissolve on its cut; another editor's FCPXML may not: what lies either side comes back."""
    cut = tmp_path / "Harbour.fcpxml"
    write_handoff(faded.project, faded.bundle, cut)
    text = cut.read_text(encoding="utf-8")
    moved = text.replace('offset="1s" duration="1/4s"', 'offset="11/12s" duration="1/3s"')  # frames 22–29
    assert moved != text
    cut.write_text(moved, encoding="utf-8")
    [picture] = read_cut(cut).video_tracks()
    [dissolve] = [item for item in picture if isinstance(item, otio.schema.Transition)]
    assert (dissolve.in_offset.value, dissolve.out_offset.value) == (5, 3)  # frames 22–29 around the cut at 27


def test_each_sound_lane_is_its_audio_role_in_fcpxml(film: Path, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour.fcpxml"
    with ProjectSession.open(film, read_only=True) as session:
        write_handoff(session.project, session.bundle, cut)
    audio = ET.parse(cut).getroot().iter("audio")
    roles = {(element.get("lane"), element.get("role")) for element in audio}
    assert roles == {("-1", "effects.Clip sound"), ("-2", "music.Music"), ("-3", "dialogue.Voice-over")}


def test_each_sound_track_is_named_and_crossfades_as_sound_in_fcp7_xml(faded: ProjectSession, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour.xml"
    write_handoff(faded.project, faded.bundle, cut)
    root = ET.parse(cut).getroot()
    tracks = root.findall("sequence/media/audio/track") or root.findall(".//sequence/media/audio/track")
    assert [track.get("MZ.TrackName") for track in tracks] == ["Clip sound", "Music", "Voice-over"]
    assert [track.get("shotline.lane") for track in tracks] == [None, "music", "voice"]
    [fade] = tracks[0].findall("transitionitem/effect")
    assert (fade.findtext("effectid"), fade.findtext("mediatype")) == ("KGAudioTransCrossFade3dB", "audio")
    [dissolve] = root.findall(".//sequence/media/video/track/transitionitem/effect")
    assert (dissolve.findtext("effectid"), dissolve.findtext("mediatype")) == ("Cross Dissolve", "video")


@pytest.mark.parametrize("ending", [".fcpxml", ".xml"])
def test_the_sound_lanes_come_back_from_the_other_editors_own_export(film: Path, tmp_path: Path, ending: str) -> None:
    """What Final Cut and Premiere write back keeps the roles and the track names, not Shotline's own marks."""
    cut = tmp_path / f"Harbour{ending}"
    with ProjectSession.open(film, read_only=True) as session:
        write_handoff(session.project, session.bundle, cut)
    text = cut.read_text(encoding="utf-8")
    cut.write_text(re.sub(r' shotline\.(lane|kind)="[^"]*"', "", text), encoding="utf-8")
    made = import_cut(cut, tmp_path / "Back.shotline")
    assert (made.shots, made.sounds, made.missing) == (3, 2, ())
    with ProjectSession.open(made.project) as after:
        assert [(clip.lane, clip.start_us, clip.source_name) for clip in after.project.audio] == [
            ("music", 0, "music.wav"),
            ("voice", 500_000, "voice.wav"),
        ]
