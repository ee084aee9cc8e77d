"""The player's audio level meters move with the sound while it plays (issue 14, point 17): a clip whose first
second and a half is a loud tone (-6 dBFS) and whose rest is silence reads loud there and silent after, and the
meters drop to silence when the creator pauses. Real widgets and Qt's own decoding of the clip's sound."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from shotline.core.model import Size
from shotline.media.levels import FLOOR_DB
from shotline.services.context import AppContext
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.level_meter import LevelMeter
from shotline.ui.player import PlayerPanel
from tests.clips import run
from tests.ui.viewer_probe import shown_player

pytestmark = pytest.mark.ffmpeg

TONE_S = 1.5


def tone_then_silence(folder: Path) -> Path:
    clip = folder / "tone.mp4"
    sound = f"aevalsrc='if(lt(t,{TONE_S}),0.5*sin(2*PI*440*t),0)|if(lt(t,{TONE_S}),0.5*sin(2*PI*440*t),0)':s=48000:d=4"
    picture = "color=gray:size=160x90:rate=24:duration=4"
    inputs = ["-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", sound]
    run([*inputs, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-shortest", str(clip)])
    path = folder / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90), fps=Fraction(24)) as session:
        import_files(session, [clip])
        session.save()
    return path


@pytest.fixture
def player(qtbot: QtBot, app_context: AppContext, tmp_path: Path) -> Iterator[PlayerPanel]:
    document = ProjectDocument(app_context, ProjectSession.open(tone_then_silence(tmp_path)), Bridge())
    with shown_player(qtbot, document) as panel:
        yield panel
    document.close()


def test_the_meters_read_the_sound_while_it_plays_and_fall_silent_on_pause(qtbot: QtBot, player: PlayerPanel) -> None:
    meter = player.findChild(LevelMeter)
    assert meter is not None and meter.isVisible()
    assert meter.levels == (FLOOR_DB, FLOOR_DB)
    qtbot.keyClick(player, Qt.Key.Key_L)
    # the tone's peak is -6 dBFS on both channels (AAC moves it a little)
    qtbot.waitUntil(lambda: min(meter.levels) > -9 and player.position_us < TONE_S * 1_000_000, timeout=10_000)
    qtbot.keyClick(player, Qt.Key.Key_K)
    assert meter.levels == (FLOOR_DB, FLOOR_DB), "paused, nothing is heard"
    player.seek(2_200_000)  # into the silence
    qtbot.keyClick(player, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: player.position_us > 2_600_000, timeout=10_000)
    assert max(meter.levels) < -40, "playing silence, the meters stay down"
    qtbot.keyClick(player, Qt.Key.Key_K)
