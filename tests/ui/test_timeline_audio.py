"""The timeline's audio lanes: real sound files with real decoded waveforms, and real mouse gestures that change
the project exactly as the core's audio edits would, each one undo step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from pytestqt.qtbot import QtBot

from shotline.core import audio_edits, commands
from shotline.core.model import AudioClip, Transition, TransitionKind
from shotline.core.timecode import snap_to_frame
from shotline.media.mix import loop_pieces
from shotline.services import sound
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.selection import ShotSelection
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline.geometry import LANE_HEIGHT, SoundBox
from shotline.ui.timeline.sound_gestures import SNAP_PIXELS, snap_targets
from shotline.ui.timeline.sound_rows import WAVE_COLOURS
from tests.clips import make_clip
from tests.ui.shown_timeline import shown_timeline

pytestmark = pytest.mark.ffmpeg

MUSIC_START_US = 400_000
VOICE_START_US = 1_500_000
BEEP_AT = 0.5


@pytest.fixture
def document(app_context: AppContext, project_path: Path, tmp_path: Path) -> Iterator[ProjectDocument]:
    """Three animatic shots, a 3 s music bed (a steady tone) and a 1.5 s voice-over with a beep at 0.5 s."""
    path = project_path
    music = make_clip(tmp_path / "bed.wav", seconds=3, video=False, audio=(44_100, 2))
    voice = make_clip(tmp_path / "line.wav", seconds=1.5, video=False, audio=(48_000, 1), beep_at=BEEP_AT)
    with ProjectSession.open(path) as session:
        sound.add_sound(session, music, "music", MUSIC_START_US)
        sound.add_sound(session, voice, "voice", VOICE_START_US)
        session.save()
    doc = ProjectDocument(app_context, ProjectSession.open(path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def selection() -> ShotSelection:
    return ShotSelection()


@pytest.fixture
def panel(qtbot: QtBot, document: ProjectDocument, selection: ShotSelection) -> TimelinePanel:
    return shown_timeline(qtbot, document, (1000, 320), selection=selection)


def sound_box(panel: TimelinePanel, lane: str) -> SoundBox:
    return next(box for box in panel.canvas.geometry_.sound_boxes if box.clip.lane == lane)


def clip_on(document: ProjectDocument, lane: str) -> AudioClip:
    return next(clip for clip in document.project.audio if clip.lane == lane)


def middle_y(box: SoundBox) -> int:
    return box.row.top + LANE_HEIGHT // 2


def drag(qtbot: QtBot, panel: TimelinePanel, start: QPoint, stops: list[QPoint]) -> None:
    canvas = panel.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for point in stops:
        qtbot.mouseMove(canvas, point)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=stops[-1])


def pixels(panel: TimelinePanel) -> np.ndarray:
    image = panel.canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    row = image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=row * image.height())
    return data.reshape(image.height(), row)[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def colour_mask(picture: np.ndarray, colour: QColor, tolerance: int = 6) -> np.ndarray:
    target = np.array([colour.red(), colour.green(), colour.blue()], dtype=np.int16)
    return np.all(np.abs(picture.astype(np.int16) - target) <= tolerance, axis=2)


def wait_for_waveforms(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    panel.canvas.repaint()
    wanted = {clip.media for clip in document.project.audio}
    qtbot.waitUntil(lambda: all(media in panel.canvas.waveforms for media in wanted), timeout=20_000)


def on_frame(document: ProjectDocument, at_us: int) -> int:
    return snap_to_frame(at_us, document.project.settings.fps)


def quiet_distance(panel: TimelinePanel, document: ProjectDocument, clip: AudioClip, at_least: int) -> int:
    """A drag distance (px) that lands both of the clip's edges more than SNAP_PIXELS from every snap target,
    so the clip moves by exactly that much."""
    geo = panel.canvas.geometry_
    targets = snap_targets(document.project, panel._playhead.position_us, clip.id)
    far = geo.us_for_pixels(SNAP_PIXELS + 1)
    for dx in range(at_least, at_least + 200):
        edges = [edge + geo.us_for_pixels(dx) for edge in (clip.start_us, clip.end_us)]
        if all(abs(edge - t) > far for edge in edges for t in targets):
            return dx
    raise AssertionError("no drag distance clear of snap targets")


# ---------------------------------------------------------------------------------------------- what is drawn


def test_each_lane_has_a_row_with_a_header_and_its_clips_at_their_time(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    geo = panel.canvas.geometry_
    assert [row.lane.id for row in geo.rows] == ["clips", "music", "voice"]
    assert [h.name_label.text() for h in panel.lane_headers.headers] == ["Clip sound", "Music", "Voice-over"]
    for header, row in zip(panel.lane_headers.headers, geo.rows, strict=True):
        # the header sits level with its row on the canvas
        canvas_top = panel.canvas.mapTo(panel, QPoint(0, row.top)).y()
        assert abs(header.mapTo(panel, QPoint(0, 0)).y() - canvas_top) <= 2
    music, voice = sound_box(panel, "music"), sound_box(panel, "voice")
    assert music.row.lane.id == "music" and voice.row.lane.id == "voice"
    assert music.x0 == pytest.approx(geo.x_of(MUSIC_START_US))
    assert voice.x0 == pytest.approx(geo.x_of(VOICE_START_US))
    assert voice.width == pytest.approx(1.5 * panel.pixels_per_second, abs=2)


def test_waveforms_are_drawn_from_the_decoded_sound_at_the_right_time(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    wait_for_waveforms(qtbot, panel, document)
    picture = pixels(panel)
    geo = panel.canvas.geometry_
    voice, music = sound_box(panel, "voice"), sound_box(panel, "music")

    # The voice clip is silence with a beep at 0.5 s: tall waveform columns only around there.
    band = colour_mask(picture[voice.row.top : voice.row.bottom], WAVE_COLOURS[voice.row.lane.kind])
    heights = band.sum(axis=0)
    tall = np.flatnonzero(heights > LANE_HEIGHT * 0.4)
    beep_x = geo.x_of(VOICE_START_US + round(BEEP_AT * 1_000_000))
    beep_end_x = geo.x_of(VOICE_START_US + round((BEEP_AT + 0.1) * 1_000_000))
    assert len(tall) > 0
    assert beep_x - 2 <= tall.min() and tall.max() <= beep_end_x + 2
    assert heights[round(voice.x0) + 3 : round(beep_x) - 3].max() <= 2  # a hairline of silence before it

    # The music bed is a steady tone: its colour fills its span in the music row and nothing before it.
    band = colour_mask(picture[music.row.top : music.row.bottom], WAVE_COLOURS[music.row.lane.kind])
    columns = band.any(axis=0)
    inside = columns[round(music.x0) + 2 : round(music.x1) - 2]
    assert inside.mean() > 0.95
    assert not columns[: round(music.x0) - 1].any()


def test_gain_scales_and_mute_dims_a_waveform(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    wait_for_waveforms(qtbot, panel, document)
    music = clip_on(document, "music")
    colour = WAVE_COLOURS[sound_box(panel, "music").row.lane.kind]

    def filled() -> int:
        box = sound_box(panel, "music")
        return int(colour_mask(pixels(panel)[box.row.top : box.row.bottom], colour).sum())

    normal = filled()
    assert document.execute(commands.set_audio_clip(music.id, gain_db=6.0))
    louder = filled()
    assert louder > normal * 1.5  # +6 dB draws the waveform about twice as tall
    assert document.execute(commands.set_lane("music", muted=True))
    assert filled() < normal * 0.05  # dimmed: the full colour is gone


def test_a_crossfade_overlaps_the_shots_on_the_timeline(panel: TimelinePanel, document: ProjectDocument) -> None:
    first = document.project.shots[0]
    assert document.execute(commands.set_transition(first.id, Transition(TransitionKind.CROSSFADE, 500_000)))
    boxes = panel.canvas.geometry_.boxes
    assert boxes[0].x1 - boxes[1].x0 == pytest.approx(0.5 * panel.pixels_per_second, abs=0.5)
    assert not panel.canvas.grab().isNull()


# ---------------------------------------------------------------------------------------------- gestures


def test_a_click_selects_the_clip_and_shows_it_selected(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    selection.select([document.project.shots[0].id])
    original = document.project
    box = sound_box(panel, "voice")
    qtbot.mouseClick(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(box.x0 + box.width / 2), middle_y(box)))
    assert selection.audio_clip == box.clip_id and selection.ids == ()
    assert document.project is original  # a click moves nothing
    outline = colour_mask(pixels(panel)[box.row.top : box.row.bottom], theme.ACCENT, tolerance=20)
    assert outline[:, round(box.x0) : round(box.x1) + 1].sum() > box.width  # the accent frame around it
    # a click on an empty part of a lane lets go of it
    qtbot.mouseClick(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(box.x1) + 40, middle_y(box)))
    assert selection.audio_clip is None


def test_dragging_a_clip_moves_it_in_time_and_to_another_lane_in_one_undo_step(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    original = document.project
    clip, box = clip_on(document, "voice"), sound_box(panel, "voice")
    dx = quiet_distance(panel, document, clip, 50)
    music_y = middle_y(sound_box(panel, "music"))
    x, y = round(box.x0 + 20), middle_y(box)
    drag(qtbot, panel, QPoint(x, y), [QPoint(x + 10, y), QPoint(x + 30, music_y), QPoint(x + dx, music_y)])

    delta = panel.canvas.geometry_.us_for_pixels(dx)
    landed = on_frame(document, clip.start_us + delta)  # clear of every snap target: the nearest frame of the film
    assert landed != clip.start_us + delta  # (the drag itself ended between frames)
    assert document.project == audio_edits.move_audio_clip(original, clip.id, landed, "music")
    assert document.session.history.undo_label == "Move sound"
    document.undo()
    assert document.project == original
    assert not document.session.history.can_undo


def test_a_drag_onto_the_clip_sound_lane_keeps_the_lane(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    clip, box = clip_on(document, "music"), sound_box(panel, "music")
    clip_sound_y = panel.canvas.geometry_.rows[0].top + LANE_HEIGHT // 2
    x = round(box.x0 + box.width / 2)
    drag(qtbot, panel, QPoint(x, middle_y(box)), [QPoint(x + 20, clip_sound_y), QPoint(x + 40, clip_sound_y)])
    assert document.project.audio_clip(clip.id).lane == "music"
    assert document.project.audio_clip(clip.id).start_us != clip.start_us


def test_a_moved_clip_snaps_to_the_playhead(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    clip, box = clip_on(document, "voice"), sound_box(panel, "voice")
    geo = panel.canvas.geometry_
    panel._playhead.seek(2_345_000)
    landing = round(geo.x_of(2_345_000) - box.x0) + 3  # three pixels past the playhead: drawn onto it
    x, y = round(box.x0 + 10), middle_y(box)
    drag(qtbot, panel, QPoint(x, y), [QPoint(x + 10, y), QPoint(x + landing, y)])
    assert document.project.audio_clip(clip.id).start_us == 2_345_000


def test_dragging_the_edges_trims_the_clip(qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument) -> None:
    original = document.project
    clip = clip_on(document, "music")
    box = sound_box(panel, "music")
    geo = panel.canvas.geometry_
    y = middle_y(box)

    # Right edge 45 px left: the out point comes in by that much.
    end = round(box.x1) - 1
    assert all(abs(geo.x_of(t) - (end - 45)) > SNAP_PIXELS for t in snap_targets(original, 0, clip.id))
    drag(qtbot, panel, QPoint(end, y), [QPoint(end - 20, y), QPoint(end - 45, y)])
    after_out = document.project
    out_us = clip.trim.out_us + geo.us_for_pixels(-45)
    out_us += on_frame(document, clip.start_us + out_us - clip.trim.in_us) - (clip.start_us + out_us - clip.trim.in_us)
    assert after_out == audio_edits.trim_audio_clip(original, clip.id, clip.trim.in_us, out_us)
    assert after_out.audio_clip(clip.id).end_us == on_frame(document, after_out.audio_clip(clip.id).end_us)

    # Left edge 30 px right: the in point moves in and the clip starts later; its end stays put.
    box = sound_box(panel, "music")
    start = round(box.x0) + 1
    drag(qtbot, panel, QPoint(start, y), [QPoint(start + 12, y), QPoint(start + 30, y)])
    trimmed = document.project.audio_clip(clip.id)
    moved_by = on_frame(document, clip.start_us + geo.us_for_pixels(30)) - clip.start_us
    assert trimmed.trim.in_us == clip.trim.in_us + moved_by
    assert trimmed.start_us == clip.start_us + moved_by
    assert trimmed.end_us == after_out.audio_clip(clip.id).end_us

    assert document.session.history.undo_label == "Trim sound"
    document.undo()
    assert document.project == after_out  # each drag is its own step
    document.undo()
    assert document.project == original


def test_delete_removes_the_selected_clip_and_undo_brings_it_back(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    original = document.project
    box = sound_box(panel, "music")
    qtbot.mouseClick(panel.canvas, Qt.MouseButton.LeftButton, pos=QPoint(round(box.x0 + 30), middle_y(box)))
    qtbot.keyClick(panel.canvas, Qt.Key.Key_Delete)
    assert [c.lane for c in document.project.audio] == ["voice"]
    assert selection.audio_clip is None
    assert len(document.project.shots) == 3  # only the sound went
    document.undo()
    assert document.project == original


def test_mute_and_solo_toggle_the_lane_each_as_one_undo_step(panel: TimelinePanel, document: ProjectDocument) -> None:
    original = document.project
    music = panel.lane_headers.header("music")
    music.mute_button.click()
    assert document.project.lane("music").muted
    music.solo_button.click()
    assert document.project.lane("music").solo
    music.mute_button.click()
    assert not document.project.lane("music").muted

    document.undo()
    assert document.project.lane("music").muted and music.mute_button.isChecked()
    document.undo()
    assert not document.project.lane("music").solo and not music.solo_button.isChecked()
    document.undo()
    assert document.project == original and not music.mute_button.isChecked()


# ---------------------------------------------------------------------------------------------- files dropped in


def drop(panel: TimelinePanel, files: list[Path], at: QPoint) -> None:
    """What a drag from the desktop delivers: an enter the canvas accepts, then the drop (sent straight to the
    handlers, as the offscreen platform has no drag manager)."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, Qt.DropAction.CopyAction, data, buttons, keys)
    panel.canvas.dragEnterEvent(enter)
    assert enter.isAccepted()
    panel.canvas.dropEvent(QDropEvent(QPointF(at), Qt.DropAction.CopyAction, data, buttons, keys))


