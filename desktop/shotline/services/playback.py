"""What the player shows and how the transport keys move it, without Qt: playlists, J/K/L, frames and I/O trims.

A playlist is a run of segments laid end to end on one clock. In "Timeline" mode the clock is the timeline itself
(the shared playhead); in "Shot" mode it is the same timeline clock limited to one shot's span, so the playhead
stays meaningful to the other panels. Every function here is pure so the player's logic is tested without decoding
a frame.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction

from shotline.core import frames
from shotline.core.errors import EditError
from shotline.core.model import Project
from shotline.core.timecode import frame_time_us
from shotline.core.timeline import Span, film_length_us, layout

MAX_SPEED = 4
"""J and L double the speed up to this; beyond it a creator scrubs rather than plays."""


class Mode(StrEnum):
    SHOT = "shot"
    TIMELINE = "timeline"


@dataclass(frozen=True, slots=True)
class Transport:
    """The J/K/L state: `direction` is -1 (reverse), 0 (paused) or 1 (forward); `speed` is 1, 2 or 4."""

    direction: int = 0
    speed: int = 1

    @property
    def playing(self) -> bool:
        return self.direction != 0

    @property
    def rate(self) -> int:
        return self.direction * self.speed

    def forward(self) -> Transport:
        """L: play forward, or go twice as fast if already playing forward."""
        if self.direction == 1:
            return replace(self, speed=min(self.speed * 2, MAX_SPEED))
        return Transport(1, 1)

    def reverse(self) -> Transport:
        """J: play backwards, or go twice as fast if already playing backwards."""
        if self.direction == -1:
            return replace(self, speed=min(self.speed * 2, MAX_SPEED))
        return Transport(-1, 1)

    def pause(self) -> Transport:
        """K."""
        return Transport(0, 1)

    def toggle(self) -> Transport:
        """Space: pause when playing in any direction, else play forward at normal speed."""
        return self.pause() if self.playing else Transport(1, 1)


@dataclass(frozen=True, slots=True)
class Segment(Span):
    """One shot's take (or a gap for a shot without one) on the playlist clock."""

    shot_id: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Playlist:
    segments: tuple[Segment, ...]

    @property
    def begin_us(self) -> int:
        return self.segments[0].start_us if self.segments else 0

    @property
    def end_us(self) -> int:
        return self.segments[-1].end_us if self.segments else 0

    @property
    def duration_us(self) -> int:
        return self.end_us - self.begin_us

    def clamp(self, at_us: int) -> int:
        return min(max(at_us, self.begin_us), self.end_us)

    def index_at(self, at_us: int) -> int | None:
        """The segment playing at `at_us`; at or past the end, the last one."""
        if not self.segments:
            return None
        starts = [segment.start_us for segment in self.segments]
        index = bisect.bisect_right(starts, at_us) - 1
        return min(max(index, 0), len(self.segments) - 1)

    def at(self, at_us: int) -> Segment | None:
        index = self.index_at(at_us)
        return None if index is None else self.segments[index]


def timeline_playlist(project: Project) -> Playlist:
    # the preview cuts where a crossfade begins; the export renders the crossfade itself
    segments = [Segment(p.take, p.start_us, p.cut_us - p.start_us, shot_id=p.shot.id) for p in layout(project)]
    if segments:
        # the film ends on the whole frame the export ends it on, up to half a frame from the last shot's exact end
        # (its last frame holds or is left out, as in the export), so the player's length is everyone's
        last = segments[-1]
        segments[-1] = replace(last, duration_us=film_length_us(project) - last.start_us)
    return Playlist(tuple(s for s in segments if s.duration_us > 0))


def shot_playlist(project: Project, shot_id: str) -> Playlist:
    """The one shot, on the timeline clock (so its span is where it sits in the film)."""
    segments = tuple(s for s in timeline_playlist(project).segments if s.shot_id == shot_id)
    return Playlist(segments)


def frame_rate(segment: Segment | None, fallback: Fraction) -> Fraction:
    if segment is not None and segment.take is not None and segment.take.info.fps:
        return segment.take.info.fps
    return fallback


def last_frame_us(playlist: Playlist, film_fps: Fraction) -> int:
    """Where the playlist's last frame starts: End and the end of playing stop there, on a frame that is shown."""
    if not playlist.segments:
        return 0
    return max(playlist.begin_us, frames.last_frame_before(playlist.end_us, film_fps))


def frame_stop(playlist: Playlist, at_us: int, film_fps: Fraction, *, nearest: bool) -> int:
    """Where a paused player stops for `at_us`: on a frame of the film (the timecode's frames, which the timeline's
    clicks snap to too), the nearest for a seek or a click, the one on screen for a pause; never past the last."""
    at_us = playlist.clamp(at_us)
    snapped = frames.nearest_frame(at_us, film_fps) if nearest else frames.frame_start(at_us, film_fps)
    return max(playlist.begin_us, min(snapped, last_frame_us(playlist, film_fps)))


def step_frames(playlist: Playlist, at_us: int, frames_to_go: int, film_fps: Fraction) -> int:
    """Move `frames_to_go` frames of the film (negative: backwards) from the frame on screen at `at_us`, across
    cuts, never outside the playlist. The viewer shows the take frame under each (`frames.decoder_time`)."""
    if not playlist.segments:
        return at_us
    target = frame_time_us(frames.frame_at(at_us, film_fps) + frames_to_go, film_fps)
    return max(playlist.begin_us, min(target, last_frame_us(playlist, film_fps)))


@dataclass(frozen=True, slots=True)
class TrimPoint:
    """The trim a press of I or O asks for: the same arguments `shotline trim` would get."""

    shot_id: str
    take_id: str
    in_us: int
    out_us: int


def _shot_segment(playlist: Playlist, at_us: int, *, for_out: bool) -> Segment:
    index = playlist.index_at(at_us)
    if index is None:
        raise EditError("There is no shot to trim; add a shot first.")
    segment = playlist.segments[index]
    # At a cut the playhead belongs to the next shot, but an out point there can only mean the shot that just ended.
    if for_out and at_us == segment.start_us and index > 0:
        segment = playlist.segments[index - 1]
    if segment.take is None or segment.shot_id is None:
        raise EditError("This shot has no take yet; generate or import one before trimming it.")
    return segment


def trim_in_at(playlist: Playlist, at_us: int) -> TrimPoint:
    """I: the shot under `at_us` starts at the frame shown there and keeps its out point."""
    segment = _shot_segment(playlist, at_us, for_out=False)
    assert segment.take is not None and segment.shot_id is not None
    source = segment.source_time(at_us)
    assert source is not None
    return TrimPoint(segment.shot_id, segment.take.id, source, segment.take.trim.out_us)


def trim_out_at(playlist: Playlist, at_us: int) -> TrimPoint:
    """O: the shot under `at_us` ends at the frame shown there and keeps its in point."""
    segment = _shot_segment(playlist, at_us, for_out=True)
    assert segment.take is not None and segment.shot_id is not None
    source = segment.source_time(at_us)
    assert source is not None
    return TrimPoint(segment.shot_id, segment.take.id, segment.take.trim.in_us, source)
