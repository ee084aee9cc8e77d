"""The ducking drawn on the music clip (issue 14, point 17): where the music lane ducks under the voice-over, its
clip carries a gain line that dips as the mix does, and its waveform shrinks there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from shotline.core import commands
from shotline.media.mix import DUCK_ATTACK_US, timeline_ducking
from shotline.services import sound
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.sound_rows import DUCK_LINE
from tests.clips import make_clip
from tests.ui.test_timeline_audio import colour_mask, pixels, sound_box, wait_for_waveforms

pytestmark = pytest.mark.ffmpeg

VOICE_START_US = 1_500_000


@pytest.fixture
def document(app_context: AppContext, project_path: Path, tmp_path: Path) -> Iterator[ProjectDocument]:
    """Three animatic shots, a 4 s music bed from 0.2 s and a 1 s voice-over from 1.5 s."""
    path = project_path
    music = make_clip(tmp_path / "bed.wav", seconds=4, video=False, audio=(44_100, 2))
    voice = make_clip(tmp_path / "line.wav", seconds=1, video=False, audio=(48_000, 1))
    with ProjectSession.open(path) as session:
        sound.add_sound(session, music, "music", 200_000)
        sound.add_sound(session, voice, "voice", VOICE_START_US)
        session.save()
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    yield doc
    doc.close()


def test_the_music_clip_shows_its_ducking_under_the_voice_over(
    qtbot: QtBot, app_context: AppContext, document: ProjectDocument
) -> None:
    panel = TimelinePanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(panel)
    panel.resize(1000, 320)
    panel.show()
    qtbot.waitExposed(panel)
    wait_for_waveforms(qtbot, panel, document)

    music_lane = document.project.lane("music")
    voice = next(clip for clip in document.project.audio if clip.lane == "voice")
    duck = timeline_ducking(document.project, music_lane)
    assert duck is not None and duck.spans == ((voice.start_us - DUCK_ATTACK_US, voice.end_us),)

    geo = panel.canvas.geometry_
    music = sound_box(panel, "music")
    inside = round(geo.x_of((voice.start_us + voice.end_us) // 2))  # under the voice: fully down
    outside = round(geo.x_of(400_000))  # before it: full gain
    picture = pixels(panel)
    line = colour_mask(picture, DUCK_LINE, tolerance=30)
    rows = range(music.row.top, music.row.bottom)
    dipped = [y for y in rows if line[y, inside]]
    level = [y for y in rows if line[y, outside]]
    assert dipped and level, "no gain line on the music clip"
    assert min(dipped) > max(level) + 5  # lower where the music is ducked
    spoken = sound_box(panel, "voice")
    assert not line[spoken.row.top : spoken.row.bottom, round(spoken.x0) : round(spoken.x1)].any()  # it ducks nothing

    # No ducking, no line: a lane set not to duck draws its clips plain.
    document.execute(commands.set_lane("music", duck_db=0.0))
    panel.canvas.repaint()
    assert not colour_mask(pixels(panel), DUCK_LINE, tolerance=30)[music.row.top : music.row.bottom].any()
    assert np.count_nonzero(line) > 0
