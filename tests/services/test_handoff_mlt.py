"""The MLT project as Shotcut and Kdenlive read it, checked on the XML: what Shotcut 22.12, Kdenlive 22.12 and melt
were seen to do with it is in the module's docstring (`shotline.services.handoff_mlt`); melt's render is compared
with Shotline's export in test_handoff_melt."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from shotline.core import caption_edits, commands
from shotline.core.commands import Command
from shotline.core.model import MUSIC_LANE, VOICE_LANE, Caption, Transition, TransitionKind
from shotline.services.handoff import write_handoff
from shotline.services.handoff_mlt import BACKGROUND, KDENLIVE_TRACK_MIXING, KDENLIVE_VERSION
from shotline.services.session import ProjectSession
from shotline.services.sound import add_sound
from tests.media.sound import tone
from tests.services.handoff_film import FILM_FRAMES, make_film, opened_copy

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("mlt"))


@pytest.fixture
def session(film: Path, tmp_path: Path) -> Iterator[ProjectSession]:
    yield from opened_copy(film, tmp_path)


def _frames(playlist: ET.Element) -> int:
    """How long a playlist plays: its entries and blanks end to end."""
    return sum(
        int(item.get("length", "0")) if item.tag == "blank" else int(item.get("out", "")) - int(item.get("in", "")) + 1
        for item in playlist
        if item.tag in ("entry", "blank")
    )


def _property(element: ET.Element, name: str) -> str | None:
    return element.findtext(f"property[@name='{name}']")


def _clips(root: ET.Element) -> list[ET.Element]:
    """The producers of the timeline's clips: all but the background and the bin's own."""
    bin_ids = {entry.get("producer") for entry in root.iterfind("playlist[@id='main_bin']/entry")}
    return [
        p for p in root.iterfind("producer") if p.get("id") not in bin_ids and _property(p, "mlt_service") != "color"
    ]


def test_a_sound_running_past_the_film_ends_with_it(session: ProjectSession, tmp_path: Path) -> None:
    """Music longer than the film made Shotcut's timeline and melt's render run on over black after the last shot,
    where Shotline's export (and the stems) end with the film."""
    add_sound(session, tone(tmp_path / "long.wav", hz=330, seconds=8), MUSIC_LANE, 2_000_000)  # frames 48–239
    add_sound(session, tone(tmp_path / "late.wav", hz=660, seconds=1), VOICE_LANE, 6_000_000)  # after the film
    cut = tmp_path / "cut.mlt"
    write_handoff(session.project, session.bundle, cut)
    root = ET.parse(cut).getroot()
    tractor = root.find("tractor[@id='tractor0']")
    assert tractor is not None and tractor.get("out") == str(FILM_FRAMES - 1)
    playlists = {playlist.get("id"): playlist for playlist in root.iter("playlist")}
    assert _frames(playlists[BACKGROUND]) == FILM_FRAMES
    tracks = [playlists[track.get("producer")] for track in tractor.iter("track")]
    assert all(_frames(playlist) <= FILM_FRAMES for playlist in tracks)
    names = {_property(producer, "shotcut:caption"): producer.get("id") for producer in _clips(root)}
    entries = {entry.get("producer"): entry for playlist in tracks for entry in playlist.iter("entry")}
    long_music = entries[names["long.wav"]]  # on the music lane's second track, beside the first music
    assert (long_music.get("in"), long_music.get("out")) == ("0", str(FILM_FRAMES - 48 - 1))
    assert names["late.wav"] not in entries  # it starts after the last frame: it is not in the film


