"""Bringing media in without a file manager: File → Import clips… (each clip a new shot, after the selected one),
Import music… and Import voice-over… (onto that lane at the playhead). The same paths a drop onto the timeline
takes, so a menu import and a drop behave alike."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

from shotline.core.model import MUSIC_LANE, VOICE_LANE
from shotline.ui.timeline import TimelinePanel

if TYPE_CHECKING:
    from shotline.ui.main_window import MainWindow

VIDEO_FILTER = "Video clips (*.mp4 *.mov *.m4v *.mkv *.webm *.avi *.mpg *.mpeg *.ts *.mts);;All files (*)"
SOUND_FILTER = "Sound (*.wav *.mp3 *.m4a *.aac *.flac *.ogg *.oga *.opus *.aif *.aiff);;All files (*)"


def ask_files(parent: QWidget, title: str, filter_: str, start: Path | None = None) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, title, str(start or ""), filter_)
    return [Path(name) for name in names]


class MediaImport:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.ask_files: Callable[[str, str], list[Path]] = lambda title, filter_: ask_files(
            window, title, filter_, window.document.path.parent if window.document is not None else None
        )
        """The file question; replaceable so tests can answer it."""

    def import_clips(self, shot_id: str | None = None) -> None:
        """New shots after the selected one (at the end if none), or new takes of `shot_id`."""
        document = self._window.document
        if document is None:
            return
        files = self.ask_files("Import clips", VIDEO_FILTER)
        if not files:
            return
        if shot_id is not None:
            document.import_files(files, shot_id)
            return
        ids = [shot.id for shot in document.project.shots]
        current = self._window.selection.current
        index = ids.index(current) + 1 if current in ids else None
        document.import_files(files, index=index)

    def import_music(self) -> None:
        self.import_sound(MUSIC_LANE, "Import music")

    def import_voice(self) -> None:
        self.import_sound(VOICE_LANE, "Import voice-over")

    def import_sound(self, lane_id: str, title: str = "Import sound", at_us: int | None = None) -> None:
        """Sound files onto `lane_id`, one after another from `at_us` (the playhead if None)."""
        timeline = self._window.panels.get("timeline")
        if self._window.document is None or not isinstance(timeline, TimelinePanel):
            return
        files = self.ask_files(title, SOUND_FILTER)
        if files:
            start = self._window.playhead.position_us if at_us is None else at_us
            timeline.canvas.sounds.drop_files(files, lane_id, start)
