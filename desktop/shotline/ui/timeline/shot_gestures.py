"""What the mouse does to the shots' clips in the picture row: click selects (Ctrl adds or removes), dragging a
clip's edge trims its picked take, dragging its body reorders the shots.

A trim is one `trim_shot` per move, all with the same merge key, sealed on release so the drag is one undo step;
core snaps each result onto the take's frames. While the edge is held the playhead shows the edge's frame, and goes
back where it was on release. A move is one `move_shot` on drop. The canvas holds the drag and paints it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QApplication

from shotline.core import commands
from shotline.core.frames import clock_style
from shotline.core.timecode import frame_duration_us
from shotline.ui.document import ProjectDocument
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline.geometry import ClipBox, TimelineGeometry
from shotline.ui.timeline.trim_readout import edge_time, readout_text


@dataclass(slots=True)
class ShotTrim:
    shot_id: str
    side: str
    in_us: int
    out_us: int
    length_us: int
    min_us: int
    press_x: float
    playhead_us: int
    """Where the playhead was: it shows the edge's frame during the drag and goes back after."""


@dataclass(slots=True)
class ShotMove:
    shot_id: str
    index: int
    press_x: float
    active: bool = False
    target: int | None = None


ShotDrag = ShotTrim | ShotMove


class ShotGestures:
    def __init__(self, document: ProjectDocument, selection: ShotSelection, playhead: Playhead) -> None:
        self._document = document
        self._selection = selection
        self._playhead = playhead

    def press(self, geo: TimelineGeometry, x: float, *, toggle: bool) -> ShotDrag | None:
        """A press in the picture row: a trim at the edge of a clip with a take (`grab` then selects it), else the
        clip under it is selected (`toggle`: added or removed, as Ctrl does) and a move starts."""
        edge = geo.edge_at(x)
        if edge is not None and edge[0].placement.take is not None:
            return self._trim(edge[0], edge[1], x)
        box = geo.box_at(x)
        if box is None:
            return None
        if toggle:
            ids = list(self._selection.ids)
            self._selection.select([i for i in ids if i != box.shot_id] if box.shot_id in ids else [*ids, box.shot_id])
        else:
            self._selection.select([box.shot_id])
        return ShotMove(box.shot_id, box.index, x)

    def grab(self, drag: ShotDrag | None) -> None:
        """A trim, once the canvas holds it (so the timeline does not scroll after the playhead it moves): its shot
        is selected and the playhead shows the edge's frame."""
        if isinstance(drag, ShotTrim):
            self._selection.select([drag.shot_id])
            self._show_edge_frame(drag)

    def drag_to(self, drag: ShotDrag, geo: TimelineGeometry, x: float) -> None:
        if isinstance(drag, ShotTrim):
            self._trim_to(drag, geo, x)
            return
        if not drag.active and abs(x - drag.press_x) >= QApplication.startDragDistance():
            drag.active = True
        if drag.active:
            drag.target = geo.boundary_at(x)

    def finish(self, drag: ShotDrag, geo: TimelineGeometry, x: float) -> None:
        if isinstance(drag, ShotTrim):
            self._trim_to(drag, geo, x)
            self._document.seal()  # the whole drag was one undo step; the next trim starts another
            self._playhead.seek(drag.playhead_us)
        elif drag.active:
            self._drop(drag, geo.boundary_at(x))

    def readout(self, drag: ShotTrim) -> str:
        """What the label beside the grabbed trim handle says ("" once the shot or its take is gone)."""
        if not self._document.project.has_shot(drag.shot_id):
            return ""
        take = self._document.project.shot(drag.shot_id).picked_take
        if take is None:
            return ""
        style = clock_style(self._document.ctx.settings.clock_style)
        return readout_text(take, self._document.project.settings.fps, style)

    def _trim(self, box: ClipBox, side: str, x: float) -> ShotTrim:
        take = box.placement.take
        assert take is not None
        frame = round(frame_duration_us(take.info.fps)) if take.info.fps else 1000
        return ShotTrim(
            box.shot_id,
            side,
            take.trim.in_us,
            take.trim.out_us,
            take.info.duration_us,
            frame,
            x,
            self._playhead.position_us,
        )

    def _trim_to(self, drag: ShotTrim, geo: TimelineGeometry, x: float) -> None:
        """Trim by the distance dragged; core snaps the result onto the take's frames."""
        delta = geo.us_for_pixels(x - drag.press_x)
        if drag.side == "out":
            in_us, out_us = drag.in_us, min(max(drag.out_us + delta, drag.in_us + drag.min_us), drag.length_us)
        else:
            in_us, out_us = min(max(drag.in_us + delta, 0), drag.out_us - drag.min_us), drag.out_us
        shot = self._document.project.shot(drag.shot_id)
        current = shot.picked_take.trim if shot.picked_take else None
        if current is None or (current.in_us, current.out_us) != (in_us, out_us):
            self._document.execute(commands.trim_shot(drag.shot_id, in_us, out_us))
        self._show_edge_frame(drag)

    def _show_edge_frame(self, drag: ShotTrim) -> None:
        at_us = edge_time(self._document.project, drag.shot_id, drag.side)
        if at_us is not None:
            self._playhead.seek(at_us)

    def _drop(self, drag: ShotMove, boundary: int) -> None:
        # The boundary counts positions before the clip is lifted out; move_shot counts them after.
        to_index = boundary if boundary <= drag.index else boundary - 1
        if to_index != drag.index:
            self._document.execute(commands.move_shot(drag.shot_id, to_index))
