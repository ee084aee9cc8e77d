"""Bringing media in without a file manager: File → Import clips… (each clip a new shot, after the selected one),
Import music… and Import voice-over… (onto that lane at the playhead), and a sound clip's Replace media…. They take
the same paths a drop onto the timeline takes, so a menu import and a drop behave alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

from shotline.core import commands
from shotline.core.frames import last_frame_before
from shotline.core.model import MUSIC_LANE, VOICE_LANE, AudioClip
from shotline.core.timeline import film_length_us
from shotline.services.sound import prepare_sound
from shotline.ui.document import describe
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
        """Sound files onto `lane_id`, one after another from `at_us` (the playhead if None, or the film's start when
        the playhead is on its last frame or past it, where the sound would play after the film)."""
        timeline = self._window.panels.get("timeline")
        if self._window.document is None or not isinstance(timeline, TimelinePanel):
            return
        files = self.ask_files(title, SOUND_FILTER)
        if files:
            start = self._window.playhead.position_us if at_us is None else at_us
            project = self._window.document.project
            if at_us is None and start >= last_frame_before(film_length_us(project), project.settings.fps):
                start = 0  # the playhead parked on the film's last frame (played through): the film's start
            timeline.canvas.sounds.drop_files(files, lane_id, start)

    def replace_sound(self, clip_id: str) -> None:
        """Another file in a sound clip's place: same lane, start, gain, fades and mute, one undoable step."""
        document = self._window.document
        if document is None:
            return
        old = document.project.audio_clip(clip_id)
        files = self.ask_files("Replace sound", SOUND_FILTER)
        if not files:
            return
        bundle = document.session.bundle

        async def prepare() -> AudioClip:
            return await asyncio.to_thread(prepare_sound, bundle, files[0], old.lane, old.start_us)

        def put(new: AudioClip) -> None:
            if not any(clip.id == clip_id for clip in document.project.audio):
                return  # deleted (or undone away) while the file was read
            kept = replace(
                new,
                gain_db=old.gain_db,
                muted=old.muted,
                solo=old.solo,
                fade_in_us=min(old.fade_in_us, new.duration_us // 2),
                fade_out_us=min(old.fade_out_us, new.duration_us // 2),
            )
            with document.transaction("Replace sound"):
                document.session.execute(commands.remove_audio_clip(clip_id))
                document.session.execute(commands.add_audio_clip(kept))
            if any(clip.id == kept.id for clip in document.project.audio):
                self._window.selection.select_audio_clip(kept.id)

        document.bridge.watch(document.ctx.runner.submit(prepare()), put, lambda e: document.failed.emit(describe(e)))
