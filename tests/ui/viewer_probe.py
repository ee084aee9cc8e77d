"""Reading what the viewer shows: a film of numbered clips (`tests.media.numbered`) and the number burned into the
frame the viewer's video sink last received, read once the viewer has settled after a creator's action."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PySide6.QtCore import QElapsedTimer, QObject
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from shotline.core.model import Size
from shotline.core.timecode import US_PER_SECOND
from shotline.core.timeline import layout
from shotline.services.editing import trim
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from tests.media.numbered import frame_number, numbered_clip, scene

FPS = 24
SHOT_IN_FRAMES = (0, 12)
"""The second shot starts half a second into its take, so its frames are counted on the take's clock."""
QUIET_MS = 400
"""The viewer has settled when no frame has arrived for this long after the one an action asked for."""


@contextmanager
def shown_player(qtbot: QtBot, document: ProjectDocument) -> Iterator[PlayerPanel]:
    """A player on `document`, shown, active and focused (its keys answer), stopped afterwards."""
    panel = PlayerPanel(document, ShotSelection(), Playhead())
    qtbot.addWidget(panel)
    panel.resize(480, 360)
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    panel.setFocus()
    try:
        yield panel
    finally:
        panel.stop()


def numbered_film(folder: Path) -> Path:
    """Two shots of numbered clips at 24 fps: 'A' (frames 0-71, all dark below) and 'B' (frame 0 dark, then
    light; 96 frames), the second trimmed to start at its frame 12."""
    first = numbered_clip(folder / "first.mp4", frames=72, fps=str(FPS), size=(160, 90))
    second = numbered_clip(folder / "second.mp4", frames=96, fps=str(FPS), size=(160, 90), cut_frame=1)
    path = folder / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90), fps=Fraction(FPS)) as session:
        imported = import_files(session, [first, second])
        in_us = round(Fraction(SHOT_IN_FRAMES[1], FPS) * US_PER_SECOND)
        take = session.project.shot(imported[1].shot_id).picked_take
        assert take is not None
        trim(session, imported[1].shot_id, in_us, take.info.duration_us)
        session.save()
    return path


@dataclass(frozen=True, slots=True)
class Picture:
    number: int
    scene: str

    def __repr__(self) -> str:
        return f"{self.scene}{self.number}"


def named_frame(player: PlayerPanel) -> Picture:
    """The take frame the player's position names: the shot under it and the frame of its take, by the film's grid."""
    at_us = player.position_us
    placements = layout(player._document.project)
    index = next(
        (i for i, p in enumerate(placements) if p.start_us <= at_us < p.cut_us),
        len(placements) - 1,
    )
    placement = placements[index]
    assert placement.take is not None
    source_us = placement.take.trim.in_us + at_us - placement.start_us
    number = int(Fraction(source_us) * FPS / US_PER_SECOND + Fraction(1, 1000))  # floor, past rounding to the µs
    return Picture(number, "A" if index == 0 or number == 0 else "B")


class Screen(QObject):
    """The frames the viewer's video sink receives, the last one read as a numbered picture. A QObject owned by the
    player, so its connection ends with the player's sink rather than outliving either."""

    def __init__(self, player: PlayerPanel) -> None:
        super().__init__(player)
        self.frame: QVideoFrame | None = None
        self.count = 0
        self._since = QElapsedTimer()
        self._since.start()
        sink = player.video_sink()
        sink.videoFrameChanged.connect(self._received)
        self._received(sink.videoFrame())  # the frame on screen already, if one came before this watched

    def _received(self, frame: QVideoFrame) -> None:
        if frame.isValid():
            self.frame = QVideoFrame(frame)
            self.count += 1
            self._since.restart()

    def picture(self) -> Picture:
        assert self.frame is not None
        image = self.frame.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        gray = rows[:, : image.width()]
        return Picture(frame_number(gray), scene(gray))

    def after(self, qtbot: QtBot, action: Callable[[], object], named: Callable[[], Picture]) -> Picture:
        """Do `action`, wait for the viewer to settle, and read its picture. When the frame `named` after the action
        is not the one on screen, at least one new frame must arrive before the viewer counts as settled."""
        before = self.count
        shown = self.picture() if self.frame is not None else None
        action()
        if named() != shown:
            try:
                qtbot.waitUntil(lambda: self.count > before, timeout=5_000)
            except TimeoutError:
                pass  # no new frame: the old one stays, and is read as what the viewer shows
        qtbot.waitUntil(lambda: self.frame is not None and self._since.elapsed() >= QUIET_MS, timeout=10_000)
        return self.picture()
