"""The first screen: start a new project, open one, pick a recent one, or open the demo film.

The demo is rendered by the offline animatic backend; that runs on a worker thread with a progress bar, so the
window never freezes. The page only asks; the main window opens what it is asked to.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotline.jobs.runner import to_own_thread
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.services.demo import open_or_create_demo
from shotline.services.recent import POSTER_WIDTH, RecentProject, describe_recent, read_recent
from shotline.ui import theme
from shotline.ui.bridge import Bridge
from shotline.ui.document import describe

log = logging.getLogger(__name__)

PATH_ROLE = 256
"""The project folder of a recent item (Qt.UserRole)."""
POSTER_SIZE = QSize(POSTER_WIDTH // 2, POSTER_WIDTH * 9 // 32)


class WelcomePage(QWidget):
    open_requested = Signal(object)
    """A project folder (Path) to open."""
    new_requested = Signal()
    browse_requested = Signal()
    failed = Signal(str)

    def __init__(self, ctx: AppContext, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bridge = bridge
        self.demo_running = False
        title = QLabel("Shotline", self)
        title.setStyleSheet("font-size: 28px; font-weight: 600;")
        tagline = QLabel("Write a film as a list of shots, generate takes, cut and export.", self)
        tagline.setStyleSheet(f"color: {theme.MUTED.name()};")
        self.new_button = self._button(
            "New project…", "new", "Start an empty project (Ctrl+N)", self.new_requested.emit
        )
        self.open_button = self._button("Open…", "open", "Open a project folder (Ctrl+O)", self.browse_requested.emit)
        self.demo_button = self._button(
            "Open the demo project", "film", "A four-shot film rendered offline, ready to edit", self.open_demo
        )
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setFormat("Rendering the demo… %p%")
        self.progress.hide()
        self.recent = QListWidget(self)
        self.recent.setToolTip("Double-click or press Enter to open")
        self.recent.setIconSize(POSTER_SIZE)
        self.recent.setSpacing(2)
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(Path(item.data(PATH_ROLE))))
        self._reading = 0
        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(tagline)
        column.addSpacing(16)
        column.addLayout(buttons)
        column.addWidget(self.progress)
        column.addSpacing(16)
        column.addWidget(QLabel("Recent projects", self))
        column.addWidget(self.recent, 1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 3)
        outer.addStretch(1)
        self.refresh()

    def _button(self, text: str, icon: str, tip: str, slot: object) -> QPushButton:
        button = QPushButton(theme.icon(icon), text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def refresh(self) -> None:
        """List the recent projects by name at once; their pictures, dates and lengths follow (read elsewhere)."""
        self.recent.clear()
        paths = preferences.recent_projects(self.ctx)
        for path in paths:
            item = QListWidgetItem(theme.icon("film"), f"{path.name.removesuffix('.shotline')}\n{path.parent}")
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            item.setSizeHint(QSize(0, POSTER_SIZE.height() + 8))
            self.recent.addItem(item)
        if not self.recent.count():
            empty = QListWidgetItem("No recent projects yet")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(empty)
            return
        self._reading += 1
        reading = self._reading

        async def read() -> list[RecentProject]:
            # each opens a project.json and may decode a frame: never on the GUI thread
            return await to_own_thread(lambda: [read_recent(path) for path in paths], name="shotline-recent")

        self.bridge.watch(
            self.ctx.runner.submit(read()),
            lambda found: self._show_recent(reading, found),
            lambda error: log.warning("Recent projects could not be read: %s", error),
        )

    def _show_recent(self, reading: int, found: list[RecentProject]) -> None:
        if reading != self._reading:
            return  # the list was refreshed since: these answers belong to the old one
        now = datetime.now().astimezone()
        by_path = {str(recent.path): recent for recent in found}
        for row in range(self.recent.count()):
            item = self.recent.item(row)
            recent = by_path.get(str(item.data(PATH_ROLE)))
            if recent is None:
                continue
            item.setText(f"{recent.title}\n{describe_recent(recent, now)}")
            if recent.poster is not None:
                picture = QPixmap(str(recent.poster))
                if not picture.isNull():
                    item.setIcon(QIcon(picture))

    def open_demo(self, path: Path | None = None) -> None:
        """Create or finish the demo off the GUI thread, then ask to open it."""
        if self.demo_running:
            return
        target = path or preferences.demo_path()
        self.demo_running = True
        self.demo_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()

        def progress(fraction: float) -> None:
            self.bridge.post(lambda: self.progress.setValue(round(fraction * 100)))

        def prepare() -> Path:
            target.parent.mkdir(parents=True, exist_ok=True)
            # The session is closed here and reopened on the GUI thread, which owns every open project.
            open_or_create_demo(self.ctx, target, progress).close()
            return target

        async def run() -> Path:
            # its own thread: rendering waits for the runner's pool, which may be a single thread
            return await to_own_thread(prepare, name="shotline-demo")

        self.bridge.watch(self.ctx.runner.submit(run()), self._demo_ready, self._demo_failed)

    def _demo_done(self) -> None:
        self.demo_running = False
        self.demo_button.setEnabled(True)
        self.progress.hide()

    def _demo_ready(self, path: Path) -> None:
        self._demo_done()
        self.open_requested.emit(path)

    def _demo_failed(self, error: BaseException) -> None:
        self._demo_done()
        self.failed.emit(f"The demo project could not be prepared: {describe(error)}")
