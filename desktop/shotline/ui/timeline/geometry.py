"""Where things are drawn on the timeline: time ↔ x at a zoom, each clip's box, the audio lanes' rows and the
sound clips on them, and the ruler's tick spacing.

Rebuilt on every edit or zoom (one pass over the shots, cheap even for 500), and searched by bisection so
painting and hit-testing only look at the clips under the pixels that matter. Sound clips are few (tens), so
they are searched in a plain pass.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from shotline.core.model import DEFAULT_LANES, AudioClip, AudioLane, Caption, LaneKind, Project
from shotline.core.timeline import Placement, film_length_us, layout

PAD = 12
"""Pixels left of time zero and right of the end, so the first and last trim handles can be grabbed."""
RULER_HEIGHT = 24
CLIP_TOP = RULER_HEIGHT + 6
CLIP_HEIGHT = 78
TITLE_HEIGHT = 18
LANES_TOP = CLIP_TOP + CLIP_HEIGHT + 8
"""Where the first audio lane's row begins, under the picture."""
LANE_HEIGHT = 44
LANE_GAP = 4
BOTTOM = 6
EDGE_GRAB = 6
"""How close to a clip's edge (in pixels) a press grabs its trim handle instead of the clip."""
MIN_PPS = 0.2
MAX_PPS = 4000.0
MAX_WIDTH = 8_000_000
"""Qt widgets cannot be wider than 16 777 215 px; zoom stops well before."""

_NICE_STEPS_US = [
    int(s * 1_000_000)
    for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)
]


def lane_top(index: int) -> int:
    return LANES_TOP + index * (LANE_HEIGHT + LANE_GAP)


def height_for(lanes: int) -> int:
    """The canvas height that shows the ruler, the picture and `lanes` audio lanes."""
    return lane_top(lanes) - LANE_GAP + BOTTOM if lanes else CLIP_TOP + CLIP_HEIGHT + BOTTOM


HEIGHT = height_for(len(DEFAULT_LANES) + 1)


@dataclass(frozen=True, slots=True)
class CaptionBox:
    """A caption drawn in the captions row (under the audio lanes)."""

    caption: Caption
    top: int
    x0: float
    x1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(frozen=True, slots=True)
class LaneRow:
    index: int
    lane: AudioLane
    top: int

    @property
    def bottom(self) -> int:
        return self.top + LANE_HEIGHT

    @property
    def holds_clips(self) -> bool:
        """Music and voice lanes hold sound clips; the clip-sound lane shows the shots' own sound."""
        return self.lane.kind is not LaneKind.CLIPS


@dataclass(frozen=True, slots=True)
class SoundBox:
    """A music or voice-over clip drawn in its lane's row."""

    clip: AudioClip
    row: LaneRow
    x0: float
    x1: float

    @property
    def clip_id(self) -> str:
        return self.clip.id

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(frozen=True, slots=True)
class ClipBox:
    index: int
    placement: Placement
    x0: float
    x1: float

    @property
    def shot_id(self) -> str:
        return self.placement.shot.id

    @property
    def width(self) -> float:
        return self.x1 - self.x0


