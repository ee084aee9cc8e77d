"""The viewer shows the frame the timeline names on the take's clock (issue 12), read off the picture itself.

A take's clock starts at its first picture frame (`media.clock`), but QMediaPlayer counts from its container's
start: the earliest of its streams, often the sound's. For a clip whose picture starts 0.5 s after its sound the
viewer showed the frame 0.5 s early. Each clip here carries its frame numbers in its picture
(`tests.media.numbered`); the number is read from the frame the player's video sink receives.

Times are picked a quarter of a frame from its edges, also where the player's old clock put them (0.5 s, 12.5 frames
off); a paused seek stops on the nearest frame, whose picture tests/ui/test_viewer_frames checks (issue 14).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame
from pytestqt.qtbot import QtBot

from shotline.core.model import Size
from shotline.core.timeline import layout
from shotline.services.context import AppContext
from shotline.services.editing import trim
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from tests.media.numbered import MPEG2, Sound, frame_number, numbered_clip, shift_picture
from tests.ui.plays_media import PLAYS_MEDIA

pytestmark = PLAYS_MEDIA

FPS = 25
LATE_PICTURE_S = 0.5
IN_S = 1.0
"""The shot is trimmed to start 1 s into its take, so the trim is counted on the take's clock too."""
_READY = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)


def _late_picture(folder: Path, suffix: str) -> Path:
    source = numbered_clip(folder / "numbered.mp4", frames=100, sound=Sound(seconds=4.5, burst_at=1.0))
    return shift_picture(source, folder / f"late picture{suffix}", LATE_PICTURE_S)


def _tape(folder: Path) -> Path:
    """An MPEG-PS as in tests/media/test_cuts: no index, a stream start of 1 s, open GOPs of 12 with B-frames."""
    sound = Sound(seconds=4.0, burst_at=1.0, codec="mp2")
    output = ("-f", "vob", "-output_ts_offset", "1.0")
    return numbered_clip(folder / "tape.mpg", frames=100, codec=MPEG2, sound=sound, output=output)


def _film(folder: Path, clip: Path) -> Path:
    """A project whose one shot plays `clip` from `IN_S` on."""
    path = folder / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90), fps=Fraction(FPS)) as session:
        [imported] = import_files(session, [clip])
        take = session.project.shot(imported.shot_id).picked_take
        assert take is not None and take.info.duration_us == 4_000_000, "the clip is as long as its picture"
        trim(session, imported.shot_id, round(IN_S * 1_000_000), 3_500_000)
        session.save()
    return path


def _player(qtbot: QtBot, app_context: AppContext, film: Path) -> Iterator[PlayerPanel]:
    document = ProjectDocument(app_context, ProjectSession.open(film), Bridge())
    panel = PlayerPanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(panel)
    panel.show()
    yield panel
    panel.stop()
    document.close()


