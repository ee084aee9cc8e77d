"""The inspector's sound controls through their widgets: each changes the model as one undo step, refusals are shown
next to the control, and a selected audio clip shows the clip and its lane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from shotline.core import audio_edits
from shotline.core.frames import ClockStyle, format_clock
from shotline.core.model import MUSIC_LANE, AudioClip, Transition, TransitionKind
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.services.sound import add_sound
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument
from shotline.ui.inspector import InspectorPanel
from shotline.ui.selection import ShotSelection
from tests.clips import make_clip


@pytest.fixture
def document(app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


@pytest.fixture
def selection() -> ShotSelection:
    return ShotSelection()


@pytest.fixture
def inspector(document: ProjectDocument, selection: ShotSelection, qtbot) -> InspectorPanel:
    panel = InspectorPanel(document, selection)
    qtbot.addWidget(panel)
    panel.resize(480, 1200)
    panel.show()
    return panel


@pytest.fixture
def music(document: ProjectDocument, tmp_path: Path) -> AudioClip:
    """A 2 s music clip (real WAV, probed and copied into the project) on the music lane at 0.5 s."""
    path = make_clip(tmp_path / "theme.wav", seconds=2.0, video=False, audio=(48_000, 2))
    return add_sound(document.session, path, MUSIC_LANE, 500_000)


def one_step(document: ProjectDocument, change) -> None:
    """Run `change` (through widgets); it must alter the project, and one undo must restore it exactly (so however
    many values the control passed through, they were one step)."""
    before = document.project
    change()
    assert document.project != before
    document.undo()
    assert document.project == before


def test_shot_sound_controls_each_change_the_shot_in_one_step(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    shot_id = document.project.shots[0].id
    selection.select([shot_id])
    sound = inspector.sound
    assert sound.isVisibleTo(inspector)
    shot = lambda: document.project.shot(shot_id)  # noqa: E731

    def spin_gain() -> None:  # a spin-box drag: many values, one step
        for value in (-1.0, -2.0, -3.5):
            sound.gain_spin.setValue(value)
        assert shot().gain_db == -3.5

    one_step(document, spin_gain)
    one_step(document, lambda: sound.mute_check.setChecked(True))
    one_step(document, lambda: sound.solo_check.setChecked(True))
    sound.solo_check.setChecked(True)
    assert shot().solo and sound.solo_check.isChecked()
    document.undo()
    assert not shot().solo and not sound.solo_check.isChecked()  # the control follows the model back


def test_two_clicks_on_one_checkbox_are_two_steps(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    shot_id = document.project.shots[0].id
    selection.select([shot_id])
    inspector.sound.mute_check.setChecked(True)
    inspector.sound.mute_check.setChecked(False)
    document.undo()
    assert document.project.shot(shot_id).muted and inspector.sound.mute_check.isChecked()


def test_crossfade_into_the_next_shot_and_its_length(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    first = document.project.shots[0]
    selection.select([first.id])
    sound = inspector.sound
    assert sound.transition_row.isEnabled() and not sound.crossfade_spin.isEnabled()

    def choose_crossfade() -> None:
        sound.transition_combo.setCurrentIndex(1)
        sound.transition_combo.activated.emit(1)

    one_step(document, choose_crossfade)
    choose_crossfade()
    transition = document.project.shot(first.id).transition_out
    assert transition == Transition(TransitionKind.CROSSFADE, 500_000)
    assert sound.crossfade_spin.isEnabled() and sound.crossfade_spin.value() == pytest.approx(0.5)

    def drag_length() -> None:
        for seconds in (0.4, 0.3, 0.25):
            sound.crossfade_spin.setValue(seconds)

    one_step(document, drag_length)
    drag_length()
    assert document.project.shot(first.id).transition_out.duration_us == 250_000
    # the spin cannot go past half of the shorter shot (shot 1 is 1.5 s, shot 2 is 2 s)
    assert sound.crossfade_spin.maximum() == pytest.approx(0.75)
    sound.transition_combo.setCurrentIndex(0)
    sound.transition_combo.activated.emit(0)
    assert document.project.shot(first.id).transition_out == Transition()
    assert not sound.crossfade_spin.isEnabled()


def test_the_last_shot_has_no_transition_to_choose(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection
) -> None:
    selection.select([document.project.shots[-1].id])
    assert not inspector.sound.transition_row.isEnabled()
    selection.select([document.project.shots[0].id])
    assert inspector.sound.transition_row.isEnabled()


def test_a_selected_audio_clip_shows_the_clip_and_its_lane(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection, music: AudioClip
) -> None:
    assert not inspector.audio_clip_panel.isVisibleTo(inspector)
    selection.select_audio_clip(music.id)
    panel = inspector.audio_clip_panel
    assert panel.isVisibleTo(inspector) and not inspector.scroller.isVisibleTo(inspector)
    assert not inspector.empty.isVisibleTo(inspector)
    clip = panel.clip_section
    assert clip.name_label.text() == "theme.wav"
    assert clip.lane_label.text() == "Music"
    fps = document.project.settings.fps
    start, length = (format_clock(us, fps, ClockStyle.FRAMES) for us in (500_000, 2_000_000))
    assert f"from {start} for {length}" in clip.place_label.text()  # the clock the player reads, not milliseconds
    lane = panel.lane_section
    assert lane.duck_spin.value() == pytest.approx(12.0)  # the music lane ducks 12 dB by default
    selection.select([document.project.shots[0].id])
    assert not panel.isVisibleTo(inspector) and inspector.scroller.isVisibleTo(inspector)


def test_audio_clip_controls_each_change_the_clip_in_one_step(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection, music: AudioClip
) -> None:
    selection.select_audio_clip(music.id)
    section = inspector.audio_clip_panel.clip_section
    clip = lambda: document.project.audio_clip(music.id)  # noqa: E731

    def spin_gain() -> None:
        for value in (1.0, 2.0, 6.0):
            section.gain_spin.setValue(value)

    one_step(document, spin_gain)
    one_step(document, lambda: section.mute_check.setChecked(True))
    one_step(document, lambda: section.solo_check.setChecked(True))

    def fades() -> None:
        for seconds in (0.1, 0.2, 0.3):
            section.fade_in_spin.setValue(seconds)

    one_step(document, fades)
    one_step(document, lambda: section.fade_out_spin.setValue(0.75))
    section.fade_in_spin.setValue(0.3)
    section.fade_out_spin.setValue(0.75)
    assert (clip().fade_in_us, clip().fade_out_us) == (300_000, 750_000)
    section.gain_spin.setValue(-6.0)
    section.mute_check.setChecked(True)
    expected = audio_edits.set_audio_clip(document.project, music.id, gain_db=-6.0, muted=True)
    assert document.project == expected


def test_fades_longer_than_the_clip_are_explained_next_to_the_control(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection, music: AudioClip
) -> None:
    selection.select_audio_clip(music.id)
    section = inspector.audio_clip_panel.clip_section
    section.fade_in_spin.setValue(1.5)
    before = document.project
    section.fade_out_spin.setValue(1.0)  # 1.5 s + 1.0 s of fades on a 2 s clip
    assert document.project == before  # refused: nothing changed, nothing to undo
    message = section.error_text(section.fade_out_spin)
    assert "longer than the clip" in message and "shorten them" in message
    assert "Traceback" not in message and section.error_text(section.fade_in_spin) == ""
    label = section.error_label(section.fade_out_spin)
    assert label.isVisibleTo(inspector)
    assert section.fade_out_spin.value() == pytest.approx(1.0)  # the refused value stays, next to why
    section.fade_out_spin.setValue(0.5)
    assert document.project.audio_clip(music.id).fade_out_us == 500_000
    assert section.error_text(section.fade_out_spin) == "" and not label.isVisibleTo(inspector)


def test_lane_controls_change_the_clips_lane_in_one_step(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection, music: AudioClip
) -> None:
    selection.select_audio_clip(music.id)
    lane = inspector.audio_clip_panel.lane_section
    music_lane = lambda: document.project.lane(MUSIC_LANE)  # noqa: E731
    assert lane.title() == "Lane: Music"

    def spin_gain() -> None:
        for value in (-1.0, -4.0):
            lane.gain_spin.setValue(value)

    one_step(document, spin_gain)
    one_step(document, lambda: lane.mute_check.setChecked(True))
    one_step(document, lambda: lane.solo_check.setChecked(True))

    def duck_deeper() -> None:
        for drop in (13.0, 15.0, 18.0):
            lane.duck_spin.setValue(drop)

    one_step(document, duck_deeper)
    one_step(document, lambda: lane.release_spin.setValue(1.2))
    lane.duck_spin.setValue(18.0)
    lane.release_spin.setValue(1.2)
    assert (music_lane().duck_db, music_lane().duck_release_us) == (-18.0, 1_200_000)
    lane.duck_spin.setValue(0.0)
    assert music_lane().duck_db == 0.0 and lane.duck_spin.text() == "Off"
    assert not lane.release_spin.isEnabled()  # no ducking, nothing to release


def test_delete_takes_the_clip_off_its_lane_and_undo_brings_it_back(
    inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection, music: AudioClip
) -> None:
    selection.select_audio_clip(music.id)
    panel = inspector.audio_clip_panel
    before = document.project
    panel.clip_section.delete_button.click()
    assert document.project.audio == ()
    assert not panel.isVisibleTo(inspector) and inspector.empty.isVisibleTo(inspector)
    document.undo()
    assert document.project == before
    assert panel.isVisibleTo(inspector) and panel.clip_section.name_label.text() == "theme.wav"


@pytest.mark.parametrize("typed", ["-15", "−15", "15"])
def test_duck_takes_the_drop_however_its_sign_is_typed(
    qtbot, inspector: InspectorPanel, document: ProjectDocument, selection: ShotSelection, music: AudioClip, typed
) -> None:
    """Issue 14, point 15: typing "-15" into Duck set nothing (the field only took its own "−" sign)."""
    selection.select_audio_clip(music.id)
    spin = inspector.audio_clip_panel.lane_section.duck_spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    if typed.isascii():
        qtbot.keyClicks(spin.lineEdit(), typed)
    else:
        spin.lineEdit().insert(typed)  # pasted: QTest cannot type a character outside Latin-1
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert document.project.lane(MUSIC_LANE).duck_db == -15.0, spin.text()
    assert spin.text() == "−15.0 dB"
