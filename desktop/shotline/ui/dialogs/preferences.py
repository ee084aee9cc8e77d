"""Preferences: default backend and model, each provider's base URL, poll interval, the cache, ffmpeg, and the
certificate exports are signed with (Content Credentials).

One tab per kind of choice, so the dialog fits a 720-pixel-high screen; Save stays below the tabs and, when it
refuses, shows the tab of the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shotline.core.errors import SaveFailed, ShotlineError
from shotline.jobs.runner import JobHandle
from shotline.services import preferences
from shotline.services.content_credentials import identity_setting
from shotline.services.context import AppContext
from shotline.services.ledger import ask_above
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.content_credentials import ContentCredentialsGroup
from shotline.ui.document import describe
from shotline.ui.preference_changes import preference_changes


class PreferencesDialog(QDialog):
    last_tab: ClassVar[int] = 0
    """The tab shown last, opened again next time during this run (not worth a setting)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Preferences")
        settings = ctx.settings
        self.backend = QComboBox(self)
        for info in ctx.registry.infos():
            self.backend.addItem(info.name, info.id)
        self.model = QComboBox(self)
        self.backend.currentIndexChanged.connect(self._fill_models)
        self.backend.setCurrentIndex(max(0, self.backend.findData(settings.default_backend)))
        self._fill_models()
        self.model.setCurrentIndex(max(0, self.model.findData(settings.default_model)))

        infos = ctx.registry.all_infos()  # a voices-only backend has a base URL too
        self.urls = QTableWidget(len(infos), 2, self)
        self.urls.setHorizontalHeaderLabels(["Backend", "API base URL (empty: the provider's own)"])
        self.urls.verticalHeader().hide()
        self.urls.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.urls.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for row, info in enumerate(infos):
            name = QTableWidgetItem(info.name)
            name.setData(256, info.id)  # Qt.UserRole: the id the settings are keyed by
            name.setFlags(name.flags() & ~name.flags().ItemIsEditable)
            self.urls.setItem(row, 0, name)
            self.urls.setItem(row, 1, QTableWidgetItem(settings.base_urls.get(info.id, "")))
        self.urls.setToolTip("Point a backend at a self-hosted gateway or a compatible service")

        self.poll = QDoubleSpinBox(self)
        self.poll.setRange(0.1, 3600)
        self.poll.setSuffix(" s")
        self.poll.setValue(settings.poll_seconds)
        self.poll.setToolTip("How often Shotline asks a cloud provider how a job is going")
        self.ask_above = QDoubleSpinBox(self)
        self.ask_above.setRange(0, 100_000)
        self.ask_above.setDecimals(2)
        self.ask_above.setPrefix("$")
        self.ask_above.setValue(float(ask_above(settings.ask_above_usd)))
        self.ask_above.setToolTip(
            "A paid Generate estimated above this amount (or with no known price) asks once per session before it "
            "starts; $0.00 asks before the first paid one. The Generate button always shows the estimate."
        )
        folder = preferences.cache_folder(ctx)
        used = preferences.cache_usage_bytes(folder) / 1_000_000
        self.cache_folder = QLineEdit(settings.cache_folder, self)
        self.cache_folder.setPlaceholderText(str(folder))
        self.cache_folder.setToolTip("Where backends keep their working files; empty uses the system's cache folder")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._choose_cache_folder)
        self.cache_label = QLabel(f"In use: {folder}  ({used:.0f} MB). A new folder applies from the next start.", self)
        self.cache_label.setWordWrap(True)
        self.cache_label.setStyleSheet(f"color: {theme.MUTED.name()};")
        cache_row = QHBoxLayout()
        cache_row.addWidget(self.cache_folder, 1)
        cache_row.addWidget(browse)
        self.cache_size = QSpinBox(self)
        self.cache_size.setRange(0, 1_000_000)
        self.cache_size.setSuffix(" MB")
        self.cache_size.setValue(settings.cache_size_mb)
        self.bridge = Bridge(self)
        self.ffmpeg = QLineEdit(settings.ffmpeg_path, self)
        self.ffmpeg.setPlaceholderText("Found automatically")
        self.ffmpeg.setToolTip("The ffmpeg program Shotline runs to export and read sound; empty finds one itself")
        self.ffmpeg.editingFinished.connect(self.check_ffmpeg)
        browse_ffmpeg = QPushButton("Browse…", self)
        browse_ffmpeg.clicked.connect(self._choose_ffmpeg)
        self.browse_ffmpeg = browse_ffmpeg
        self.ask_ffmpeg_path: Callable[[], str] = self._ask_ffmpeg_path
        """Browse…'s question: the chosen program's path, "" if cancelled; replaceable so tests can answer."""
        ffmpeg_row = QHBoxLayout()
        ffmpeg_row.addWidget(self.ffmpeg, 1)
        ffmpeg_row.addWidget(browse_ffmpeg)
        self.ffmpeg_status = QLabel(f"In use: {ctx.ffmpeg}", self)
        self.ffmpeg_status.setWordWrap(True)
        self.ffmpeg_status.setStyleSheet(f"color: {theme.MUTED.name()};")
        self._ffmpeg_check: JobHandle[str] | None = None
        self._ffmpeg_refusals: dict[str, str] = {}
        """What the finished checks said against each text typed (so Save can refuse a program that is not ffmpeg)."""
        self.credentials = ContentCredentialsGroup(ctx, self.bridge, self)
        self.clock_style = QComboBox(self)
        self.clock_style.addItem("Timecode (hours:minutes:seconds:frames)", "frames")
        self.clock_style.addItem("Seconds (hours:minutes:seconds.milliseconds)", "seconds")
        self.clock_style.setCurrentIndex(max(0, self.clock_style.findData(settings.clock_style)))
        self.clock_style.setToolTip("How the player shows where the playhead is and how long the film runs")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.DANGER.name()};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        generation = QFormLayout()
        generation.addRow("Default backend", self.backend)
        generation.addRow("Default model", self.model)
        generation.addRow(self.urls)
        generation.addRow("Poll interval", self.poll)
        generation.addRow("Ask before a Generate over", self.ask_above)
        media = QFormLayout()
        media.addRow("ffmpeg", ffmpeg_row)
        media.addRow("", self.ffmpeg_status)
        media.addRow("Cache folder", cache_row)
        media.addRow("", self.cache_label)
        media.addRow("Cache size limit", self.cache_size)
        media.addRow("Player times", self.clock_style)
        for note in (self.ffmpeg_status, self.cache_label):  # under their field, however many lines they wrap to
            note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.tabs = QTabWidget(self)
        self._first_fields: dict[QWidget, QWidget] = {}
        """Each tab's page → the field that gets the focus when the tab is shown."""
        self._add_tab("Generation", _page(generation), self.backend)
        self._add_tab("Media", _page(media), self.ffmpeg)
        self._add_tab("Content Credentials", self.credentials, self.credentials.certificate)
        self.tabs.setCurrentIndex(PreferencesDialog.last_tab)
        self._tab_shown(self.tabs.currentIndex())
        self.tabs.currentChanged.connect(self._tab_shown)
        # The tab widget only hears Ctrl+Tab from fields that pass it on: the base URL table and the buttons do not.
        QShortcut(QKeySequence.StandardKey.NextChild, self, lambda: self._step_tab(1))
        QShortcut(QKeySequence.StandardKey.PreviousChild, self, lambda: self._step_tab(-1))

        self.setMinimumWidth(560)  # room for the base URLs and the paths
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        # A window's smallest size leaves out the lines its labels wrap onto (the tab pages do not pass on their
        # height for a width), so below its natural height texts would run into the fields under them.
        self.setMinimumHeight(self.sizeHint().height())

    def _add_tab(self, title: str, page: QWidget, first_field: QWidget) -> None:
        self.tabs.addTab(page, title)
        self._first_fields[page] = first_field

    def _tab_shown(self, index: int) -> None:
        PreferencesDialog.last_tab = index
        page = self.tabs.widget(index)
        if page is not None:
            self._first_fields[page].setFocus(Qt.FocusReason.TabFocusReason)

    def _step_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _show_field(self, field: QWidget) -> None:
        """Bring the tab holding `field` to the front and put the focus in it."""
        for page in self._first_fields:
            if page.isAncestorOf(field):
                self.tabs.setCurrentWidget(page)
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _choose_cache_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Cache folder", self.cache_folder.text())
        if chosen:
            self.cache_folder.setText(chosen)

    def _ask_ffmpeg_path(self) -> str:
        start = self.ffmpeg.text().strip() or str(self.ctx.ffmpeg)
        chosen, _filter = QFileDialog.getOpenFileName(self, "The ffmpeg program", start)
        return chosen

    def _choose_ffmpeg(self) -> None:
        chosen = self.ask_ffmpeg_path()
        if chosen:
            self.ffmpeg.setText(chosen)
            self.check_ffmpeg()

    def check_ffmpeg(self) -> None:
        """Ask the chosen ffmpeg for its version on the runner; only the answer for the latest text is shown."""
        if self._ffmpeg_check is not None:
            self._ffmpeg_check.cancel()
        text = self.ffmpeg.text().strip()
        self._show_ffmpeg(f"Checking {text or 'the ffmpeg found automatically'}…", theme.MUTED)
        handle = preferences.start_ffmpeg_check(self.ctx, text)
        self._ffmpeg_check = handle
        self.bridge.watch(
            handle,
            lambda version: self._ffmpeg_checked(handle, text, f"Works: {version}.", ""),
            lambda error: self._ffmpeg_checked(handle, text, describe(error), describe(error)),
        )

    def _ffmpeg_checked(self, handle: JobHandle[str], text: str, shown: str, refusal: str) -> None:
        if refusal:
            self._ffmpeg_refusals[text] = refusal
        else:
            self._ffmpeg_refusals.pop(text, None)
        if handle is self._ffmpeg_check:
            self._ffmpeg_check = None
            self._show_ffmpeg(shown, theme.DANGER if refusal else theme.SUCCESS)

    def _show_ffmpeg(self, text: str, colour: QColor) -> None:
        self.ffmpeg_status.setText(text)
        self.ffmpeg_status.setStyleSheet(f"color: {colour.name()};")

    def done(self, result: int) -> None:
        if self._ffmpeg_check is not None:
            self._ffmpeg_check.cancel()  # nobody will read the answer; the check's ffmpeg is stopped
            self._ffmpeg_check = None
        self.credentials.stop()
        super().done(result)

    def _fill_models(self) -> None:
        self.model.clear()
        backend_id = self.backend.currentData()
        if backend_id is None:
            return
        for model in self.ctx.registry.spec(backend_id).info.models:
            self.model.addItem(model.label, model.id)

    def base_urls(self) -> dict[str, str]:
        urls = {}
        for row in range(self.urls.rowCount()):
            name, url = self.urls.item(row, 0), self.urls.item(row, 1)
            if name is not None:
                urls[str(name.data(256))] = url.text() if url is not None else ""
        return urls

    def save(self) -> bool:
        ffmpeg_path = self.ffmpeg.text().strip()
        if refusal := self._ffmpeg_refusals.get(ffmpeg_path):
            return self._refuse(refusal, self.ffmpeg)
        if refusal := self.credentials.refusal():
            return self._refuse(refusal, self.credentials.certificate)
        try:
            preferences.save_preferences(
                self.ctx,
                default_backend=self.backend.currentData(),
                default_model=self.model.currentData() or "",
                base_urls=self.base_urls(),
                poll_seconds=self.poll.value(),
                cache_size_mb=self.cache_size.value(),
                cache_folder=self.cache_folder.text(),
                ffmpeg_path=ffmpeg_path,
                c2pa_identity=self.credentials.chosen(),
                clock_style=self.clock_style.currentData(),
                ask_above_usd=Decimal(f"{self.ask_above.value():.2f}"),
            )
        except SaveFailed as error:  # the settings folder refused, not a field
            self.error.setText(str(error))
            return False
        except ShotlineError as error:
            return self._refuse(str(error), self._field_at_fault())
        preference_changes().saved.emit()
        self.accept()
        return True

    def _refuse(self, reason: str, field: QWidget) -> bool:
        self.error.setText(reason)
        self._show_field(field)
        return False

    def _field_at_fault(self) -> QWidget:
        """The field save_preferences refused: its message says what is wrong but not where, so its checks that
        these widgets let fail are asked again, in its order. The backend, model and numbers cannot be wrong here
        (their boxes only offer valid ones), which leaves the base URLs."""
        cache_folder = self.cache_folder.text().strip()
        if cache_folder and not Path(cache_folder).expanduser().is_absolute():
            return self.cache_folder
        try:
            preferences.chosen_ffmpeg(self.ffmpeg.text().strip())
        except ShotlineError:
            return self.ffmpeg
        if (chosen := self.credentials.chosen()) is not None:
            try:
                identity_setting(chosen)
            except ShotlineError:
                return self.credentials.certificate
        return self.urls


def _page(form: QFormLayout) -> QWidget:
    page = QWidget()
    page.setLayout(form)
    return page
