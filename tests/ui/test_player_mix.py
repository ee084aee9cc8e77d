"""The player hears the timeline's mix: a preview rendered for it, played in step with the timeline clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtMultimedia import QMediaDevices, QMediaPlayer
from pytestqt.qtbot import QtBot

from shotline.core import commands
from shotline.core.model import Size
from shotline.services import importing, mix_preview, sound
from shotline.services.context import AppContext
from shotline.services.editing import add_shot
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from shotline.ui.player_mix import MixTrack
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.sound_follow import DRIFT_MS
from tests.media.sound import tone, tone_clip
from tests.ui.plays_media import PLAYS_MEDIA

pytestmark = PLAYS_MEDIA

PLAYING = QMediaPlayer.PlaybackState.PlayingState
SLACK_MS = 60
"""Two media clocks read a tick apart: how far beyond the drift limit a test lets them be."""


@pytest.fixture(scope="module")
def made_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three 2 s tone shots and 5 s of music from 0.5 s, made once for the module (tests get a copy)."""
    tmp_path = tmp_path_factory.mktemp("made")
    shots = [tone_clip(tmp_path / f"shot{hz}.mp4", hz=hz, seconds=2, amplitude=0.2) for hz in (440, 660, 880)]
    music = tone(tmp_path / "music.wav", hz=300, seconds=5, amplitude=0.3)
    path = tmp_path / "film.shotline"
    with ProjectSession.create(path, title="t", size=Size(320, 180)) as session:
        importing.import_files(session, shots)
        sound.add_sound(session, music, "music", 500_000)
        session.save()
    return path


@pytest.fixture
def film_path(made_film: Path, tmp_path: Path) -> Path:
    path = tmp_path / made_film.name
    shutil.copytree(made_film, path, symlinks=True)
    return path


@pytest.fixture
def document(app_context: AppContext, film_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(film_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def playhead() -> Playhead:
    return Playhead()


@pytest.fixture
def player(qtbot: QtBot, document: ProjectDocument, playhead: Playhead) -> Iterator[PlayerPanel]:
    panel = PlayerPanel(document, ShotSelection(), playhead, mix_without_sound_device=True)
    qtbot.addWidget(panel)
    panel.show()
    yield panel
    panel.stop()


def loaded_mix(qtbot: QtBot, player: PlayerPanel) -> MixTrack:
    mix = player.mix
    assert mix is not None
    qtbot.waitUntil(lambda: mix.source is not None, timeout=15_000)
    ready = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
    qtbot.waitUntil(lambda: mix.media_player.mediaStatus() in ready, timeout=5_000)
    return mix


def in_step(mix: MixTrack, player: PlayerPanel, limit_ms: int = DRIFT_MS + SLACK_MS) -> bool:
    return abs(mix.media_player.position() - player.position_us // 1000) <= limit_ms


def test_the_player_plays_the_exports_mix_and_it_follows_seeks(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument, playhead: Playhead
) -> None:
    mix = loaded_mix(qtbot, player)
    # the very mix the export would play, rendered once and shared with any other caller
    assert mix.source == mix_preview.preview_mix(document.project, document.session.bundle)
    assert mix.source.parent == document.session.bundle.cache_dir / mix_preview.PREVIEW_FOLDER
    assert mix.carrying and mix.unavailable is None

    player.seek(2_500_000)
    qtbot.waitUntil(lambda: mix.media_player.position() == 2_500, timeout=3_000)
    playhead.seek(1_200_000)  # the timeline moved the playhead (paused, it stands on the nearest frame, 1.2083 s)
    assert player.position_us == 1_208_333
    qtbot.waitUntil(lambda: mix.media_player.position() == 1_208, timeout=3_000)
    assert mix.media_player.playbackState() != PLAYING


def test_it_plays_with_the_picture_at_normal_speed_and_is_silent_otherwise(qtbot: QtBot, player: PlayerPanel) -> None:
    mix = loaded_mix(qtbot, player)
    player.seek(500_000)
    player.play_forward()
    qtbot.waitUntil(lambda: mix.media_player.playbackState() == PLAYING, timeout=3_000)
    qtbot.waitUntil(lambda: player.position_us > 1_200_000, timeout=5_000)
    # in step with the clock, or brought back into step: at one instant a starved sound thread may lag a busy machine
    qtbot.waitUntil(lambda: in_step(mix, player), timeout=3_000)

    player.play_forward()  # L again: twice as fast
    qtbot.waitUntil(lambda: mix.media_player.playbackState() != PLAYING, timeout=2_000)
    player.play_reverse()  # J
    qtbot.wait(200)
    assert mix.media_player.playbackState() != PLAYING
    player.pause()  # K: the mix waits where the clock stopped
    qtbot.waitUntil(lambda: in_step(mix, player, limit_ms=1), timeout=3_000)

    player.play_forward()
    qtbot.waitUntil(lambda: mix.media_player.playbackState() == PLAYING, timeout=3_000)
    player.pause()


def test_a_mix_that_drifts_from_the_clock_is_pulled_back(qtbot: QtBot, player: PlayerPanel) -> None:
    mix = loaded_mix(qtbot, player)
    player.seek(300_000)
    player.play_forward()
    qtbot.waitUntil(lambda: mix.media_player.playbackState() == PLAYING, timeout=3_000)
    qtbot.wait(400)
    mix.media_player.setPosition(mix.media_player.position() + 1_500)  # as if the sound device ran ahead
    qtbot.waitUntil(lambda: abs(mix.media_player.position() - player.position_us // 1000) > 1_000, timeout=2_000)
    qtbot.waitUntil(lambda: in_step(mix, player), timeout=3_000)
    player.pause()


def test_an_edit_renders_a_new_mix_without_stopping_and_no_mix_is_needed_without_music(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument
) -> None:
    mix = loaded_mix(qtbot, player)
    first = mix.source
    player.seek(300_000)
    player.play_forward()
    qtbot.waitUntil(lambda: mix.media_player.playbackState() == PLAYING, timeout=3_000)

    clip = document.project.audio[0]
    for gain in (-2.0, -4.0, -6.0):  # a slider drag: one new preview at the end, not one per step
        document.execute(commands.set_audio_clip(clip.id, gain_db=gain))
    qtbot.waitUntil(lambda: mix.source not in (None, first), timeout=15_000)
    assert mix.source == mix_preview.preview_mix(document.project, document.session.bundle)
    qtbot.waitUntil(lambda: mix.media_player.playbackState() == PLAYING and in_step(mix, player), timeout=5_000)

    document.execute(commands.remove_audio_clip(clip.id))  # the takes' own sound is the whole mix again
    qtbot.waitUntil(lambda: mix.source is None, timeout=3_000)
    assert not mix.carrying
    player.pause()


def test_a_shot_without_a_take_means_no_mix_with_the_reason(
    qtbot: QtBot, player: PlayerPanel, document: ProjectDocument
) -> None:
    mix = loaded_mix(qtbot, player)
    add_shot(document.session, "a shot still to generate")
    qtbot.waitUntil(lambda: mix.source is None, timeout=5_000)
    assert mix.unavailable is not None and "has no take yet" in mix.unavailable
    document.undo()
    qtbot.waitUntil(lambda: mix.source is not None, timeout=5_000)
    assert mix.unavailable is None


def test_without_a_sound_device_there_is_no_mix_track(qtbot: QtBot, document: ProjectDocument) -> None:
    panel = PlayerPanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(panel)
    assert (panel.mix is None) == (not QMediaDevices.audioOutputs())
    panel.stop()
