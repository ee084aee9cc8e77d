"""Preferences: default backend and model, each provider's base URL, poll interval, the cache, ffmpeg, and the
certificate exports are signed with (Content Credentials)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor
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
    QWidget,
)

from shotline.core.errors import ShotlineError
from shotline.jobs.runner import JobHandle
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.content_credentials import ContentCredentialsGroup
from shotline.ui.document import describe


class PreferencesDialog(QDialog):
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

        infos = ctx.registry.infos()
        self.urls = QTableWidget(len(infos), 2, self)
        self.urls.setHorizontalHeaderLabels(["Backend", "API base URL (empty: the provider's own)"])
        self.urls.verticalHeader().hide()
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
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.DANGER.name()};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Default backend", self.backend)
        form.addRow("Default model", self.model)
        form.addRow(self.urls)
        form.addRow("Poll interval", self.poll)
        form.addRow("Cache folder", cache_row)
        form.addRow("", self.cache_label)
        form.addRow("Cache size limit", self.cache_size)
        form.addRow("ffmpeg", ffmpeg_row)
        form.addRow("", self.ffmpeg_status)
        form.addRow(self.credentials)
        form.addRow(self.error)
        form.addRow(buttons)

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
            self.error.setText(refusal)
            return False
        if refusal := self.credentials.refusal():
            self.error.setText(refusal)
            return False
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
            )
        except ShotlineError as error:
            self.error.setText(str(error))
            return False
        self.accept()
        return True
