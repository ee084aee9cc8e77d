"""The hand-off formats read back by OpenTimelineIO and its adapters: each export of the film in `handoff_film` gives
the same clips, in the same order, with the same in and out to the frame, each naming the take's own file, and the
generated shot's recipe comes back; the sound lanes are tracks of their own, and the stems sum to the film's mix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import opentimelineio as otio
import pytest

from shotline.core import commands
from shotline.core.errors import EditError
from shotline.core.model import ExportSettings, Transition, TransitionKind
from shotline.media.mix import build_mix
from shotline.media.mixdown import render_mix
from shotline.media.plan import plan_export
from shotline.services.handoff import write_handoff
from shotline.services.handoff_import import read_cut
from shotline.services.handoff_recipe import recipe_of
from shotline.services.session import ProjectSession
from tests.media.sound import read_wav, segment_samples, tone_db
from tests.services.handoff_film import CUT, FILM_FRAMES, FPS, RECIPE, make_film, opened_copy

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff"))


@pytest.fixture
def session(film: Path, tmp_path: Path) -> Iterator[ProjectSession]:
    yield from opened_copy(film, tmp_path)


def _picture(timeline: otio.schema.Timeline) -> list[otio.schema.Clip]:
    [track] = timeline.video_tracks()
    return [item for item in track if isinstance(item, otio.schema.Clip)]


def _file(url: str, cut: Path) -> Path:
    if url.startswith("file:"):
        return Path(otio.url_utils.filepath_from_url(url))
    return (cut.parent / unquote(url)).resolve()


@pytest.mark.parametrize("ending", [".otio", ".fcpxml", ".xml", ".edl"])
def test_each_format_reads_back_as_the_same_cut(session: ProjectSession, tmp_path: Path, ending: str) -> None:
    cut = tmp_path / "for the editor" / f"Harbour cut{ending}"
    write_handoff(session.project, session.bundle, cut)
    timeline = otio.adapters.read_from_file(str(cut))
    clips = _picture(timeline)
    assert len(clips) == len(CUT)
    for clip, expected, shot in zip(clips, CUT, session.project.shots, strict=True):
        assert clip.name.endswith(expected.title)
        source = clip.source_range
        assert (round(source.start_time.value), round(source.duration.value)) == (expected.source_in, expected.frames)
        assert source.start_time.rate == float(FPS)
        assert round(clip.trimmed_range_in_parent().start_time.value) == expected.start
        take = shot.picked_take
        assert take is not None
        assert _file(clip.media_reference.target_url, cut) == session.bundle.resolve(take.media).resolve()
    gulls = clips[2]
    found = recipe_of(gulls.metadata, gulls.media_reference.metadata)
    assert {key: found.get(key) for key in RECIPE} == RECIPE
    assert "backend" not in recipe_of(clips[0].metadata, clips[0].media_reference.metadata)  # an imported take


@pytest.mark.parametrize(("ending", "relative"), [(".otio", True), (".edl", True), (".fcpxml", False), (".xml", False)])
def test_media_is_named_relative_to_the_cut_where_the_format_allows(
    session: ProjectSession, tmp_path: Path, ending: str, relative: bool
) -> None:
    """A relative cut opens wherever it and the project are moved together; Final Cut and Premiere take only
    absolute file URLs, so those name the files where they are."""
    cut = tmp_path / "out" / f"cut{ending}"
    write_handoff(session.project, session.bundle, cut)
    urls = [clip.media_reference.target_url for clip in _picture(otio.adapters.read_from_file(str(cut)))]
    assert all(url.startswith("file:") != relative for url in urls)
    if relative:
        assert all(url.startswith("../made/film.shotline/media/") for url in urls)


def test_the_sound_lanes_are_tracks_of_their_own(session: ProjectSession, tmp_path: Path) -> None:
    cut = tmp_path / "cut.otio"
    write_handoff(session.project, session.bundle, cut)
    timeline = otio.adapters.read_from_file(str(cut))
    assert [(track.name, track.kind) for track in timeline.tracks] == [
        ("Picture", otio.schema.TrackKind.Video),
        ("Clip sound", otio.schema.TrackKind.Audio),
        ("Music", otio.schema.TrackKind.Audio),
        ("Voice-over", otio.schema.TrackKind.Audio),
    ]
    clip_sound = [item for item in timeline.tracks[1] if isinstance(item, otio.schema.Clip)]
    assert [round(c.trimmed_range_in_parent().start_time.value) for c in clip_sound] == [e.start for e in CUT]
    [music] = timeline.tracks[2].find_clips()
    [voice] = timeline.tracks[3].find_clips()
    assert round(music.trimmed_range_in_parent().start_time.value) == 0 and round(music.duration().value) == 72
    assert round(voice.trimmed_range_in_parent().start_time.value) == 12 and round(voice.duration().value) == 24
    assert (music.name, voice.name) == ("music.wav", "voice.wav")


def test_stems_are_the_films_mix_split_by_lane(session: ProjectSession, tmp_path: Path) -> None:
    written = write_handoff(session.project, session.bundle, tmp_path / "cut.mlt")
    assert [stem.name for stem in written.stems] == ["cut.clip-sound.wav", "cut.music.wav", "cut.dialogue.wav"]
    stems = {stem.name.split(".")[1]: read_wav(stem) for stem in written.stems}
    samples = FILM_FRAMES * 48000 // 24
    assert all(len(found) == samples and rate == 48000 for found, rate in stems.values())
    music, _ = stems["music"]
    dialogue, _ = stems["dialogue"]
    assert tone_db(music, 48000, 440) > tone_db(music, 48000, 880) + 30
    assert tone_db(dialogue, 48000, 880) > tone_db(dialogue, 48000, 440) + 30
    plan = plan_export(session.project, ExportSettings.for_project(session.project), session.bundle.resolve)
    mix = segment_samples(render_mix(build_mix(session.project, plan, session.bundle.resolve)))
    summed = sum(found for found, _ in stems.values())
    unclipped = np.abs(summed) < 1  # the burst over both tones passes full scale, where the mix clips and stems do not
    assert unclipped.mean() > 0.99
    assert np.abs(summed - mix)[unclipped].max() <= 3 / 32768  # each of the three stems rounds to 16 bits once


def _seen(track: otio.schema.Track) -> list[tuple[int, int, int]]:
    """Each clip as it is seen: (first source frame, frames, first film frame), a dissolve's frames either side of
    its cut counted in both clips, as they play in it. Formats that place a dissolve differently (an EDL starts it
    at the cut) give the same."""
    items = list(track)
    seen = []
    for number, item in enumerate(items):
        if isinstance(item, otio.schema.Clip):
            before = items[number - 1] if number and isinstance(items[number - 1], otio.schema.Transition) else None
            after = items[number + 1] if number + 1 < len(items) else None
            head = round(before.in_offset.value) if before else 0
            tail = round(after.out_offset.value) if isinstance(after, otio.schema.Transition) else 0
            first = round(item.source_range.start_time.value) - head
            frames = round(item.source_range.duration.value) + head + tail
            seen.append((first, frames, round(item.trimmed_range_in_parent().start_time.value) - head))
    return seen


@pytest.mark.parametrize("ending", [".otio", ".xml", ".edl", ".fcpxml"])
def test_a_crossfade_is_a_dissolve_over_the_frames_the_export_blends(
    session: ProjectSession, tmp_path: Path, ending: str
) -> None:
    first = session.project.shots[0].id
    session.execute(commands.set_transition(first, Transition(TransitionKind.CROSSFADE, 250_000)))  # 6 frames
    cut = tmp_path / f"cut{ending}"
    write_handoff(session.project, session.bundle, cut)
    [picture] = read_cut(cut).video_tracks()  # the adapter's reading, and what Shotline reads back that it leaves out
    assert _seen(picture) == [(6, 30, 0), (0, 24, 24), (0, 72, 48)]  # shot 2 starts 6 frames before shot 1 ends
    [dissolve] = [item for item in picture if isinstance(item, otio.schema.Transition)]
    assert dissolve.transition_type == otio.schema.TransitionTypes.SMPTE_Dissolve
    assert round(dissolve.in_offset.value) + round(dissolve.out_offset.value) == 6


def test_an_unknown_ending_names_the_ones_there_are(session: ProjectSession, tmp_path: Path) -> None:
    with pytest.raises(EditError, match=r"cut\.mov: a hand-off is written as one of \.otio, \.fcpxml"):
        write_handoff(session.project, session.bundle, tmp_path / "cut.mov")