@pytest.fixture(params=[".mp4", ".mkv"])
def player(
    request: pytest.FixtureRequest, qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> Iterator[PlayerPanel]:
    # MP4 writes the picture's late start as an empty edit in its edit list, Matroska in the picture's timestamps
    yield from _player(qtbot, app_context, _film(tmp_path, _late_picture(tmp_path, request.param)))


@pytest.fixture
def tape_player(qtbot: QtBot, app_context: AppContext, tmp_path: Path) -> Iterator[PlayerPanel]:
    yield from _player(qtbot, app_context, _film(tmp_path, _tape(tmp_path)))


class Shown(QObject):
    """The last frame the player's video sink received. A QObject owned by the panel: the sink sends frames from Qt's
    media thread, which reach a QObject's method on its own (GUI) thread and end with the panel, where a plain
    Python method ran on the media thread, beside the collector, and crashed a worker once."""

    def __init__(self, panel: PlayerPanel) -> None:
        super().__init__(panel)
        self.frame: QVideoFrame | None = None
        self.count = 0
        sink = panel.video_sink()
        sink.videoFrameChanged.connect(self._received)

    def _received(self, frame: QVideoFrame) -> None:
        self.frame = QVideoFrame(frame)
        self.count += 1

    def covers(self, position_ms: int) -> bool:
        """The frame on screen is the one the media says is due at its position."""
        frame = self.frame
        return (
            frame is not None and frame.isValid() and frame.startTime() <= position_ms * 1000 < max(frame.endTime(), 0)
        )

    def settled(self, media: QMediaPlayer, player: PlayerPanel, count_before: int) -> bool:
        """The media is where the player asked it to be and shows a frame received since: the one due there, or,
        when it found none due there, the first it has after it."""
        frame, position_ms = self.frame, media.position()
        if (
            position_ms != player._viewer.requested_ms
            or self.count <= count_before
            or frame is None
            or not frame.isValid()
        ):
            return False
        return self.covers(position_ms) or frame.startTime() > position_ms * 1000

    def number(self) -> int:
        assert self.frame is not None
        image = self.frame.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        return frame_number(rows[:, : image.width()])


def _loaded(qtbot: QtBot, player: PlayerPanel) -> Shown:
    """Watch the player's picture from when its shot's first frame is shown (on a frame's edge: not read here)."""
    shown = Shown(player)
    media = player.media_player
    qtbot.waitUntil(
        lambda: media.mediaStatus() in _READY and media.position() == player._viewer.requested_ms, timeout=10_000
    )
    return shown


def _paused_at(qtbot: QtBot, player: PlayerPanel, times: tuple[float, ...]) -> tuple[list[int], list[int]]:
    """The frame numbers the player shows paused at each film time, and those the take's clock names there."""
    shown = _loaded(qtbot, player)
    media = player.media_player
    [shot] = layout(player._document.project)
    seen, wanted = [], []
    for film_s in times:
        before = shown.count
        player._playhead.seek(shot.start_us + round(film_s * 1_000_000))
        qtbot.waitUntil(partial(shown.settled, media, player, before), timeout=10_000)
        seen.append(shown.number())
        # the paused playhead stands on the frame nearest the time asked for: the frame it names is the one wanted
        wanted.append(math.floor((IN_S + (player.position_us - shot.start_us) / 1_000_000) * FPS + 1e-6))
    return seen, wanted


def test_a_paused_seek_shows_the_frame_of_the_take_time(qtbot: QtBot, player: PlayerPanel) -> None:
    seen, wanted = _paused_at(qtbot, player, (0.03, 0.49, 1.25, 0.11, 2.29))  # back and forth: every seek a real one
    assert seen == wanted


def test_playing_moves_the_playhead_with_the_frame_on_screen(qtbot: QtBot, player: PlayerPanel) -> None:
    # while a take plays, the media's position is the clock: read back on the take's clock, not the container's
    shown = _loaded(qtbot, player)
    player.play_forward()
    qtbot.waitUntil(lambda: player.position_us > 1_000_000, timeout=20_000)
    player.pause()
    paused = QMediaPlayer.PlaybackState.PausedState
    qtbot.waitUntil(lambda: player.media_player.playbackState() == paused, timeout=10_000)
    # a playing player shows a frame up to one ahead of the position it reports; 0.5 s apart would be 12.5 frames
    take_time = IN_S + player.position_us / 1_000_000
    assert shown.number() == pytest.approx(take_time * FPS, abs=2), "the playhead and the picture are apart"


def test_a_paused_seek_in_an_mpeg_ps_shows_the_frame_of_the_take_time(qtbot: QtBot, tape_player: PlayerPanel) -> None:
    # QMediaPlayer seeks an MPEG-PS (no index) to a packet after the keyframe a frame needs and shows the next group
    # of pictures (frames 26, 51, 84 for 25, 50, 75): the import stores it remuxed into Matroska, which has an index
    seen, wanted = _paused_at(qtbot, tape_player, (0.03, 1.01, 2.01, 0.51))
    assert seen == wanted
