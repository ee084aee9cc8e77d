"""A music clip looped to the film's end is handed off as its repeats: each a clip inside its sound file, together
covering the film, as an editor needs (one clip longer than its file would be refused or cut)."""

from __future__ import annotations

import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from shotline.core import commands
from shotline.core.model import MUSIC_LANE
from shotline.core.timeline import film_length_us
from shotline.services.handoff import write_handoff
from shotline.services.session import ProjectSession
from tests.services.handoff_film import make_film

pytestmark = pytest.mark.ffmpeg


def test_a_looped_bed_is_handed_off_as_its_repeats(tmp_path: Path) -> None:
    (tmp_path / "made").mkdir()
    film = make_film(tmp_path / "made")
    copy = tmp_path / "copy" / film.name
    shutil.copytree(film, copy)
    with ProjectSession.open(copy) as session:
        [bed] = [c for c in session.project.audio if c.lane == MUSIC_LANE]  # 3 s of a 5.25 s film
        session.execute(commands.fit_audio_clip(bed.id))
        end = film_length_us(session.project)
        cut = tmp_path / "Harbour cut.otio"
        write_handoff(session.project, session.bundle, cut)

    timeline = otio.adapters.read_from_file(str(cut))
    music = [t for t in timeline.tracks if t.metadata.get("shotline", {}).get("lane") == MUSIC_LANE]
    clips = sorted(
        (c for t in music for c in t if isinstance(c, otio.schema.Clip)),
        key=lambda c: c.trimmed_range_in_parent().start_time.value,
    )
    assert len(clips) == 2 and len(music) == 2, "two repeats, overlapping at the crossfade, on two tracks"
    for clip in clips:
        available = clip.media_reference.available_range
        assert clip.source_range.end_time_exclusive() <= available.end_time_exclusive(), "inside its sound file"
    last = clips[-1].trimmed_range_in_parent()
    assert last.end_time_exclusive().value == round(end * 24 / 1_000_000), "together they reach the film's end"