def test_a_wav_dropped_on_a_lane_is_added_there_at_the_drop_time(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument, selection: ShotSelection, tmp_path: Path
) -> None:
    original = document.project
    wav = make_clip(tmp_path / "take two.wav", seconds=0.8, video=False, audio=(48_000, 2), beep_at=0.2)
    geo = panel.canvas.geometry_
    voice_row = geo.rows[2]
    x = round(geo.x_of(3_000_000))
    drop(panel, [wav], QPoint(x, voice_row.top + 10))
    qtbot.waitUntil(lambda: len(document.project.audio) == 3, timeout=20_000)

    added = document.project.audio[-1]
    assert added.lane == "voice" and added.source_name == "take two.wav"
    assert added.start_us == geo.us_at(x)
    assert abs(added.duration_us - 800_000) < 30_000
    assert document.session.bundle.resolve(added.media).is_file()
    assert selection.audio_clip == added.id
    assert any(box.clip_id == added.id for box in panel.canvas.geometry_.sound_boxes)
    document.undo()
    assert document.project == original


def test_a_file_that_is_not_sound_says_so_in_the_message_bar(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"ID3 but nothing after it" * 4)
    with qtbot.waitSignal(document.failed, timeout=20_000) as failed:
        drop(panel, [broken], QPoint(200, panel.canvas.geometry_.rows[1].top + 10))
    assert "broken.mp3" in failed.args[0]
    assert "Traceback" not in failed.args[0]
    assert len(document.project.audio) == 2


