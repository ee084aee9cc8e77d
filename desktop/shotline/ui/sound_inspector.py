"""Sound controls for the inspector: a shot's own sound and its transition, or one audio clip and its lane.

Every change goes through core.commands as one undo step: repeated changes of one control (spinning a gain) merge,
a checkbox click is a step of its own, and leaving a field ends its step. Before an edit is sent, it is tried on
the current project (edits are pure): a refusal, such as fades longer than the clip, is shown next to the control
that caused it and nothing else happens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shotline.core import commands
from shotline.core.audio_edits import MAX_DUCK_DB, MAX_GAIN_DB, MAX_RELEASE_US, MIN_GAIN_DB
from shotline.core.changes import ProjectChange
from shotline.core.commands import Command
from shotline.core.dialogue import find_line
from shotline.core.errors import ShotlineError
from shotline.core.frames import clock_style, format_clock
from shotline.core.model import AudioClip, AudioLane, Shot, Transition, TransitionKind
from shotline.core.voice_takes import voiced_line
from shotline.services.ledger import FREE, estimate_cost, kinds
from shotline.services.voices import place, voice_takes
from shotline.ui import theme
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.spend_question import ask_then

DEFAULT_CROSSFADE_US = 500_000
"""The length a crossfade starts at when the creator switches a cut to a crossfade (shortened to fit)."""
SECONDS_STEP = 0.1


def gain_spin(parent: QWidget, low: float = MIN_GAIN_DB, high: float = MAX_GAIN_DB) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setRange(low, high)
    spin.setDecimals(1)
    spin.setSingleStep(0.5)
    spin.setSuffix(" dB")
    spin.setKeyboardTracking(False)  # typing "-12" is one change, not "-1" then "-12"
    return spin


class DropSpin(QDoubleSpinBox):
    """A drop in dB, shown as "−12.0 dB" (0 reads "Off"), that takes the drop however it is typed: 15, -15 or −15.

    The value is the size of the drop (positive) so that 0, the spin's minimum, can carry the "Off" text; the sign a
    creator types is the drop's direction, not a different number, so it is read and not refused.
    """

    _MINUS = "-−–"

    def _number(self, text: str) -> str:
        plain = text.strip()
        if plain.endswith(self.suffix().strip()):
            plain = plain[: len(plain) - len(self.suffix().strip())].strip()
        return plain.lstrip(self._MINUS).strip()

    def textFromValue(self, value: float) -> str:
        return f"−{value:.{self.decimals()}f}"

    def valueFromText(self, text: str) -> float:
        if text.strip() == self.specialValueText():
            return self.minimum()
        try:
            return float(self._number(text).replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if self.specialValueText() and text.strip() == self.specialValueText():
            return QValidator.State.Acceptable, text, pos
        number = self._number(text)
        if number in ("", ".", ","):
            return QValidator.State.Intermediate, text, pos
        try:
            value = float(number.replace(",", "."))
        except ValueError:
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


def drop_spin(parent: QWidget, high: float) -> DropSpin:
    spin = DropSpin(parent)
    spin.setRange(0.0, high)
    spin.setDecimals(1)
    spin.setSingleStep(0.5)
    spin.setSuffix(" dB")
    spin.setKeyboardTracking(False)
    return spin


def row_of(parent: QWidget, *widgets: QWidget, stretch_last: bool = False) -> QWidget:
    """Widgets side by side on one form row: the last one stretched, or a stretch after them."""
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets[:-1]:
        row.addWidget(widget)
    row.addWidget(widgets[-1], 1 if stretch_last else 0)
    if not stretch_last:
        row.addStretch(1)
    return holder


def hint_label(text: str, parent: QWidget) -> QLabel:
    """A quiet explanation beside a control; it wraps rather than widening the inspector."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {theme.MUTED.name()}")
    return label


