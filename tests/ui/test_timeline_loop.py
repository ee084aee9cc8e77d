"""Dragging a looped music bed's edges with the mouse (issue 17): the right edge sets how long the bed plays, in
more or fewer repeats of the same sound, and at one repeat or less makes it a plain trimmed clip; the left edge
trims the repeating sound's in point and keeps the bed's end. Each drag lands on a frame or a snap target and is
one undo step, and the lane marks where each repeat begins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from shotline.core import audio_edits, commands
from shotline.core.model import AudioClip, Trim
from shotline.media.mix import loop_pieces
from shotline.services import sound
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.sound_gestures import SNAP_PIXELS, snap_targets
from tests.clips import make_clip
from tests.ui.shown_timeline import shown_timeline
from tests.ui.test_timeline_audio import drag, middle_y, on_frame, pixels, sound_box, wait_for_waveforms

pytestmark = pytest.mark.ffmpeg

REPEAT = Trim(0, 1_000_000)


@pytest.fixture
def document(app_context: AppContext, project_path: Path, tmp_path: Path) -> Iterator[ProjectDocument]:
    """Three animatic shots and a steady tone from 0.4 s, its first second looped to the film's end."""
    music = make_clip(tmp_path / "bed.wav", seconds=3, video=False, audio=(44_100, 2))
    with ProjectSession.open(project_path) as session:
        clip = sound.add_sound(session, music, "music", 400_000)
        session.execute(commands.trim_audio_clip(clip.id, REPEAT.in_us, REPEAT.out_us))
        session.execute(commands.fit_audio_clip(clip.id))
        session.save()
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def panel(qtbot: QtBot, document: ProjectDocument) -> TimelinePanel:
    return shown_timeline(qtbot, document, (1000, 320), focused=False)


def bed(document: ProjectDocument) -> AudioClip:
    return next(clip for clip in document.project.audio if clip.lane == "music")


def clear_of_snapping(panel: TimelinePanel, document: ProjectDocument, edge_us: int, near: int) -> int:
    """A drag distance (px) from `near`, in its direction, that leaves the edge more than SNAP_PIXELS from every
    snap target, so it lands on the frame the drag reaches."""
    geo = panel.canvas.geometry_
    targets = snap_targets(document.project, panel._playhead.position_us, bed(document).id)
    far = geo.us_for_pixels(SNAP_PIXELS + 1)
    step = 1 if near > 0 else -1
    for dx in range(near, near + 200 * step, step):
        if all(abs(edge_us + geo.us_for_pixels(dx) - t) > far for t in targets):
            return dx
    raise AssertionError("no drag distance clear of snap targets")


def test_the_right_edge_sets_how_long_the_bed_loops(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    original, clip = document.project, bed(document)
    assert clip.loop_us > 3 * REPEAT.duration_us, "the film is long enough for several repeats"
    box, geo = sound_box(panel, "music"), panel.canvas.geometry_
    end, y = round(box.x1) - 1, middle_y(box)
    dx = clear_of_snapping(panel, document, clip.end_us, -60)
    drag(qtbot, panel, QPoint(end, y), [QPoint(end - 20, y), QPoint(end + dx, y)])

    shorter = bed(document)
    length = on_frame(document, clip.end_us + geo.us_for_pixels(dx)) - clip.start_us
    assert (shorter.trim, shorter.loop_us) == (REPEAT, length), "fewer repeats of the same sound"
    assert document.project == audio_edits.set_audio_clip_length(original, clip.id, length, repeat=REPEAT)
    assert shorter.fade_out_us == clip.fade_out_us, "the fit's fade-out still closes the bed"
    assert document.session.history.undo_label == "Change sound length"
    document.undo()
    assert document.project == original, "the drag was one undo step"


def test_dragged_to_one_repeat_or_less_the_bed_plays_once_and_back_out_it_loops_again(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    original, clip = document.project, bed(document)
    box, geo = sound_box(panel, "music"), panel.canvas.geometry_
    end, y = round(box.x1) - 1, middle_y(box)
    half_repeat = round(geo.x_of(clip.start_us + REPEAT.duration_us // 2)) - end
    dx = clear_of_snapping(panel, document, clip.end_us, half_repeat)

    # one drag in below one repeat and back out: it loops again, one undo step
    drag(qtbot, panel, QPoint(end, y), [QPoint(end - 20, y), QPoint(end + dx, y), QPoint(end - 30, y)])
    assert bed(document).trim == REPEAT and bed(document).loop_us > REPEAT.duration_us
    document.undo()
    assert document.project == original

    drag(qtbot, panel, QPoint(end, y), [QPoint(end - 20, y), QPoint(end + dx, y)])
    once = bed(document)
    length = on_frame(document, clip.end_us + geo.us_for_pixels(dx)) - clip.start_us
    assert length < REPEAT.duration_us
    assert (once.trim, once.loop_us) == (Trim(REPEAT.in_us, REPEAT.in_us + length), 0), "a plain trimmed clip"
    assert once.fade_in_us + once.fade_out_us <= once.duration_us, "its fades still fit"
    assert document.project == audio_edits.set_audio_clip_length(original, clip.id, length, repeat=REPEAT)


def test_the_left_edge_trims_the_repeating_sound_and_keeps_the_end(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    original, clip = document.project, bed(document)
    box, geo = sound_box(panel, "music"), panel.canvas.geometry_
    start, y = round(box.x0) + 1, middle_y(box)
    dx = clear_of_snapping(panel, document, clip.start_us, 30)
    drag(qtbot, panel, QPoint(start, y), [QPoint(start + 12, y), QPoint(start + dx, y)])

    trimmed = bed(document)
    moved_by = on_frame(document, clip.start_us + geo.us_for_pixels(dx)) - clip.start_us
    assert trimmed.trim == Trim(REPEAT.in_us + moved_by, REPEAT.out_us), "the repeating sound starts later"
    assert (trimmed.start_us, trimmed.end_us) == (clip.start_us + moved_by, clip.end_us)
    assert trimmed.loop_us == clip.loop_us - moved_by
    assert document.session.history.undo_label == "Trim sound"
    document.undo()
    assert document.project == original


def test_the_lane_marks_where_each_repeat_begins(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    wait_for_waveforms(qtbot, panel, document)
    box, geo = sound_box(panel, "music"), panel.canvas.geometry_
    band = pixels(panel)[box.row.top + 4 : box.row.bottom - 4].astype(int).sum(axis=2)
    repeats = [piece for piece, _ in loop_pieces(bed(document))]
    for piece in repeats[1:]:
        x = round(geo.x_of(piece.start_us))
        marked = band[:, x - 1 : x + 2].max(axis=1)
        beside = np.maximum(band[:, x - 6], band[:, x + 6])
        assert (marked > beside + 60).sum() >= 4, f"no mark where the repeat at {piece.start_us} µs begins"
