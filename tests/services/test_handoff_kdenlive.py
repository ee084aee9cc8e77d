"""The Kdenlive project (`handoff_kdenlive`) checked on the XML: each track a tractor of two playlists as Kdenlive saves
one, a crossfade as Kdenlive's own (the two clips on different playlists, overlapping over its frames, and a
transition of the track marking its cut), the media once in the bin, the captions beside it under the name Kdenlive
loads. melt's render of it is compared with Shotline's export in test_handoff_melt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from shotline.core import caption_edits, commands
from shotline.core.commands import Command
from shotline.core.model import Caption, Transition, TransitionKind
from shotline.services.handoff import write_handoff
from shotline.services.handoff_mlt import BACKGROUND, KDENLIVE_VERSION
from shotline.services.session import ProjectSession
from tests.services.handoff_film import make_film, opened_copy

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("kdenlive"))


@pytest.fixture
def session(film: Path, tmp_path: Path) -> Iterator[ProjectSession]:
    yield from opened_copy(film, tmp_path)


def _property(element: ET.Element, name: str) -> str | None:
    return element.findtext(f"property[@name='{name}']")


def _placed(playlist: ET.Element) -> list[tuple[int, int, str]]:
    """Each entry of a playlist as (first film frame, last film frame, producer)."""
    found, at = [], 0
    for item in playlist:
        if item.tag == "blank":
            at += int(item.get("length", "0"))
        elif item.tag == "entry":
            length = int(item.get("out", "")) - int(item.get("in", "")) + 1
            found.append((at, at + length - 1, item.get("producer", "")))
            at += length
    return found


def test_a_crossfade_is_kdenlives_own_on_the_track(session: ProjectSession, tmp_path: Path) -> None:
    session.execute(commands.set_transition(session.project.shots[0].id, Transition(TransitionKind.CROSSFADE, 250_000)))
    cut = tmp_path / "Harbour.kdenlive"
    write_handoff(session.project, session.bundle, cut)
    root = ET.parse(cut).getroot()
    [timeline] = [t for t in root.iterfind("tractor") if t.get("id") == "timeline"]
    tracks = [track.get("producer") for track in timeline.iterfind("track")]
    assert tracks[0] == BACKGROUND
    by_id = {element.get("id"): element for element in root}
    named = {}
    for track_id in tracks[1:]:
        track = by_id[track_id]
        assert track.tag == "tractor"  # Kdenlive's track: a tractor of exactly two playlists
        sides = [by_id[t.get("producer")] for t in track.iterfind("track")]
        assert [side.tag for side in sides] == ["playlist", "playlist"]
        named[_property(track, "kdenlive:track_name")] = track
    # Kdenlive's order, bottom up: the sound (the shots' own nearest the picture), then the picture; no captions
    # track, they go as the .srt
    assert list(named) == ["Voice-over", "Music", "Clip sound", "Picture"]
    for name, service in (("Picture", "luma"), ("Clip sound", "mix")):
        track = named[name]
        a, b = (_placed(by_id[t.get("producer")]) for t in track.iterfind("track"))
        # Dawn (frames 0–29) on one playlist, Quay (24–47) on the other: they overlap over the crossfade's 6 frames;
        # Gulls, which no crossfade enters, back on the first (Kdenlive moves it there, saying so, if it is not)
        assert [p[:2] for p in a] == [(0, 29), (48, 119)] and [p[:2] for p in b] == [(24, 47)]
        [blend] = track.iterfind("transition")
        assert (blend.get("in"), blend.get("out")) == ("24", "30")  # its out one past the last, as Kdenlive sets it
        assert _property(blend, "mlt_service") == _property(blend, "kdenlive_id") == service
        assert (_property(blend, "kdenlive:mixcut"), _property(blend, "reverse")) == ("3", "0")  # cut at its middle
    assert _property(by_id["main_bin"], "kdenlive:docproperties.version") == KDENLIVE_VERSION
    # each shot's picture (V1: third track from the bottom, background left out) and its own sound (A1: second)
    # grouped at the frame the shot starts, as Kdenlive groups a clip it splits into picture and sound
    groups = json.loads(_property(by_id["main_bin"], "kdenlive:docproperties.groups") or "")
    assert [[leaf["data"] for leaf in group["children"]] for group in groups] == [
        ["3:0", "2:0"],
        ["3:24", "2:24"],
        ["3:48", "2:48"],
    ]
    assert {group["type"] for group in groups} == {"AVSplit"}


def test_the_captions_go_beside_under_the_name_kdenlive_loads(session: ProjectSession, tmp_path: Path) -> None:
    caption = Caption("c1", 1_000_000, 2_000_000, "Where is the boat?", "Mara", None)
    session.execute(Command("Captions", partial(caption_edits.set_captions, captions=(caption,))))
    written = write_handoff(session.project, session.bundle, tmp_path / "Harbour.kdenlive")
    assert written.captions == tmp_path / "Harbour.kdenlive.srt"
    assert "Where is the boat?" in written.captions.read_text(encoding="utf-8")
