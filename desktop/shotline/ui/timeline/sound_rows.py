"""Painting the audio lanes: one row per lane, the shots' own sound under the picture, music and voice-over clips
with their waveforms (scaled by gain, shaped by fades, crossfades and ducking), and what does not play dimmed. A
looped clip draws its sound in every repeat, with a faint dashed line where each repeat begins.

Where a lane ducks under speech its clips carry a gain line that dips as the mix does (media.mix.timeline_ducking),
so a creator sees the music go down under the voice-over before hearing it.

Only the pixels in the exposed rectangle are computed: a three-minute song zoomed in is as cheap as a short one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from shotline.core.model import AudioLane, LaneKind, Project
from shotline.core.timeline import Placement
from shotline.media.mix import Ducking, loop_pieces, timeline_ducking
from shotline.media.waveform import Peaks
from shotline.ui import theme
from shotline.ui.timeline import geometry
from shotline.ui.timeline.geometry import ClipBox, LaneRow, SoundBox, TimelineGeometry
from shotline.ui.timeline.polygons import polygon
from shotline.ui.timeline.waveform_cache import WaveformCache

WAVE_COLOURS = {
    LaneKind.CLIPS: QColor("#35b8a2"),
    LaneKind.MUSIC: QColor("#9d7ff0"),
    LaneKind.VOICE: QColor("#f0955a"),
}
"""Each kind of lane draws its waveforms in its own colour, so music and voice are told apart at a glance."""
ROW = QColor("#1b1e22")
SILENT_ALPHA = 70
"""How much of a muted (or soloed-out) sound still shows."""
FADE_LINE = QColor(255, 255, 255, 190)
DUCK_LINE = QColor("#ffd166")
"""The ducking gain line on a clip: warm yellow, apart from the white fade lines and the waveform colours."""
LOOP_MARK = QColor(255, 255, 255, 110)
"""A looped clip's faint dashed line where each repeat of its sound begins, so the creator sees the bed loop."""

Envelope = Callable[[np.ndarray], np.ndarray]
"""Gain factors (0…) at canvas xs."""


def db_to_factor(db: float) -> float:
    return float(10 ** (db / 20))


def anything_soloed(project: Project) -> bool:
    return (
        any(lane.solo for lane in project.lanes)
        or any(clip.solo for clip in project.audio)
        or any(shot.solo for shot in project.shots)
    )


def plays(lane: AudioLane, muted: bool, solo: bool, soloed: bool) -> bool:
    """The mix rule: a muted lane or sound is silent; while anything is soloed only soloed lanes and sounds play."""
    if lane.muted or muted:
        return False
    return not soloed or lane.solo or solo


def _wave_colour(lane: AudioLane, playing: bool) -> QColor:
    colour = QColor(WAVE_COLOURS.get(lane.kind, theme.ACCENT))
    if not playing:
        colour.setAlpha(SILENT_ALPHA)
    return colour


