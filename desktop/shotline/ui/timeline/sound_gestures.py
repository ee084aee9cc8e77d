"""What the mouse does to music and voice-over clips: click selects, dragging the body moves the clip in time and
between lanes, dragging an edge trims it, Delete removes it, and sound files dropped on a lane are added there.

A looped clip (a bed that repeats its sound, `AudioClip.loop_us`) keeps the sound that repeats when its right edge
is dragged: the edge sets how long it plays (`set_audio_clip_length`), more or fewer repeats; dragged back to one
repeat or less it becomes a plain clip trimmed to that length, and looped again if the same drag goes back out.
Its left edge trims the in point of the repeating sound, its end staying put, as a plain clip's does.

A drag is many `move_audio_clip` / `trim_audio_clip` / `set_audio_clip_length` commands with one merge key, sealed
on release, so it is one undo step. Moves and trims snap to shot boundaries, the playhead and other sound clips'
edges within a few pixels, else to the film's nearest frame (Shift drags freely). Dropped files are probed and
copied off the GUI thread, then added as one undo step.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtWidgets import QApplication

from shotline.core import commands
from shotline.core.audio_edits import MIN_AUDIO_US
from shotline.core.errors import ShotlineError
from shotline.core.model import AudioClip, Project, Trim
from shotline.core.timecode import snap_to_frame
from shotline.core.timeline import layout
from shotline.services.sound import prepare_sound
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline.geometry import TimelineGeometry

SNAP_PIXELS = 6
SOUND_SUFFIXES = frozenset({".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".aif", ".aiff"})


def is_sound_file(path: Path) -> bool:
    return path.suffix.lower() in SOUND_SUFFIXES


@dataclass(slots=True)
class SoundMove:
    clip_id: str
    start_us: int
    press_x: float
    active: bool = False


@dataclass(slots=True)
class SoundTrim:
    clip_id: str
    side: str
    start_us: int
    in_us: int
    out_us: int
    length_us: int
    press_x: float
    loop_us: int = 0
    """The clip's length when the press found it looped: its right edge then sets how long it plays."""


SoundDrag = SoundMove | SoundTrim


def snap_targets(project: Project, playhead_us: int, moving: str) -> list[int]:
    """Times a dragged sound edge is drawn to: shot starts, ends and cuts, the playhead, other sound clips' edges."""
    targets = {0, playhead_us}
    for placement in layout(project):
        targets.update((placement.start_us, placement.end_us, placement.cut_us))
    for clip in project.audio:
        if clip.id != moving:
            targets.update((clip.start_us, clip.end_us))
    return sorted(targets)


def snap_shift(edges: list[int], targets: list[int], tolerance_us: int) -> int:
    """The smallest shift (µs) that puts one of `edges` on a target within `tolerance_us`; 0 if none is near."""
    best: int | None = None
    for edge in edges:
        for target in targets:
            shift = target - edge
            if abs(shift) <= tolerance_us and (best is None or abs(shift) < abs(best)):
                best = shift
    return best or 0