class TimelineGeometry:
    def __init__(self, project: Project, pixels_per_second: float) -> None:
        self.pps = pixels_per_second
        self.duration_us = film_length_us(project)
        """The film's length (whole frames of the project's rate, as the export renders it)."""
        self.boxes = tuple(
            ClipBox(index, p, self.x_of(p.start_us), self.x_of(p.end_us)) for index, p in enumerate(layout(project))
        )
        self._starts = [box.x0 for box in self.boxes]
        self.rows = tuple(LaneRow(index, lane, lane_top(index)) for index, lane in enumerate(project.lanes))
        rows = {row.lane.id: row for row in self.rows}
        self.sound_boxes = tuple(
            SoundBox(clip, rows[clip.lane], self.x_of(clip.start_us), self.x_of(clip.end_us))
            for clip in project.audio
            if clip.lane in rows
        )
        self.captions_top = lane_top(len(self.rows))
        """The captions' row: under the last audio lane."""
        self.caption_boxes = tuple(
            CaptionBox(c, self.captions_top, self.x_of(c.start_us), self.x_of(c.end_us)) for c in project.captions
        )
        ends = [self.duration_us, *(box.placement.end_us for box in self.boxes[-1:])]
        self.extent_us = max([*ends, *(clip.end_us for clip in project.audio), *(c.end_us for c in project.captions)])
        """The picture's length, or longer if a sound clip runs past it: how far the canvas reaches. The last shot's
        box may end up to half a frame after the film's length (its exact end, which the film rounds)."""

    @property
    def width(self) -> int:
        return int(self.x_of(self.extent_us)) + PAD + 1

    @property
    def height(self) -> int:
        return height_for(len(self.rows) + 1)  # the audio lanes and the captions' row

    def x_of(self, at_us: int) -> float:
        return PAD + at_us * self.pps / 1_000_000

    def us_at(self, x: float) -> int:
        return round((x - PAD) * 1_000_000 / self.pps)

    def us_for_pixels(self, dx: float) -> int:
        return round(dx * 1_000_000 / self.pps)

    def box_at(self, x: float) -> ClipBox | None:
        index = bisect.bisect_right(self._starts, x) - 1
        if 0 <= index < len(self.boxes) and x < self.boxes[index].x1:
            return self.boxes[index]
        return None

    def edge_at(self, x: float) -> tuple[ClipBox, str] | None:
        """The trim handle under `x`: (clip, "in" or "out")."""
        index = bisect.bisect_right(self._starts, x) - 1
        best: tuple[tuple[float, bool], ClipBox, str] | None = None
        for box in self.boxes[max(0, index - 1) : index + 2]:
            for side, edge in (("in", box.x0), ("out", box.x1)):
                distance = abs(x - edge)
                # At a cut two handles share a pixel: the clip the press falls inside wins.
                rank = (distance, not box.x0 <= x < box.x1)
                if distance <= EDGE_GRAB and (best is None or rank < best[0]):
                    best = (rank, box, side)
        return (best[1], best[2]) if best else None

    def visible(self, left: float, right: float) -> tuple[ClipBox, ...]:
        first = max(0, bisect.bisect_right(self._starts, left) - 1)
        last = bisect.bisect_left(self._starts, right)
        return self.boxes[first:last]

    def boundary_at(self, x: float) -> int:
        """The gap between clips nearest to `x`, as the index a clip dropped there would get (0 … number of shots)."""
        return sum(1 for box in self.boxes if (box.x0 + box.x1) / 2 < x)

    def row_at(self, y: float) -> LaneRow | None:
        """The audio lane whose row holds `y` (the gap under a row belongs to it)."""
        for row in self.rows:
            if row.top <= y < row.bottom + LANE_GAP:
                return row
        return None

    def sound_at(self, x: float, y: float) -> SoundBox | None:
        """The sound clip under (x, y); where clips overlap, the one drawn on top (the later one)."""
        for box in reversed(self.sound_boxes):
            if box.row.top <= y < box.row.bottom and box.x0 <= x < box.x1:
                return box
        return None

    def sound_edge_at(self, x: float, y: float) -> tuple[SoundBox, str] | None:
        """The sound clip trim handle under (x, y): (clip, "in" or "out"); the clip the press falls inside wins."""
        best: tuple[tuple[float, bool], SoundBox, str] | None = None
        for box in self.sound_boxes:
            if not box.row.top <= y < box.row.bottom:
                continue
            grab = min(EDGE_GRAB, box.width / 3)  # a short clip keeps a middle to move it by
            for side, edge in (("in", box.x0), ("out", box.x1)):
                distance = abs(x - edge)
                rank = (distance, not box.x0 <= x < box.x1)
                if distance <= grab and (best is None or rank < best[0]):
                    best = (rank, box, side)
        return (best[1], best[2]) if best else None

    def in_captions(self, y: float) -> bool:
        return self.captions_top <= y < self.captions_top + LANE_HEIGHT

    def caption_at(self, x: float, y: float) -> CaptionBox | None:
        """The caption under (x, y); where captions overlap, the later one."""
        if not self.in_captions(y):
            return None
        return next((box for box in reversed(self.caption_boxes) if box.x0 <= x < box.x1), None)

    def caption_edge_at(self, x: float, y: float) -> tuple[CaptionBox, str] | None:
        """The caption trim handle under (x, y): (caption, "in" or "out"); the caption the press falls inside wins."""
        if not self.in_captions(y):
            return None
        best: tuple[tuple[float, bool], CaptionBox, str] | None = None
        for box in self.caption_boxes:
            grab = min(EDGE_GRAB, box.width / 3)
            for side, edge in (("in", box.x0), ("out", box.x1)):
                distance = abs(x - edge)
                rank = (distance, not box.x0 <= x < box.x1)
                if distance <= grab and (best is None or rank < best[0]):
                    best = (rank, box, side)
        return (best[1], best[2]) if best else None

    def ruler_step_us(self, min_pixels: float = 90) -> int:
        for step in _NICE_STEPS_US:
            if step * self.pps / 1_000_000 >= min_pixels:
                return step
        return _NICE_STEPS_US[-1]


def clamp_pps(pps: float, duration_us: int) -> float:
    longest = MAX_WIDTH * 1_000_000 / max(duration_us, 1)
    return max(MIN_PPS, min(pps, MAX_PPS, longest))
