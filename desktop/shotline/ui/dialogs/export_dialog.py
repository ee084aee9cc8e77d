"""The export dialog: where to, which preset, then a render with progress, time left and cancel.

The render runs on the async runner; progress and the outcome come back through the document's bridge, so the
window never waits. A cancelled or failed render leaves nothing at the target (the renderer writes a hidden
temporary file and only renames it once it plays).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.core.errors import ShotlineError
from shotline.core.timecode import format_fps, format_time
from shotline.services.export import start_export
from shotline.services.jobs_view import format_elapsed
from shotline.services.presets import PRESETS, ExportPreset, export_settings, plan_preset
from shotline.ui import theme
from shotline.ui.document import ProjectDocument, describe

if TYPE_CHECKING:
    from shotline.jobs.runner import JobHandle
    from shotline.services.export import ExportReport

log = logging.getLogger(__name__)

EXTENSIONS = (".mp4", ".m4v", ".mov")
PROGRESS_STEPS = 1000
MIN_FRACTION_FOR_ESTIMATE = 0.03
"""Below this much progress a time-left guess is noise; say "estimating…" instead."""


def default_output(document: ProjectDocument) -> Path:
    """`<title>.mp4` next to the project folder (not inside it: the bundle is Shotline's own)."""
    name = document.project.title.strip() or document.path.name.removesuffix(".shotline")
    safe = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in name).strip() or "export"
    return document.path.parent / f"{safe}.mp4"


def time_left(elapsed_s: float, fraction: float) -> float | None:
    """Seconds still to go, from the pace so far; None until there is enough progress to judge."""
    if fraction < MIN_FRACTION_FOR_ESTIMATE:
        return None
    return max(elapsed_s * (1 - fraction) / fraction, 0.0)