def seconds_spin(parent: QWidget, high_s: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setRange(0.0, high_s)
    spin.setDecimals(2)
    spin.setSingleStep(SECONDS_STEP)
    spin.setSuffix(" s")
    spin.setKeyboardTracking(False)
    return spin


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


class _Section(QGroupBox):
    """A titled form whose controls each send one command; refusals appear under the control that caused them."""

    def __init__(self, title: str, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.document = document
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrowed dock puts fields under labels
        self._errors: dict[QWidget, QLabel] = {}
        self._last_control: QWidget | None = None
        self._updating = False

    def add_row(self, label: str, control: QWidget) -> QWidget:
        """Add `control` with an (empty, hidden) message line under it for refusals."""
        self.form.addRow(label, control)
        error = QLabel(self)
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {theme.DANGER.name()}")
        self.form.addRow("", error)
        self.form.setRowVisible(error, False)
        self._errors[control] = error
        control.installEventFilter(self)
        return control

    def error_label(self, control: QWidget) -> QLabel:
        """The line under `control` where its refusals appear."""
        return self._errors[control]

    def error_text(self, control: QWidget) -> str:
        """The refusal shown next to `control` ("" when none)."""
        label = self._errors[control]
        return label.text() if self.form.isRowVisible(label) else ""

    def _show_error(self, control: QWidget, message: str) -> None:
        label = self._errors[control]
        label.setText(message)
        self.form.setRowVisible(label, bool(message))

    def clear_errors(self) -> None:
        for control in self._errors:
            self._show_error(control, "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.document.seal()  # leaving a field ends its undo step
            self._last_control = None
        return super().eventFilter(watched, event)

    def send(self, control: QWidget, command: Command, *, gesture: bool = False) -> bool:
        """Try `command` on the project; show why not next to `control`, else execute it as (part of) one step.

        `gesture` edits (spin boxes) merge with the previous edit of the same control; others stand alone.
        """
        if self._updating:
            return False
        try:
            command.apply(self.document.project)
        except ShotlineError as error:
            self._show_error(control, describe(error))
            return False
        self._show_error(control, "")
        if not gesture or control is not self._last_control:
            self.document.seal()
        self._last_control = control if gesture else None
        done = self.document.execute(command)
        if not gesture:
            self.document.seal()
        return done

    def showing(self, fill: Callable[[], Any]) -> None:
        """Write the model's values into the controls without sending them back as edits."""
        self._updating = True
        try:
            fill()
        finally:
            self._updating = False


def _set_spin(spin: QDoubleSpinBox, value: float) -> None:
    if abs(spin.value() - value) > 1e-9:
        spin.setValue(value)


class ShotSoundSection(_Section):
    """The selected shot's own sound (gain, mute, solo) and how it hands over to the next shot. (A shot with
    dialogue lines carries speech, which the music ducks under: the dialogue section edits them.)"""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__("Shot sound", document, parent)
        self.shot_id: str | None = None
        self.gain_spin = gain_spin(self)
        self.gain_spin.setToolTip("How much louder or quieter this shot's own sound plays")
        self.mute_check = QCheckBox("Mute", self)
        self.solo_check = QCheckBox("Solo", self)
        self.solo_check.setToolTip("While anything is soloed, only soloed sound plays")
        self.transition_combo = QComboBox(self)
        self.transition_combo.addItem("Cut", TransitionKind.CUT.value)
        self.transition_combo.addItem("Crossfade", TransitionKind.CROSSFADE.value)
        self.transition_combo.setToolTip("How this shot hands over to the next one, in picture and sound")
        self.crossfade_spin = seconds_spin(self, 3600.0)
        self.crossfade_spin.setToolTip("How long the two shots overlap")

        toggles = row_of(self, self.mute_check, self.solo_check)
        transition = row_of(self, self.transition_combo, self.crossfade_spin, stretch_last=True)
        self.transition_row = transition

        self.add_row("Gain", self.gain_spin)
        self.add_row("", toggles)
        self.add_row("Into next shot", transition)

        self.gain_spin.valueChanged.connect(
            lambda v: self._sound(self.gain_spin, gesture=True, gain_db=round(float(v), 2))
        )
        self.mute_check.toggled.connect(lambda on: self._sound(toggles, muted=on))
        self.solo_check.toggled.connect(lambda on: self._sound(toggles, solo=on))
        self.transition_combo.activated.connect(self._kind_chosen)
        self.crossfade_spin.valueChanged.connect(self._length_changed)
        self.toggles = toggles
        document.changed.connect(self._on_changed)
        self.show_shot(None)

    @property
    def shot(self) -> Shot | None:
        project = self.document.project
        return project.shot(self.shot_id) if self.shot_id and project.has_shot(self.shot_id) else None

    def show_shot(self, shot_id: str | None) -> None:
        if shot_id != self.shot_id:
            self.clear_errors()
            self._last_control = None
        self.shot_id = shot_id
        self._refresh()

    def _on_changed(self, change: ProjectChange) -> None:
        if self.shot_id is not None and (change.updated or change.added or change.removed or change.reordered):
            self._refresh()  # the next shot's length limits the crossfade, so any shot change may matter

    def _is_last(self, shot: Shot) -> bool:
        return self.document.project.index_of(shot.id) == len(self.document.project.shots) - 1

    def _limit_us(self, shot: Shot) -> int:
        """The longest crossfade this shot and the next allow (half of the shorter one)."""
        project = self.document.project
        index = project.index_of(shot.id)
        if index == len(project.shots) - 1:
            return 0
        return min(shot.duration_us, project.shots[index + 1].duration_us) // 2

    def _refresh(self) -> None:
        shot = self.shot
        self.setVisible(shot is not None)
        if shot is None:
            return

        def fill() -> None:
            _set_spin(self.gain_spin, shot.gain_db)
            self.mute_check.setChecked(shot.muted)
            self.solo_check.setChecked(shot.solo)
            last = self._is_last(shot)
            self.transition_row.setEnabled(not last)
            self.transition_row.setToolTip("The last shot has no next shot to hand over to." if last else "")
            crossfade = shot.transition_out.kind is TransitionKind.CROSSFADE
            self.transition_combo.setCurrentIndex(1 if crossfade else 0)
            self.crossfade_spin.setMaximum(max(self._limit_us(shot), 0) / 1e6)
            self.crossfade_spin.setEnabled(crossfade)
            if crossfade:
                _set_spin(self.crossfade_spin, shot.transition_out.duration_us / 1e6)

        self.showing(fill)

    def _sound(self, control: QWidget, *, gesture: bool = False, **changes: Any) -> None:
        if self.shot_id is not None:
            self.send(control, commands.set_shot_sound(self.shot_id, **changes), gesture=gesture)

    def _transition(self, transition: Transition, *, gesture: bool = False) -> None:
        if self.shot_id is None:
            return
        command = commands.set_transition(self.shot_id, transition)
        # a length spin is one gesture: its steps merge into one undo step
        command = dataclasses.replace(command, merge_key=("transition", self.shot_id))
        self.send(self.transition_row, command, gesture=gesture)

    def _kind_chosen(self, index: int) -> None:
        shot = self.shot
        if shot is None or self._updating:
            return
        if self.transition_combo.itemData(index) == TransitionKind.CUT.value:
            self._transition(Transition())
            return
        length = min(DEFAULT_CROSSFADE_US, self._limit_us(shot)) or DEFAULT_CROSSFADE_US
        self._transition(Transition(TransitionKind.CROSSFADE, length))
        self._refresh()  # a refused crossfade puts the combo back on Cut

    def _length_changed(self, seconds: float) -> None:
        if self.transition_combo.currentData() == TransitionKind.CROSSFADE.value:
            self._transition(Transition(TransitionKind.CROSSFADE, _us(seconds)), gesture=True)


class AudioClipSection(_Section):
    """One music or voice-over clip: what and where it is, its gain, mute, solo and fades."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__("Sound clip", document, parent)
        self.clip_id: str | None = None
        self.name_label = QLabel(self)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long file name is cut short rather than widening the dock; the tooltip has all of it
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.lane_label = QLabel(self)
        self.place_label = QLabel(self)
        self.place_label.setWordWrap(True)
        self.gain_spin = gain_spin(self)
        self.mute_check = QCheckBox("Mute", self)
        self.solo_check = QCheckBox("Solo", self)
        self.solo_check.setToolTip("While anything is soloed, only soloed sound plays")
        self.fade_in_spin = seconds_spin(self, 3600.0)
        self.fade_out_spin = seconds_spin(self, 3600.0)
        self.delete_button = QPushButton(theme.icon("delete"), "Delete sound clip", self)
        self.delete_button.setToolTip("Take this clip off its lane (Ctrl+Z brings it back)")
        self.fit_button = QPushButton("Fit to the film", self)
        self.fit_button.setToolTip("Loop a shorter sound to the film's end, or cut a longer one there with a fade-out")
        # a dialogue line's voice clip: its takes to pick, and the line spoken again (services.voices)
        self.voice_takes = QComboBox(self)
        self.voice_takes.setToolTip("The takes of this line's voice: the one chosen plays here")
        self.speak_again = QPushButton("Speak again", self)
        self.speak_again.setToolTip("Speak this line again with its speaker's voice: a new take, played here")
        self.voice_row = row_of(self, self.voice_takes, self.speak_again, stretch_last=False)

        toggles = row_of(self, self.mute_check, self.solo_check)
        self.toggles = toggles
        self.form.addRow("File", self.name_label)
        self.form.addRow("Lane", self.lane_label)
        self.form.addRow("Plays", self.place_label)
        self.add_row("Gain", self.gain_spin)
        self.add_row("", toggles)
        self.add_row("Fade in", self.fade_in_spin)
        self.add_row("Fade out", self.fade_out_spin)
        self.form.addRow("Voice take", self.voice_row)
        self.add_row("", self.fit_button)  # with a line under it saying why, when the film has no room for it
        self.form.addRow("", self.delete_button)

        self.voice_takes.activated.connect(self._pick_voice_take)
        self.speak_again.clicked.connect(self._speak_again)
        self.gain_spin.valueChanged.connect(
            lambda v: self._clip(self.gain_spin, gesture=True, gain_db=round(float(v), 2))
        )
        self.mute_check.toggled.connect(lambda on: self._clip(toggles, muted=on))
        self.fit_button.clicked.connect(self._fit)
        self.solo_check.toggled.connect(lambda on: self._clip(toggles, solo=on))
        self.fade_in_spin.valueChanged.connect(lambda s: self._clip(self.fade_in_spin, gesture=True, fade_in_us=_us(s)))
        self.fade_out_spin.valueChanged.connect(
            lambda s: self._clip(self.fade_out_spin, gesture=True, fade_out_us=_us(s))
        )

    def clip(self) -> AudioClip | None:
        return next((c for c in self.document.project.audio if c.id == self.clip_id), None)

    def _fit(self) -> None:
        if self.clip_id is not None:
            self.send(self.fit_button, commands.fit_audio_clip(self.clip_id))

    def show_clip(self, clip_id: str | None) -> None:
        if clip_id != self.clip_id:
            self.clear_errors()
            self._last_control = None
        self.clip_id = clip_id
        self.refresh()

    def refresh(self) -> None:
        clip = self.clip()
        if clip is None:
            return

        def fill() -> None:
            name = clip.source_name or PurePosixPath(clip.media).name
            self.name_label.setText(name)
            self.name_label.setToolTip(f"{name}\n{clip.media}")
            self.lane_label.setText(self.document.project.lane(clip.lane).name)
            # in the clock the creator reads everywhere else (timecode unless they chose seconds)
            style = clock_style(self.document.ctx.settings.clock_style)
            fps = self.document.project.settings.fps

            def when(us: int) -> str:
                return format_clock(us, fps, style)

            self.place_label.setText(
                f"from {when(clip.start_us)} for {when(clip.duration_us)} "
                f"(source {when(clip.trim.in_us)}–{when(clip.trim.out_us)}"
                f"{', looped' if clip.loop_us > clip.trim.duration_us else ''})"
            )
            self._show_voice_takes(clip)
            _set_spin(self.gain_spin, clip.gain_db)
            self.mute_check.setChecked(clip.muted)
            self.solo_check.setChecked(clip.solo)
            for spin in (self.fade_in_spin, self.fade_out_spin):
                spin.setMaximum(clip.duration_us / 1e6)
            # a refused fade stays as typed, next to its message, until the creator changes it
            if not self.error_text(self.fade_in_spin):
                _set_spin(self.fade_in_spin, clip.fade_in_us / 1e6)
            if not self.error_text(self.fade_out_spin):
                _set_spin(self.fade_out_spin, clip.fade_out_us / 1e6)

        self.showing(fill)

    def _clip(self, control: QWidget, *, gesture: bool = False, **changes: Any) -> None:
        if self.clip_id is not None:
            self.send(control, commands.set_audio_clip(self.clip_id, **changes), gesture=gesture)

    def _show_voice_takes(self, clip: AudioClip) -> None:
        line = voiced_line(self.document.project, clip.id)
        self.form.setRowVisible(self.voice_row, line is not None)
        self.voice_takes.clear()
        if line is None:
            return
        takes = voice_takes(self.document.jobs(), line.id)
        for number, take in enumerate(takes, start=1):
            self.voice_takes.addItem(f"Take {number} · {take.backend} · {take.voice or 'default voice'}", take.job_id)
        self.voice_takes.setCurrentIndex(next((i for i, t in enumerate(takes) if t.media == clip.media), -1))

    def _pick_voice_take(self, index: int) -> None:
        clip = self.clip()
        line = voiced_line(self.document.project, clip.id) if clip is not None else None
        chosen = self.voice_takes.itemData(index)
        take = (
            next((t for t in voice_takes(self.document.jobs(), line.id) if t.job_id == chosen), None) if line else None
        )
        if take is None or clip is None or take.media == clip.media:
            return
        try:
            place(self.document.session, take)
        except ShotlineError as error:
            self.document.failed.emit(describe(error))
            return
        self.document.history_changed.emit()

    def _speak_again(self) -> None:
        clip = self.clip()
        line = voiced_line(self.document.project, clip.id) if clip is not None else None
        if line is None:
            return
        shot, _ = find_line(self.document.project, line.id)
        try:
            records = self.document.plan_voices(shot.id, line.id)
        except ShotlineError as error:
            self.document.failed.emit(describe(error))
            return
        kind_of = kinds(self.document.ctx.registry)
        planned = sum((estimate_cost(r.estimated_cost, kind_of(r.backend)) for r in records), FREE)
        ask_then(
            self,
            self.document,
            planned,
            1,
            lambda: self.document.speak(records),
            doing="Speaking 1 line",
            title="This voice costs money",
        )


class LaneSection(_Section):
    """The settings of the lane the selected clip sits on: they apply to every clip on it."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__("Lane", document, parent)
        self.lane_id: str | None = None
        self.gain_spin = gain_spin(self)
        self.mute_check = QCheckBox("Mute lane", self)
        self.solo_check = QCheckBox("Solo lane", self)
        # shown as a positive drop so that 0, the spin's minimum, can read "Off"; the model stores it as <= 0
        self.duck_spin = drop_spin(self, -MAX_DUCK_DB)
        self.duck_spin.setSpecialValueText("Off")
        self.duck_spin.setToolTip("How far this lane drops while dialogue or voice-over plays (Off = not at all)")
        self.release_spin = seconds_spin(self, MAX_RELEASE_US / 1e6)
        self.release_spin.setToolTip("How long the lane takes to come back up after the speech ends")

        toggles = row_of(self, self.mute_check, self.solo_check)
        self.toggles = toggles
        self.add_row("Lane gain", self.gain_spin)
        self.add_row("", toggles)
        self.add_row("Duck under speech", self.duck_spin)
        self.add_row("Release", self.release_spin)

        self.gain_spin.valueChanged.connect(
            lambda v: self._lane(self.gain_spin, gesture=True, gain_db=round(float(v), 2))
        )
        self.mute_check.toggled.connect(lambda on: self._lane(toggles, muted=on))
        self.solo_check.toggled.connect(lambda on: self._lane(toggles, solo=on))
        self.duck_spin.valueChanged.connect(
            lambda v: self._lane(self.duck_spin, gesture=True, duck_db=-round(float(v), 2) or 0.0)
        )
        self.release_spin.valueChanged.connect(
            lambda s: self._lane(self.release_spin, gesture=True, duck_release_us=_us(s))
        )

    def lane(self) -> AudioLane | None:
        return next((la for la in self.document.project.lanes if la.id == self.lane_id), None)

    def show_lane(self, lane_id: str | None) -> None:
        if lane_id != self.lane_id:
            self.clear_errors()
            self._last_control = None
        self.lane_id = lane_id
        self.refresh()

    def refresh(self) -> None:
        lane = self.lane()
        if lane is None:
            return
        self.setTitle(f"Lane: {lane.name}")

        def fill() -> None:
            _set_spin(self.gain_spin, lane.gain_db)
            self.mute_check.setChecked(lane.muted)
            self.solo_check.setChecked(lane.solo)
            _set_spin(self.duck_spin, -lane.duck_db)
            _set_spin(self.release_spin, lane.duck_release_us / 1e6)
            self.release_spin.setEnabled(lane.duck_db < 0)

        self.showing(fill)

    def _lane(self, control: QWidget, *, gesture: bool = False, **changes: Any) -> None:
        if self.lane_id is not None:
            self.send(control, commands.set_lane(self.lane_id, **changes), gesture=gesture)


class AudioClipPanel(QWidget):
    """What the inspector shows when an audio clip is selected: the clip, its lane, and a Delete button."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.clip_section = AudioClipSection(document, self)
        self.lane_section = LaneSection(document, self)
        column = QVBoxLayout(self)
        column.addWidget(self.clip_section)
        column.addWidget(self.lane_section)
        column.addStretch(1)
        self.clip_section.delete_button.clicked.connect(self.delete_clip)
        document.changed.connect(self._on_changed)
        self.show_clip(None)

    @property
    def clip_id(self) -> str | None:
        return self.clip_section.clip_id

    def show_clip(self, clip_id: str | None) -> None:
        self.clip_section.show_clip(clip_id)
        clip = self.clip_section.clip()
        self.lane_section.show_lane(clip.lane if clip else None)
        self.setVisible(clip is not None)

    def _on_changed(self, change: ProjectChange) -> None:
        if change.audio and self.clip_id is not None:
            self.show_clip(self.clip_id)  # the clip may have moved lanes, or gone (undo of its add)

    def delete_clip(self) -> None:
        if self.clip_id is not None:
            self.document.seal()
            self.document.execute(commands.remove_audio_clip(self.clip_id))
            self.document.seal()
