"""What the export dialog shows once Export is pressed: the bar and the time left while it renders, then how it
went (the file, how it was written, its measured loudness, who signed it) with Play and Show in folder.

The time left is worked out again every second, not only when the render reports (a long shot reports rarely),
and smoothed (`progress_readout.TimeLeft`), so it neither stands still nor leaps.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QWidget

from shotline.services.content_credentials import CannotSign
from shotline.services.export import ExportReport, how_written, start_metering
from shotline.services.jobs_view import format_elapsed
from shotline.ui import theme
from shotline.ui.dialogs.export_choices import describe_loudness, sentence
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.progress_readout import TimeLeft, show_fraction, time_left_text

CLOCK_MS = 1000
"""How often the time left is worked out again while no progress arrives."""


class ExportOutcome:
    """The progress bar, the status and loudness lines and the Play / Show in folder buttons (placed by the
    dialog), and the one render they report on."""

    def __init__(self, document: ProjectDocument, parent: QWidget) -> None:
        self._document = document
        self.output: Path | None = None
        self.report: ExportReport | None = None
        self.running = False
        self.started = 0.0
        self._time_left = TimeLeft()
        self._fraction = 0.0
        self.clock = QTimer(parent)
        self.clock.setInterval(CLOCK_MS)
        self.clock.timeout.connect(lambda: self.progressed(self._fraction))

        self.progress = QProgressBar(parent)
        show_fraction(self.progress, 0.0)
        self.progress.setVisible(False)
        self.status = _selectable(QLabel(parent))
        self.measured = _selectable(QLabel(parent))
        self.measured.setVisible(False)
        self.show_button = QPushButton(theme.icon("folder"), "Show in folder", parent)
        self.show_button.setToolTip("Open the folder that holds the exported film")
        self.show_button.clicked.connect(self.show_in_folder)
        self.show_button.setVisible(False)
        self.play_button = QPushButton(theme.icon("play"), "Play", parent)
        self.play_button.setToolTip("Play the exported film in your usual video player")
        self.play_button.clicked.connect(self.play)
        self.play_button.setVisible(False)

    def say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {(theme.DANGER if error else theme.TEXT).name()};")

    def clear(self) -> None:
        """Forget what the last export showed: its bar, its loudness and its buttons."""
        show_fraction(self.progress, 0.0)
        self.progress.setVisible(False)
        self.show_button.setVisible(False)
        self.play_button.setVisible(False)
        self.measured.setVisible(False)

    def begin(self, output: Path) -> None:
        self.output = output
        self.report = None
        self.running = True
        self.started = time.monotonic()
        self._time_left = TimeLeft()
        self._fraction = 0.0
        self.progress.setVisible(True)
        self.say(f"Exporting to {output.name}…")

    def progressed(self, fraction: float) -> None:
        if not self.running:
            return  # a late report (or tick) after the end
        show_fraction(self.progress, fraction)  # the percentage is on the bar only: one number, never two
        self._fraction = fraction
        left = self._time_left.update(time.monotonic() - self.started, fraction)
        self.say(f"Exporting… {time_left_text(left)}")
        self.clock.start()  # between reports the guess still moves with the clock

    def _end(self) -> float:
        self.running = False
        self.clock.stop()
        return time.monotonic() - self.started

    def done(self, report: ExportReport) -> None:
        elapsed = self._end()
        self.report = report
        show_fraction(self.progress, 1.0)
        self.show_button.setVisible(True)
        self.play_button.setVisible(True)
        how = how_written(report)
        notes = " ".join(sentence(note) for note in report.notes)  # e.g. the hardware encoder gave way to software
        self.say(f"Exported {self._name} in {format_elapsed(elapsed)} ({how}). {notes}".strip())
        self._show_measured("Measuring the loudness of the result…")
        self.measured.setVisible(True)
        self._document.bridge.watch(
            start_metering(self._document.ctx, report), self._measured, self._measure_failed, lambda: None
        )

    def failed(self, error: BaseException) -> None:
        self._end()
        if isinstance(error, CannotSign):
            reason = sentence(describe(error))
            self.say(
                f"Not signed: {reason} Nothing was written: any {self._name} already there is as it was.", error=True
            )
            return
        self.say(f"The export failed: {describe(error)}", error=True)

    def cancelled(self) -> None:
        self._end()
        show_fraction(self.progress, 0.0)
        self.say("Export cancelled. Nothing was written.")

    @property
    def _name(self) -> str:
        return self.output.name if self.output else "the film"

    def _measured(self, report: ExportReport) -> None:
        self.report = report
        self._show_measured(describe_loudness(report))

    def _measure_failed(self, error: BaseException) -> None:
        self._show_measured(f"The loudness of the result could not be measured: {describe(error)}")

    def _show_measured(self, loudness: str) -> None:
        signed = self.report.signed_by if self.report else None
        self.measured.setText(f"{loudness} Signed by {signed}." if signed else loudness)

    def show_in_folder(self) -> None:
        if self.output is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.output.parent))):
            self.say(f"Could not open a file manager at {self.output.parent}.", error=True)

    def play(self) -> None:
        """Open the exported film in the system's player (the creator's own, as a file manager would)."""
        film = self.output
        # unsaid, a failure leaves the button looking dead: Qt tells only the terminal that no player was found
        if film is not None and film.exists() and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(film))):
            self.say(f"No video player could be opened for {film.name}; it is in {film.parent}.", error=True)


def _selectable(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