class ExportDialog(QDialog):
    """Pick a file and a preset, then Export; stays open to show progress and the result."""

    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export film")
        self.setMinimumWidth(520)
        self._document = document
        self._handle: JobHandle[ExportReport] | None = None
        self._started = 0.0
        self._output: Path | None = None
        self._build()
        self._refresh_summary()

    # ------------------------------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.path_edit = QLineEdit(str(default_output(self._document)), self)
        self.path_edit.setToolTip("The video file to write (.mp4)")
        self.browse_button = QPushButton("Choose…", self)
        self.browse_button.setToolTip("Choose where to save the film")
        self.browse_button.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)

        self.preset_combo = QComboBox(self)
        for preset in PRESETS:
            self.preset_combo.addItem(preset.name)
            self.preset_combo.setItemData(
                self.preset_combo.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole
            )
        self.preset_combo.setToolTip("Frame size and quality of the exported film")
        self.preset_combo.currentIndexChanged.connect(self._refresh_summary)

        self.summary = QLabel(self)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Save as", path_row)
        form.addRow("Preset", self.preset_combo)
        form.addRow("Film", self.summary)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.show_button = QPushButton(theme.icon("folder"), "Show in folder", self)
        self.show_button.setToolTip("Open the folder that holds the exported film")
        self.show_button.clicked.connect(self.show_in_folder)
        self.show_button.setVisible(False)
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.setToolTip("Close (Esc); while exporting, cancel the export")
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.export_button = QPushButton(theme.icon("export"), "Export", self)
        self.export_button.setDefault(True)
        self.export_button.setToolTip(f"Render the film ({QKeySequence('Ctrl+Return').toString()})")
        self.export_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.export_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)

    # ------------------------------------------------------------------------------------------ state

    @property
    def preset(self) -> ExportPreset:
        return PRESETS[max(self.preset_combo.currentIndex(), 0)]

    def select_preset(self, name: str) -> None:
        self.preset_combo.setCurrentIndex([p.name for p in PRESETS].index(name))

    @property
    def is_exporting(self) -> bool:
        return self._handle is not None

    def _refresh_summary(self) -> None:
        project = self._document.project
        settings = export_settings(project, self.preset)
        duration = sum(shot.duration_us for shot in project.shots)
        count = len(project.shots)
        self.summary.setText(
            f"{count} shot{'s' if count != 1 else ''} · {format_time(duration)} · "
            f"{settings.size.width}×{settings.size.height} · {format_fps(settings.fps)} fps"
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        colour = theme.DANGER if error else theme.TEXT
        self.status.setStyleSheet(f"color: {colour.name()};")

    def _set_running(self, running: bool) -> None:
        for widget in (self.path_edit, self.browse_button, self.preset_combo, self.export_button):
            widget.setEnabled(not running)
        self.cancel_button.setText("Cancel export" if running else "Close")
        self.progress.setVisible(running or self.progress.value() > 0)

    # ------------------------------------------------------------------------------------------ actions

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export film as", self.path_edit.text(), "MP4 video (*.mp4);;QuickTime movie (*.mov)"
        )
        if chosen:
            self.path_edit.setText(chosen)

    def _target(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            self._say("Choose where to save the film first.", error=True)
            return None
        path = Path(text).expanduser()
        if path.suffix.lower() not in EXTENSIONS:
            path = path.with_name(path.name + ".mp4")
            self.path_edit.setText(str(path))
        if path.is_dir():
            self._say(f"{path} is a folder; give a file name such as film.mp4.", error=True)
            return None
        return path

    def start(self) -> None:
        """Plan (quick, on this thread) and start the render on the runner."""
        if self.is_exporting:
            return
        output = self._target()
        if output is None:
            return
        try:
            render_plan = plan_preset(self._document.session, self.preset)
        except ShotlineError as error:
            self._say(describe(error), error=True)
            return
        self._output = output
        self._started = time.monotonic()
        self.progress.setValue(0)
        self.show_button.setVisible(False)
        bridge = self._document.bridge

        def progress(fraction: float) -> None:  # on the runner's thread
            bridge.post(lambda: self._on_progress(fraction))

        try:
            handle = start_export(self._document.ctx, self._document.session, render_plan, output, progress)
        except ShotlineError as error:
            self._say(describe(error), error=True)
            return
        self._handle = handle
        self._set_running(True)
        self._say(f"Exporting {len(render_plan.segments)} shots to {output.name}…")
        bridge.watch(handle, self._on_done, self._on_error, self._on_cancelled)

    def _on_progress(self, fraction: float) -> None:
        if self._handle is None:
            return  # a late report after the end
        self.progress.setValue(round(min(max(fraction, 0.0), 1.0) * PROGRESS_STEPS))
        left = time_left(time.monotonic() - self._started, fraction)
        guess = "estimating time left…" if left is None else f"about {format_elapsed(left + 0.5)} left"
        self._say(f"Exporting… {fraction:.0%} · {guess}")

    def _finish(self) -> float:
        self._handle = None
        self._set_running(False)
        return time.monotonic() - self._started

    def _on_done(self, _: object) -> None:
        elapsed = self._finish()
        self.progress.setValue(PROGRESS_STEPS)
        self.show_button.setVisible(True)
        name = self._output.name if self._output else "the film"
        self._say(f"Exported {name} in {format_elapsed(elapsed)}.")

    def _on_error(self, error: BaseException) -> None:
        self._finish()
        self._say(f"The export failed: {describe(error)}", error=True)

    def _on_cancelled(self) -> None:
        self._finish()
        self.progress.setValue(0)
        self._say("Export cancelled. Nothing was written.")

    def cancel_export(self) -> None:
        if self._handle is not None:
            self._handle.cancel()  # the bridge then calls _on_cancelled

    def _cancel_or_close(self) -> None:
        if self.is_exporting:
            self.cancel_export()
        else:
            self.reject()

    def show_in_folder(self) -> None:
        if self._output is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._output.parent)))

    def reject(self) -> None:
        # Esc while exporting cancels the render first; closing never leaves a render running unseen.
        if self.is_exporting:
            self.cancel_export()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_exporting:
            self.cancel_export()
        super().closeEvent(event)