class SoundGestures:
    def __init__(self, document: ProjectDocument, selection: ShotSelection, playhead: Playhead) -> None:
        self._document = document
        self._selection = selection
        self._playhead = playhead

    # ------------------------------------------------------------------------------------------ dragging

    def press(self, geo: TimelineGeometry, x: float, y: float) -> SoundDrag | None:
        """A press in the lanes: select the clip under it and start a trim (at an edge) or a move; else deselect."""
        edge = geo.sound_edge_at(x, y)
        if edge is not None:
            box, side = edge
            clip = box.clip
            self._selection.select_audio_clip(clip.id)
            length = clip.info.duration_us
            trim = clip.trim
            return SoundTrim(clip.id, side, clip.start_us, trim.in_us, trim.out_us, length, x, clip.loop_us)
        box_at = geo.sound_at(x, y)
        if box_at is None:
            self._selection.select_audio_clip(None)
            return None
        self._selection.select_audio_clip(box_at.clip_id)
        return SoundMove(box_at.clip_id, box_at.clip.start_us, x)

    def drag_to(self, drag: SoundDrag, geo: TimelineGeometry, x: float, y: float, *, snap: bool) -> None:
        if isinstance(drag, SoundTrim):
            self._trim_to(drag, geo, x, snap)
            return
        if not drag.active and abs(x - drag.press_x) < QApplication.startDragDistance():
            return  # a click, not a drag: nothing moves
        drag.active = True
        self._move_to(drag, geo, x, y, snap)

    def finish(self, drag: SoundDrag, geo: TimelineGeometry, x: float, y: float, *, snap: bool) -> None:
        self.drag_to(drag, geo, x, y, snap=snap)
        self._document.seal()  # the whole drag was one undo step; the next gesture starts another

    def _clip(self, clip_id: str) -> AudioClip | None:
        return next((c for c in self._document.project.audio if c.id == clip_id), None)

    def _tolerance(self, geo: TimelineGeometry, snap: bool) -> int:
        return geo.us_for_pixels(SNAP_PIXELS) if snap else 0

    def _on_frame(self, at_us: int, snap: bool) -> int:
        """A dragged edge that met no snap target lands on a frame of the film, as every shot edge does, so the
        sound starts and ends where the viewer and the export can show it (Shift drags freely)."""
        return snap_to_frame(at_us, self._document.project.settings.fps) if snap else at_us

    def _move_to(self, drag: SoundMove, geo: TimelineGeometry, x: float, y: float, snap: bool) -> None:
        clip = self._clip(drag.clip_id)
        if clip is None:
            return
        start = max(0, drag.start_us + geo.us_for_pixels(x - drag.press_x))
        targets = snap_targets(self._document.project, self._playhead.position_us, clip.id)
        shift = snap_shift([start, start + clip.duration_us], targets, self._tolerance(geo, snap))
        start = max(0, start + shift if shift else self._on_frame(start, snap))
        row = geo.row_at(y)
        lane = row.lane.id if row is not None and row.holds_clips else clip.lane  # never onto the clip-sound lane
        if (start, lane) != (clip.start_us, clip.lane):
            self._document.execute(commands.move_audio_clip(clip.id, start, lane if lane != clip.lane else None))

    def _trim_to(self, drag: SoundTrim, geo: TimelineGeometry, x: float, snap: bool) -> None:
        """Trim by the distance dragged: the right edge moves the out point (a looped clip's sets its length), the
        left edge the in point (the end stays put); each stops at the sound's own ends, the film's start, and 10 ms
        of sound."""
        clip = self._clip(drag.clip_id)
        if clip is None:
            return
        delta = geo.us_for_pixels(x - drag.press_x)
        tolerance = self._tolerance(geo, snap)
        targets = snap_targets(self._document.project, self._playhead.position_us, clip.id)
        if drag.side == "out" and drag.loop_us:
            edge = drag.start_us + drag.loop_us + delta
            edge += snap_shift([edge], targets, tolerance) or self._on_frame(edge, snap) - edge
            length = max(edge - drag.start_us, MIN_AUDIO_US)
            if length != clip.duration_us:
                repeat = Trim(drag.in_us, drag.out_us)
                self._document.execute(commands.set_audio_clip_length(clip.id, length, repeat=repeat))
            return
        if drag.side == "out":
            out_us = drag.out_us + delta
            edge = drag.start_us + out_us - drag.in_us
            out_us += snap_shift([edge], targets, tolerance) or self._on_frame(edge, snap) - edge
            in_us, out_us = drag.in_us, min(max(out_us, drag.in_us + MIN_AUDIO_US), drag.length_us)
            keep_end = False
        else:
            in_us = drag.in_us + delta
            edge = drag.start_us + in_us - drag.in_us
            in_us += snap_shift([edge], targets, tolerance) or self._on_frame(edge, snap) - edge
            earliest = max(0, drag.in_us - drag.start_us)  # the clip cannot start before the film
            in_us, out_us = min(max(in_us, earliest), drag.out_us - MIN_AUDIO_US), drag.out_us
            keep_end = True
        if (in_us, out_us) != (clip.trim.in_us, clip.trim.out_us):
            self._document.execute(commands.trim_audio_clip(clip.id, in_us, out_us, keep_end=keep_end))

    # ------------------------------------------------------------------------------------------ delete and drop

    def delete_selected(self) -> bool:
        """Delete: remove the selected sound clip (one undo step); False if no sound clip is selected."""
        clip_id = self._selection.audio_clip
        if clip_id is None or self._clip(clip_id) is None:
            return False
        if self._document.execute(commands.remove_audio_clip(clip_id)):
            self._selection.select_audio_clip(None)
        return True

    def drop_files(self, files: list[Path], lane_id: str, at_us: int) -> None:
        """Add sound files to `lane_id` from `at_us`, one after another: probed and copied on a worker thread,
        then added as one undo step (the last one selected). Problems go to the message bar."""
        document = self._document
        bundle = document.session.bundle
        at_us = max(0, at_us)

        async def prepare() -> list[AudioClip]:
            return await asyncio.to_thread(lambda: [prepare_sound(bundle, f, lane_id, at_us) for f in files])

        def add(clips: list[AudioClip]) -> None:
            start, placed = at_us, []
            for clip in clips:
                placed.append(replace(clip, start_us=start))
                start += clip.duration_us
            before = document.project
            with document.transaction("Add sound" if len(placed) == 1 else f"Add {len(placed)} sounds"):
                for clip in placed:
                    document.session.execute(commands.add_audio_clip(clip))
            if document.project is not before and placed:
                self._selection.select_audio_clip(placed[-1].id)

        def refuse(error: BaseException) -> None:
            document.failed.emit(describe(error))

        if not files:
            return
        try:
            document.session.project.lane(lane_id)
        except ShotlineError as error:
            refuse(error)
            return
        document.bridge.watch(document.ctx.runner.submit(prepare()), add, refuse)