def test_kdenlive_finds_every_clip_in_the_bin(session: ProjectSession, tmp_path: Path) -> None:
    """Kdenlive 22.12 opened the document but removed every timeline clip ("without bin reference") and each sound
    track's mix ("invalid composition"), asked about the unreadable version, and showed the background as a track."""
    first = session.project.shots[0].id
    session.execute(commands.set_transition(first, Transition(TransitionKind.CROSSFADE, 250_000)))
    cut = tmp_path / "cut.mlt"
    write_handoff(session.project, session.bundle, cut)
    root = ET.parse(cut).getroot()
    order = [element.get("id") for element in root]
    main_bin = root.find("playlist[@id='main_bin']")
    assert main_bin is not None and _property(main_bin, "kdenlive:docproperties.version") == KDENLIVE_VERSION
    media = {}
    for entry in main_bin.iter("entry"):
        producer = root.find(f"producer[@id='{entry.get('producer')}']")
        assert producer is not None and order.index(producer.get("id")) < order.index("main_bin")
        media[_property(producer, "kdenlive:id")] = _property(producer, "resource")
    clips = _clips(root)
    resources = {_property(clip, "resource") for clip in clips}
    assert sorted(media.values()) == sorted(resources)  # each media file once: the 3 shots, the music and the voice
    assert len(media) == 5 and all(
        media[_property(clip, "kdenlive:id")] == _property(clip, "resource") for clip in clips
    )
    tractor = root.find("tractor[@id='tractor0']")
    assert tractor is not None
    tracks = [root.find(f"playlist[@id='{track.get('producer')}']") for track in tractor.iter("track")]
    assert tracks[0] is not None and tracks[0].get("id") == BACKGROUND == "black_track"
    named = [(_property(t, "kdenlive:track_name"), _property(t, "kdenlive:audio_track")) for t in tracks[1:] if t]
    assert named == [("Picture", None), ("Clip sound", "1"), ("Music", "1"), ("Voice-over", "1")]
    assert not any(str(t.get("id")).startswith("playlist") for t in tracks if t)  # Shotcut's Kdenlive mixdown name
    mixes = tractor.findall("transition")
    assert len(mixes) == 3 and all(_property(mix, "internal_added") == KDENLIVE_TRACK_MIXING for mix in mixes)


def test_the_captions_are_a_hidden_track_of_titles_over_the_picture(session: ProjectSession, tmp_path: Path) -> None:
    """Shotcut 22.12 has no subtitle track: the captions are titles on a video track of their own, each a clear clip
    with its words in a "Text: Simple" filter, hidden so that melt renders the film as Shotline exports it."""
    captions = (
        Caption("c1", 250_000, 1_000_000, "Where is the boat?", "Mara", "l-a"),
        Caption("c2", 1_500_000, 2_750_000, "Gone with the tide.", "Old man", None),
    )
    session.execute(Command("Captions", partial(caption_edits.set_captions, captions=captions)))
    cut = tmp_path / "cut.mlt"
    write_handoff(session.project, session.bundle, cut)
    root = ET.parse(cut).getroot()
    tractor = root.find("tractor[@id='tractor0']")
    assert tractor is not None
    tracks = [track.get("producer") for track in tractor.iter("track")]
    [playlist] = [p for p in root.iterfind("playlist") if _property(p, "shotcut:name") == "Captions"]
    number = tracks.index(playlist.get("id"))
    assert tractor[number + 1].get("hide") == "both" and _property(playlist, "shotcut:video") == "1"
    # at 24 fps: 0.25 s is frame 6, 1 s frame 24, 1.5 s frame 36, 2.75 s frame 66
    spans = [(item.tag, item.get("length"), item.get("in"), item.get("out")) for item in playlist]
    assert [span for span in spans if span[0] != "property"] == [
        ("blank", "6", None, None),
        ("entry", None, "0", "17"),
        ("blank", "12", None, None),
        ("entry", None, "0", "29"),
    ]
    words = []
    for entry in playlist.iterfind("entry"):
        producer = root.find(f"producer[@id='{entry.get('producer')}']")
        assert producer is not None and _property(producer, "resource") == "#00000000"
        text = producer.find("filter")
        assert text is not None and _property(text, "mlt_service") == "dynamictext"
        assert _property(text, "shotcut:filter") == "dynamicText" and _property(text, "valign") == "bottom"
        words.append(_property(text, "argument"))
    assert words == ["Where is the boat?", "Gone with the tide."]
    [blend] = [t for t in tractor.iterfind("transition") if _property(t, "b_track") == str(number)]
    assert (_property(blend, "mlt_service"), _property(blend, "a_track")) == ("frei0r.cairoblend", "1")
    bin_ids = {entry.get("producer") for entry in root.iterfind("playlist[@id='main_bin']/entry")}
    bin_resources = {_property(p, "resource") for p in root.iterfind("producer") if p.get("id") in bin_ids}
    assert "#00000000" not in bin_resources  # Kdenlive took any stray clip for a caption in its bin
