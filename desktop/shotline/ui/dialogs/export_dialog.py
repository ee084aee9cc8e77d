"""The export dialog: where to, which frame, format, loudness and part of the film; then a render with progress,
time left and cancel, and afterwards the measured loudness of the result.

A line under the choices says which route the export will take (a lossless copy or a re-encode) and why, refreshed
whenever a choice or the project changes; when cuts between keyframes stand in the way of a copy, a button snaps them
to keyframes as one undo step. The render runs on the async runner; progress and the outcome come back through the
document's bridge, so the window never waits. A cancelled or failed render leaves nothing at the target (the
renderer writes a hidden temporary file and only renames it once it plays). A file already at the target is
replaced only once the creator says so, and a file the project uses never is (`services.export_target`). The choices
are kept for next time.

Whether the film can be signed with Content Credentials (C2PA) is the signing box's to find out
(`ui.dialogs.export_signing`). A signing that fails leaves the previous file as it was.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core.changes import ProjectChange
from shotline.core.errors import ShotlineError, TargetExists
from shotline.core.frames import clock_style, format_clock
from shotline.core.model import Codec, ExportSettings, Fit, Trim
from shotline.core.timecode import format_fps
from shotline.core.timeline import film_length_us
from shotline.services.content_credentials import SigningIdentity, start_signing_check
from shotline.services.export import ExportReport, plan, shot_range, start_export
from shotline.services.export_target import check_target
from shotline.services.lossless import snap_cuts_to_keyframes
from shotline.services.preferences import remember_export_choices
from shotline.services.presets import CODECS, FITS, PRESETS, ExportPreset, export_settings
from shotline.ui import theme
from shotline.ui.clock_field import ClockField
from shotline.ui.dialogs.export_captions import CaptionChoices
from shotline.ui.dialogs.export_choices import (
    LOUDNESS,
    RANGE,
    SCOPES,
    SELECTED_SHOT,
    WHOLE_FILM,
    ExportChoices,
    default_output,
    describe_loudness,
    sentence,
    with_extension,
)
from shotline.ui.dialogs.export_outcome import ExportOutcome
from shotline.ui.dialogs.export_route import RouteLine
from shotline.ui.dialogs.export_signing import SigningChoice
from shotline.ui.dialogs.fit import grow_to_fit
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.progress_readout import (
    PROGRESS_STEPS,
    time_left,
)

if TYPE_CHECKING:
    from shotline.jobs.runner import JobHandle

log = logging.getLogger(__name__)


__all__ = [
    "PROGRESS_STEPS",
    "RANGE",
    "SELECTED_SHOT",
    "WHOLE_FILM",
    "ExportChoices",
    "ExportDialog",
    "default_output",
    "describe_loudness",
    "time_left",
    "with_extension",
]
"""The choices and the progress readout live in their own modules; these names stay importable from here."""


class ExportDialog(QDialog):
    """Pick a file, a frame, a format and what to export, then Export; stays open for progress and the result."""

    def __init__(
        self, document: ProjectDocument, parent: QWidget | None = None, *, selected_shot: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export film")
        self.setMinimumWidth(560)
        self._document = document
        self._selected_shot = selected_shot
        self._handle: JobHandle[ExportReport] | None = None
        self.outcome = ExportOutcome(document, self)
        self._replace_agreed: Path | None = None
        """A file the creator already agreed to replace, in the file chooser (which asks by itself)."""
        self._building = True
        self._build()
        self._show_choices(ExportChoices.recall(dict(document.ctx.settings.export_choices)))
        self._building = False
        document.changed.connect(self._on_project_changed)
        self.refresh()
        document.bridge.watch(
            start_signing_check(document.ctx),
            lambda identity: self.signing.possible(identity, exporting=self.is_exporting),
            self.signing.impossible,
            owner=self,
        )

    # ------------------------------------------------------------------------------------------ layout

    def _combo(self, tip: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        for label, data in items:
            combo.addItem(label, data)
        combo.setToolTip(tip)
        combo.currentIndexChanged.connect(self.refresh)
        return combo

    def _build(self) -> None:
        self.path_edit = QLineEdit(self)
        self.path_edit.setToolTip("The file to write; its ending follows the format")
        self.browse_button = QPushButton("Choose…", self)
        self.browse_button.setToolTip("Choose where to save the film")
        self.browse_button.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)

        self.preset_combo = self._combo("Frame size of the exported film", [(p.name, p.name) for p in PRESETS])
        for index, preset in enumerate(PRESETS):
            self.preset_combo.setItemData(index, preset.description, Qt.ItemDataRole.ToolTipRole)
        self.fit_combo = self._combo(
            "What happens where a shot's shape differs from the frame", [(label, fit) for fit, label in FITS]
        )
        self.format_combo = self._combo("The kind of file to write", [(label, codec) for codec, label in CODECS])
        self.format_combo.currentIndexChanged.connect(self._format_chosen)
        self.loudness_combo = self._combo(
            "Normalise the sound to a loudness target (EBU R128, measured on the encoded file; peaks kept under −1 dB)",
            [(label, key) for label, key, _ in LOUDNESS],
        )
        self.scope_combo = self._combo("Export all of the film or only part of it", list(SCOPES))
        scopes = self.scope_combo.model()
        assert isinstance(scopes, QStandardItemModel)  # a plain combo's own model
        scopes.item(1).setEnabled(self._selected_shot is not None)
        duration_s = film_length_us(self._document.project) / 1e6
        self.from_spin = self._seconds(0.0, duration_s)
        self.to_spin = self._seconds(duration_s, duration_s)
        range_row = QHBoxLayout()
        range_row.addWidget(QLabel("from", self))
        range_row.addWidget(self.from_spin, 1)
        range_row.addWidget(QLabel("to", self))
        range_row.addWidget(self.to_spin, 1)
        self.range_widget = QWidget(self)
        self.range_widget.setLayout(range_row)
        range_row.setContentsMargins(0, 0, 0, 0)
        self.hardware_check = QCheckBox("Use a hardware encoder when available", self)
        self.hardware_check.setToolTip("Faster on machines with one; Shotline falls back to software if it fails")
        self.hardware_check.toggled.connect(self.refresh)
        self.signing = SigningChoice(self)
        self.sign_check, self.sign_note = self.signing.check, self.signing.note
        self.captions = CaptionChoices(self)
        self.captions.changed.connect(self.refresh)

        self.summary = QLabel(self)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.route = RouteLine(self._document, self)
        self.route_label, self.snap_button = self.route.label, self.route.snap_button
        self.snap_button.clicked.connect(self.snap_cuts)

        form = QFormLayout()
        form.addRow("Save as", path_row)
        form.addRow("Preset", self.preset_combo)
        form.addRow("Shape", self.fit_combo)
        form.addRow("Format", self.format_combo)
        form.addRow("Loudness", self.loudness_combo)
        form.addRow("Export", self.scope_combo)
        form.addRow("", self.range_widget)
        form.addRow("Captions", self.captions)
        form.addRow("", self.hardware_check)
        form.addRow("", self.sign_check)
        form.addRow("", self.sign_note)
        form.addRow("Film", self.summary)
        form.addRow("Route", self.route_label)
        form.addRow("", self.snap_button)
        self.form = form

        outcome = self.outcome
        self.progress, self.status, self.measured = outcome.progress, outcome.status, outcome.measured
        self.show_button, self.play_button = outcome.show_button, outcome.play_button
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.setToolTip("Close (Esc); while exporting, cancel the export")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.export_button = QPushButton(theme.icon("export"), "Export", self)
        self.export_button.setDefault(True)
        self.export_button.setToolTip(f"Render the film ({QKeySequence('Ctrl+Return').toString()})")
        self.export_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.export_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)

        layout_ = QVBoxLayout(self)
        layout_.addLayout(form)
        layout_.addWidget(self.progress)
        layout_.addWidget(self.status)
        layout_.addWidget(self.measured)
        layout_.addStretch(1)
        layout_.addLayout(buttons)
        self._inputs: tuple[QWidget, ...] = (
            self.path_edit,
            self.browse_button,
            self.preset_combo,
            self.fit_combo,
            self.format_combo,
            self.loudness_combo,
            self.scope_combo,
            self.range_widget,
            self.captions,
            self.hardware_check,
            self.snap_button,
            self.export_button,
        )

    def _seconds(self, value: float, high: float) -> ClockField:
        # the range reads in the clock the creator chose, as the film's length does in the summary and the window
        project = self._document.project
        spin = ClockField(project.settings.fps, clock_style(self._document.ctx.settings.clock_style), self)
        spin.setRange(0.0, high)
        spin.setValue(value)
        spin.valueChanged.connect(self.refresh)
        return spin

    def _show_choices(self, choices: ExportChoices) -> None:
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(choices.preset)))
        self.fit_combo.setCurrentIndex(max(0, self.fit_combo.findData(choices.fit)))
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(choices.codec)))
        self.loudness_combo.setCurrentIndex(max(0, self.loudness_combo.findData(choices.loudness)))
        self.hardware_check.setChecked(choices.hardware)
        self.signing.show_wish(choices.sign)
        self.captions.show_choices(choices)
        self.scope_combo.setCurrentIndex(self.scope_combo.findData(WHOLE_FILM))  # a part is chosen, never assumed
        self.path_edit.setText(str(default_output(self._document, choices.codec)))

    # ------------------------------------------------------------------------------------------ choices

    @property
    def preset(self) -> ExportPreset:
        return PRESETS[max(self.preset_combo.currentIndex(), 0)]

    def select_preset(self, name: str) -> None:
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(name))

    def choose(self, combo: QComboBox, data: object) -> None:
        """Pick the entry of `combo` whose data is `data` (as the creator would)."""
        index = combo.findData(data)
        if index < 0:
            raise ValueError(f"{combo.toolTip()!r} has no choice {data!r}")
        combo.setCurrentIndex(index)

    @property
    def choices(self) -> ExportChoices:
        return ExportChoices(
            preset=self.preset.name,
            fit=Fit(self.fit_combo.currentData()),
            codec=Codec(self.format_combo.currentData()),
            loudness=str(self.loudness_combo.currentData()),
            hardware=self.hardware_check.isChecked(),
            sign=self.signing.wished(),
            captions=self.captions.wished(),
            caption_size=self.captions.letter_size,
            caption_place=self.captions.place,
        )

    def export_range(self) -> Trim | None:
        """The part of the timeline to export: None for the whole film."""
        scope = self.scope_combo.currentData()
        if scope == SELECTED_SHOT and self._selected_shot and self._document.project.has_shot(self._selected_shot):
            return shot_range(self._document.project, self._selected_shot)
        if scope == RANGE:
            return Trim(round(self.from_spin.value() * 1e6), round(self.to_spin.value() * 1e6))
        return None

    def settings(self) -> ExportSettings:
        """The ExportSettings the current choices make for this project."""
        choices = self.choices
        loudness = next(value for _, key, value in LOUDNESS if key == choices.loudness)
        return export_settings(
            self._document.project,
            self.preset,
            fit=choices.fit,
            codec=choices.codec,
            loudness_lufs=loudness,
            range=self.export_range(),
            hardware=choices.hardware,
            captions=replace(choices, captions=self.captions.forms()).caption_export(),
        )

    @property
    def is_exporting(self) -> bool:
        return self._handle is not None

    # ------------------------------------------------------------------------------------------ refreshing

    def _on_project_changed(self, change: ProjectChange) -> None:
        if not self.is_exporting:
            duration_s = film_length_us(self._document.project) / 1e6
            self.from_spin.setMaximum(duration_s)
            self.to_spin.setMaximum(duration_s)
            self.refresh()

    def _format_chosen(self) -> None:
        text = self.path_edit.text().strip()
        if text:
            self.path_edit.setText(str(with_extension(Path(text), self.choices.codec)))

    def refresh(self) -> None:
        """Show what the choices make: the film's summary, and the route the export will take and why."""
        if self._building:
            return
        self.range_widget.setVisible(self.scope_combo.currentData() == RANGE)
        audio_only = self.choices.codec.audio_only
        for widget in (self.preset_combo, self.fit_combo):
            widget.setEnabled(not audio_only and not self.is_exporting)
        self.captions.offer(self._document.project, audio_only=audio_only, exporting=self.is_exporting)
        try:
            settings = self.settings()
            self._show_summary(settings)
        except ShotlineError as error:
            self.route.show_problem(error)
            return
        self.route.ask(settings)

    @property
    def signing_pending(self) -> bool:
        """Whether the check that says if the film can be signed has not answered yet."""
        return self.signing.pending

    @property
    def signing_identity(self) -> SigningIdentity | None:
        return self.signing.identity

    @signing_identity.setter
    def signing_identity(self, identity: SigningIdentity | None) -> None:
        self.signing.identity = identity

    @property
    def route_pending(self) -> bool:
        return self.route.pending

    def _show_summary(self, settings: ExportSettings) -> None:
        window = settings.range
        duration = film_length_us(self._document.project, settings.fps, window)  # the frames the export renders
        count = len(self._document.project.shots)
        style = clock_style(self._document.ctx.settings.clock_style)  # as the status bar and the player read it

        def clock(us: int) -> str:
            return format_clock(us, settings.fps, style)

        part = "" if window is None else f" · {clock(window.in_us)}–{clock(window.out_us)}"
        if settings.codec.audio_only:
            frame = "sound only"
        else:
            frame = f"{settings.size.width}×{settings.size.height} · {format_fps(settings.fps)} fps"
        self.summary.setText(f"{count} shot{'s' if count != 1 else ''} · {clock(duration)}{part} · {frame}")

    def _say(self, text: str, *, error: bool = False) -> None:
        self.outcome.say(text, error=error)

    @property
    def report(self) -> ExportReport | None:
        """What the last export did (its loudness once measured); None before one finished."""
        return self.outcome.report

    def _set_running(self, running: bool) -> None:
        for widget in self._inputs:
            widget.setEnabled(not running)
        self.signing.running(running)
        self.cancel_button.setText("Cancel export" if running else "Close")
        self.progress.setVisible(running or self.progress.value() > 0)
        if not running:
            self.refresh()

    # ------------------------------------------------------------------------------------------ actions

    def snap_cuts(self) -> None:
        """Move cuts onto keyframes (one undo step) so the export can copy; say what could not be snapped."""
        self._building = True  # one refresh at the end, not one per moved cut
        try:
            result = snap_cuts_to_keyframes(self._document.session)
        except ShotlineError as error:
            self._say(describe(error), error=True)
            return
        finally:
            self._building = False
        self._document.history_changed.emit()
        moved = f"Moved {result.changed} cut{'s' if result.changed != 1 else ''} onto keyframes (Ctrl+Z undoes it)."
        skipped = " ".join(sentence(s) for s in result.skipped)
        self._say(f"{moved} {skipped}".strip())
        self.refresh()

    def _browse(self) -> None:
        codec = self.choices.codec
        patterns = " ".join(f"*{ext}" for ext in codec.extensions)
        label = next(name for c, name in CODECS if c is codec)
        chosen, _ = QFileDialog.getSaveFileName(self, "Export film as", self.path_edit.text(), f"{label} ({patterns})")
        if chosen:
            path = with_extension(Path(chosen), codec)
            # the chooser asked before replacing what was chosen; a name given an ending here was not asked about
            self._replace_agreed = path if path == Path(chosen) else None
            self.path_edit.setText(str(path))

    def _target(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            self._say("Choose where to save the film first.", error=True)
            return None
        path = with_extension(Path(text).expanduser(), self.choices.codec)
        self.path_edit.setText(str(path))
        if path.is_dir():
            self._say(f"{path} is a folder; give a file name such as film{path.suffix}.", error=True)
            return None
        return path

    def start(self) -> None:
        """Plan (quick, on this thread) and start the render on the runner."""
        if self.is_exporting:
            return
        self.outcome.clear()  # a refusal below must not sit under the last export's full bar and loudness
        output = self._target()
        if output is None:
            return
        signing = self.sign_check.isChecked()
        if signing and self.signing_identity is None:
            self._say("Still checking the signing certificate; export again in a moment.", error=True)
            return
        session = self._document.session
        try:
            render_plan = plan(session, self.settings())
        except ShotlineError as error:
            self._say(describe(error), error=True)
            return
        if not self._may_write(output):
            return
        remember_export_choices(self._document.ctx, self.choices.remembered())
        bridge = self._document.bridge

        def progress(fraction: float) -> None:  # on the runner's thread
            bridge.post(lambda: self.outcome.progressed(fraction))

        try:
            identity = self.signing_identity if signing else None
            handle = start_export(self._document.ctx, session, render_plan, output, progress, identity=identity)
        except ShotlineError as error:
            self._say(describe(error), error=True)
            return
        self._handle = handle
        self.outcome.begin(output)
        self._set_running(True)
        bridge.watch(handle, self._on_done, self._on_error, self._on_cancelled)

    def _may_write(self, output: Path) -> bool:
        """Never a file the project uses; a file already there only once the creator says to replace it (a typed or
        remembered name reaches here without the file chooser's question)."""
        try:
            check_target(self._document.session, output, replace=output == self._replace_agreed)
        except TargetExists:
            answer = QMessageBox.question(
                self,
                "Replace the file?",
                f"{output.name} already exists in {output.parent}. Replace it with this export?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self._say(f"Nothing was exported; {output.name} was left as it was.")
                return False
        except ShotlineError as error:
            self._say(describe(error), error=True)
            return False
        return True

    def _on_done(self, report: ExportReport) -> None:
        self._handle = None
        self.outcome.done(report)
        self._set_running(False)

    def _on_error(self, error: BaseException) -> None:
        self._handle = None
        self.outcome.failed(error)
        self._set_running(False)

    def _on_cancelled(self) -> None:
        self._handle = None
        self.outcome.cancelled()
        self._set_running(False)

    def cancel_export(self) -> None:
        if self._handle is not None:
            self._handle.cancel()  # the bridge then calls _on_cancelled

    def _cancel_or_close(self) -> None:
        if self.is_exporting:
            self.cancel_export()
        else:
            self.reject()

    def show_in_folder(self) -> None:
        self.outcome.show_in_folder()

    def play_result(self) -> None:
        self.outcome.play()

    def reject(self) -> None:
        # Esc while exporting cancels the render first; closing never leaves a render running unseen.
        if self.is_exporting:
            self.cancel_export()
            return
        super().reject()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        grow_to_fit(self, event)  # a long route line or status is shown whole, never cut mid-sentence
        return handled

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_exporting:
            self.cancel_export()
        super().closeEvent(event)