class SoundRows:
    """Paints the lanes of a timeline canvas from its geometry, with waveforms from `waveforms`."""

    def __init__(self, waveforms: WaveformCache, metrics: QFontMetrics) -> None:
        self.waveforms = waveforms
        self._metrics = metrics

    def paint(
        self,
        painter: QPainter,
        geo: TimelineGeometry,
        project: Project,
        exposed: QRect,
        *,
        selected_clip: str | None,
        grabbed_edge: tuple[str, str] | None,
        fetch: bool,
    ) -> None:
        soloed = anything_soloed(project)
        left, right = exposed.left() - 1, exposed.right() + 1
        ducking = {row.lane.id: timeline_ducking(project, row.lane) for row in geo.rows if row.holds_clips}
        for row in geo.rows:
            band = QRectF(left, row.top, right - left, geometry.LANE_HEIGHT)
            if not band.intersects(QRectF(exposed)):
                continue
            painter.fillRect(band, ROW)
            if row.holds_clips:
                continue
            for box in geo.visible(left, right):
                self._paint_shot_sound(painter, geo, row, box, soloed, exposed, fetch)
        for sound in geo.sound_boxes:
            if sound.x1 >= left and sound.x0 <= right:
                edge = grabbed_edge[1] if grabbed_edge and grabbed_edge[0] == sound.clip_id else None
                selected = sound.clip_id == selected_clip
                duck = ducking.get(sound.row.lane.id)
                self._paint_sound_clip(painter, geo, sound, soloed, exposed, selected, edge, fetch, duck)

    # ------------------------------------------------------------------------------------------ the shots' sound

    def _paint_shot_sound(
        self,
        painter: QPainter,
        geo: TimelineGeometry,
        row: LaneRow,
        box: ClipBox,
        soloed: bool,
        exposed: QRect,
        fetch: bool,
    ) -> None:
        placement = box.placement
        take = placement.take
        rect = QRectF(box.x0 + 1, row.top + 2, max(1.0, box.width - 2), geometry.LANE_HEIGHT - 4)
        painter.fillRect(rect, QColor(255, 255, 255, 14))
        if take is None or not take.info.has_audio:
            if rect.width() > 60:
                painter.setPen(theme.MUTED.darker(140))
                painter.drawText(rect.adjusted(6, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, "no sound")
            return
        shot = placement.shot
        playing = plays(row.lane, shot.muted, shot.solo, soloed)
        peaks = self.waveforms.peaks(take.media, fetch=fetch)
        overlap_in = _overlap_in(geo, box)
        envelope = _shot_envelope(geo, placement, overlap_in, db_to_factor(shot.gain_db + row.lane.gain_db))
        if peaks is not None:
            colour = _wave_colour(row.lane, playing)
            paint_waveform(painter, rect, peaks, take.trim.in_us, geo, exposed, envelope, colour)
        # A crossfade: the incoming sound rises while the outgoing one falls (equal power), drawn as an X.
        painter.setPen(QPen(FADE_LINE, 1))
        if overlap_in:
            span = overlap_in * geo.pps / 1_000_000
            painter.drawLine(QPointF(rect.left(), rect.bottom()), QPointF(rect.left() + span, rect.top()))
        if placement.overlap_out_us:
            span = placement.overlap_out_us * geo.pps / 1_000_000
            painter.drawLine(QPointF(rect.right() - span, rect.top()), QPointF(rect.right(), rect.bottom()))

    # ------------------------------------------------------------------------------------------ music and voice

    def _paint_sound_clip(
        self,
        painter: QPainter,
        geo: TimelineGeometry,
        sound: SoundBox,
        soloed: bool,
        exposed: QRect,
        selected: bool,
        grabbed: str | None,
        fetch: bool,
        duck: Ducking | None = None,
    ) -> None:
        clip, lane = sound.clip, sound.row.lane
        playing = plays(lane, clip.muted, clip.solo, soloed)
        rect = QRectF(sound.x0, sound.row.top + 2, max(1.0, sound.width), geometry.LANE_HEIGHT - 4)
        base = QColor(WAVE_COLOURS.get(lane.kind, theme.ACCENT)).darker(420 if playing else 600)
        painter.fillRect(rect, base)
        peaks = self.waveforms.peaks(clip.media, fetch=fetch)
        factor = db_to_factor(clip.gain_db + lane.gain_db)
        fade_in, fade_out = clip.fade_in_us * geo.pps / 1e6, clip.fade_out_us * geo.pps / 1e6

        def envelope(xs: np.ndarray) -> np.ndarray:
            gains = np.full_like(xs, factor)
            if fade_in:
                gains *= np.clip((xs - rect.left()) / fade_in, 0.0, 1.0)
            if fade_out:
                gains *= np.clip((rect.right() - xs) / fade_out, 0.0, 1.0)
            if duck is not None:
                gains *= duck_gains(duck, geo, xs)
            return gains

        repeats = [piece for piece, _ in loop_pieces(clip)]
        if peaks is not None:
            # a looped clip shows each repeat's own sound (media.mix.loop_pieces), not the silence past its file
            for piece in repeats:
                left = rect.left() + (piece.start_us - clip.start_us) * geo.pps / 1e6
                repeat = QRectF(left, rect.top(), piece.duration_us * geo.pps / 1e6, rect.height()) & rect
                colour = _wave_colour(lane, playing)
                paint_waveform(painter, repeat, peaks, piece.trim.in_us, geo, exposed, envelope, colour)
        painter.setPen(QPen(LOOP_MARK, 1, Qt.PenStyle.DashLine))
        for piece in repeats[1:]:
            x = round(rect.left() + (piece.start_us - clip.start_us) * geo.pps / 1e6) + 0.5
            painter.drawLine(QPointF(x, rect.top() + 1), QPointF(x, rect.bottom() - 1))
        painter.setPen(QPen(FADE_LINE, 1))
        if fade_in:
            painter.drawLine(QPointF(rect.left(), rect.bottom()), QPointF(rect.left() + fade_in, rect.top()))
        if fade_out:
            painter.drawLine(QPointF(rect.right() - fade_out, rect.top()), QPointF(rect.right(), rect.bottom()))
        if duck is not None:
            paint_duck_line(painter, rect, duck, geo, exposed)
        self._label(painter, rect, clip.source_name or "sound")
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(theme.ACCENT, 2) if selected else QPen(base.lighter(220), 1))
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        if grabbed is not None:
            x = rect.left() if grabbed == "in" else rect.right()
            painter.fillRect(QRectF(x - 2, rect.top(), 4, rect.height()), theme.ACCENT)

    def _label(self, painter: QPainter, rect: QRectF, text: str) -> None:
        width = int(rect.width()) - 10
        if width < 24:
            return
        shown = self._metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        painter.setPen(theme.TEXT)
        painter.drawText(QPointF(rect.left() + 5, rect.top() + self._metrics.ascent() + 1), shown)