def test_sound_dropped_where_it_cannot_go_lands_on_music_and_video_still_goes_to_the_picture(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument, tmp_path: Path
) -> None:
    wav = make_clip(tmp_path / "sting.wav", seconds=0.5, video=False, audio=(48_000, 1))
    video = make_clip(tmp_path / "extra.mp4", seconds=1, size=(320, 180), fps="24", audio=(48_000, 2))
    geo = panel.canvas.geometry_
    before = {shot.id for shot in document.project.shots}
    x = round(geo.x_of(1_000_000))
    drop(panel, [wav, video], QPoint(x, geo.rows[0].top + 10))  # on the clip-sound lane, which holds no clips
    qtbot.waitUntil(lambda: len(document.project.audio) == 3 and len(document.project.shots) == 4, timeout=20_000)
    added = document.project.audio[-1]
    assert (added.lane, added.start_us, added.source_name) == ("music", geo.us_at(x), "sting.wav")
    (new_shot,) = [shot for shot in document.project.shots if shot.id not in before]
    assert new_shot.picked_take is not None and new_shot.picked_take.source_name == "extra.mp4"


def test_a_looped_bed_draws_its_sound_in_every_repeat(
    qtbot: QtBot, panel: TimelinePanel, document: ProjectDocument
) -> None:
    bed = clip_on(document, "music")  # a steady 3 s tone from 0.4 s
    assert document.execute(commands.remove_audio_clip(clip_on(document, "voice").id))  # no ducking to measure
    assert document.execute(commands.trim_audio_clip(bed.id, 0, 1_000_000))
    assert document.execute(commands.fit_audio_clip(bed.id))
    looped = clip_on(document, "music")
    repeats = [piece for piece, _ in loop_pieces(looped)]
    assert len(repeats) >= 3, "the film is long enough for the 1 s bed to repeat"
    wait_for_waveforms(qtbot, panel, document)

    box = sound_box(panel, "music")
    geo = panel.canvas.geometry_
    band = colour_mask(pixels(panel)[box.row.top : box.row.bottom], WAVE_COLOURS[box.row.lane.kind])
    heights = band.sum(axis=0)
    before_fade = [p for p in repeats if p.start_us + p.duration_us // 2 < looped.end_us - looped.fade_out_us]
    for piece in before_fade:  # each repeat in full, before the fit's fade-out at the end lowers it
        middle = round(geo.x_of(piece.start_us + piece.duration_us // 2))
        assert heights[middle - 3 : middle + 3].min() > 6, f"the repeat at {piece.start_us} µs is drawn as silence"