def duck_depths(duck: Ducking, geo: TimelineGeometry, xs: np.ndarray) -> np.ndarray:
    """How far down the ducking is (0 … 1) at canvas `xs`: `Ducking.depth` for many points at once."""
    at_us = (xs - geometry.PAD) * (1_000_000 / geo.pps)
    deepest = np.zeros_like(xs, dtype=float)
    attack, release = max(duck.attack_samples, 1), max(duck.release_samples, 1)
    for start, end in duck.spans:
        rising = (at_us - (start - duck.attack_samples)) / attack
        falling = (end + duck.release_samples - at_us) / release
        deepest = np.maximum(deepest, np.clip(np.minimum(rising, falling), 0.0, 1.0))
    return deepest


def duck_gains(duck: Ducking, geo: TimelineGeometry, xs: np.ndarray) -> np.ndarray:
    return np.power(10.0, duck.amount_db * duck_depths(duck, geo, xs) / 20)


def duck_line_y(rect: QRectF, gains: np.ndarray) -> np.ndarray:
    """The gain line's height: at the clip's top at full gain, lower as the gain falls."""
    return rect.top() + 2 + (rect.height() - 4) * (1.0 - gains)


def paint_duck_line(painter: QPainter, rect: QRectF, duck: Ducking, geo: TimelineGeometry, exposed: QRect) -> None:
    """A line across the clip at its ducked gain, drawn only where the clip meets the ducking."""
    first = max(math.floor(rect.left()), exposed.left())
    last = min(math.ceil(rect.right()), exposed.right() + 1)
    if last <= first or duck.reaches(geo.us_at(first), geo.us_at(last)) is None:
        return
    xs = first + np.arange(last - first + 1, dtype=float)
    ys = duck_line_y(rect, duck_gains(duck, geo, xs))
    painter.save()
    painter.setPen(QPen(DUCK_LINE, 2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPolyline(polygon(xs, ys))
    painter.restore()


def _overlap_in(geo: TimelineGeometry, box: ClipBox) -> int:
    return geo.boxes[box.index - 1].placement.overlap_out_us if box.index > 0 else 0


def _shot_envelope(geo: TimelineGeometry, placement: Placement, overlap_in_us: int, factor: float) -> Envelope:
    start_x, end_x = geo.x_of(placement.start_us), geo.x_of(placement.end_us)
    rise = overlap_in_us * geo.pps / 1_000_000
    fall = placement.overlap_out_us * geo.pps / 1_000_000

    def envelope(xs: np.ndarray) -> np.ndarray:
        gains = np.full_like(xs, factor)
        # qsin, as the export mixes it
        if rise:
            gains *= np.sin(math.pi / 2 * np.clip((xs - start_x) / rise, 0.0, 1.0))
        if fall:
            gains *= np.sin(math.pi / 2 * np.clip((end_x - xs) / fall, 0.0, 1.0))
        return gains

    return envelope


def paint_waveform(
    painter: QPainter,
    rect: QRectF,
    peaks: Peaks,
    source_in_us: int,
    geo: TimelineGeometry,
    exposed: QRect,
    envelope: Envelope,
    colour: QColor,
) -> None:
    """Fill the waveform of `peaks` from `source_in_us` (at rect's left edge) across the exposed part of `rect`."""
    first = max(math.floor(rect.left()), exposed.left())
    last = min(math.ceil(rect.right()), exposed.right() + 1)
    if last <= first:
        return
    us_per_px = 1_000_000 / geo.pps
    start_us = source_in_us + round((first - rect.left()) * us_per_px)
    end_us = source_in_us + round((last - rect.left()) * us_per_px)
    columns = peaks.columns(start_us, end_us, last - first)
    middle, half = rect.center().y(), rect.height() / 2 - 1
    xs = first + np.arange(last - first) + 0.5
    gains = envelope(xs)
    tops = middle - np.minimum(columns[:, 1] * gains, 1.0) * half
    bottoms = middle - np.maximum(columns[:, 0] * gains, -1.0) * half
    tops = np.minimum(tops, middle - 0.5)  # silence still shows as a hairline
    bottoms = np.maximum(bottoms, middle + 0.5)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # crisp columns, and the colour stays exact
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(polygon(np.concatenate((xs, xs[::-1])), np.concatenate((tops, bottoms[::-1]))))
    painter.restore()
