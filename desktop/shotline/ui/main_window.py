"""The main window and the open project's life cycle (open, recover, save, close).

Panels are built per open project by `_build_panels` and share one shot selection and one playhead. The menus
(`menus`), the panels' arrangement (`window_layout`), importing (`media_import`), right-click menus
(`context_menus`) and the shortcut list (`shortcuts`) live in their own modules. Errors from anywhere land in the
message bar, never a dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shotline.core import edits
from shotline.core.commands import Command
from shotline.core.errors import ProjectCorrupt
from shotline.core.frames import clock_style, format_clock
from shotline.core.model import Project
from shotline.core.timeline import film_length_us
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui import heap, shortcuts, theme, window_dialogs
from shotline.ui.bridge import Bridge
from shotline.ui.cast_panel import TITLE as CAST_TITLE
from shotline.ui.cast_panel import CastPanel
from shotline.ui.compare_grid import compare_takes
from shotline.ui.context_menus import ContextMenus
from shotline.ui.dialogs.first_run import GettingStartedGuide
from shotline.ui.dialogs.new_project import NewProjectDialog
from shotline.ui.dialogs.open_project import ask_open_path
from shotline.ui.dialogs.recovery import RecoveryChoice, RecoveryDialog
from shotline.ui.dialogs.relink import RelinkFlow
from shotline.ui.dialogs.restore_backup import BackupRestorer
from shotline.ui.document import ProjectDocument, describe
from shotline.ui.drop_highlight import DropHighlight, dropped_files, openable_of, window_drop_note
from shotline.ui.inspector import InspectorPanel
from shotline.ui.jobs_panel import JobsPanel
from shotline.ui.media_import import MediaImport
from shotline.ui.menus import WindowMenus, fill_recent
from shotline.ui.message_bar import MessageBar
from shotline.ui.player import PlayerPanel
from shotline.ui.playhead import Playhead
from shotline.ui.selection import ShotSelection
from shotline.ui.sharing import SharingFlow, is_archive, projects_folder
from shotline.ui.storyboard import StoryboardPanel
from shotline.ui.timeline import TimelinePanel
from shotline.ui.undo_actions import UndoActions
from shotline.ui.welcome import WelcomePage
from shotline.ui.window_dialogs import Unsaved
from shotline.ui.window_layout import WindowLayout

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bridge = bridge
        self.document: ProjectDocument | None = None
        self.selection = ShotSelection(self)
        self.playhead = Playhead(self)
        self.panels: dict[str, QWidget] = {}
        self.recovery_dialog: RecoveryDialog | None = None
        self.getting_started: GettingStartedGuide | None = None
        self.ask_unsaved: Callable[[], Unsaved] = lambda: window_dialogs.ask_unsaved(self)
        """Asked before unsaved edits would be lost; replaceable so tests can answer."""
        self.ask_open_path: Callable[[], Path | None] = lambda: ask_open_path(self, projects_folder(self.ctx))
        """File → Open…'s question: a project or a shared archive, None if cancelled; replaceable for tests."""
        self.setWindowIcon(theme.icon("shotline"))
        self.resize(1440, 900)
        self.setAcceptDrops(True)
        self.drop_highlight = DropHighlight(self)
        self.setDockNestingEnabled(True)
        self.message_bar = MessageBar(self)
        self.sharing = SharingFlow(ctx, bridge, self)
        self.sharing.reported.connect(self.message_bar.show_message)
        self.sharing.project_unpacked.connect(self._open_unpacked)
        self.restorer = BackupRestorer(self)
        self.restorer.reported.connect(self.message_bar.show_message)
        self.restorer.restored.connect(self.open_project)
        self.undo_actions = UndoActions(self)
        self.media = MediaImport(self)
        self.relinking = RelinkFlow(self)
        self.relinking.reported.connect(self.message_bar.show_message)
        self.welcome = WelcomePage(ctx, bridge, self)
        self.welcome.open_requested.connect(self.open_project)
        self.welcome.new_requested.connect(self.new_project)
        self.welcome.browse_requested.connect(self.browse_project)
        self.welcome.failed.connect(self.message_bar.show_message)
        self.editor = QSplitter(Qt.Orientation.Vertical, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.editor)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.message_bar)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.docks = {
            "storyboard": self._dock("Storyboard", Qt.DockWidgetArea.LeftDockWidgetArea),
            "inspector": self._dock("Shot", Qt.DockWidgetArea.RightDockWidgetArea),
            "jobs": self._dock("Jobs", Qt.DockWidgetArea.BottomDockWidgetArea),
            "cast": self._dock(CAST_TITLE, Qt.DockWidgetArea.LeftDockWidgetArea),
        }
        self.layout_ = WindowLayout(ctx, self, self.editor, self.docks)
        self.duration_label = QLabel(self)
        self.shots_label = QLabel(self)
        self.saved_label = QLabel(self)
        self.statusBar().addWidget(self.sharing.indicator)
        for label in (self.shots_label, self.duration_label, self.saved_label):
            self.statusBar().addPermanentWidget(label)
        self.menus = WindowMenus(self)
        self.statusBar().addWidget(self.menus.handoff.writing.indicator)
        self.context_menus = ContextMenus(self)
        shortcuts.apply_saved(self.shortcut_bindings(), ctx.settings.shortcuts)  # the menus' keys, before any project
        self._show_document()

    # ------------------------------------------------------------------------------------------ building

    def _dock(self, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower().replace('&&', 'and')}")
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_panels(self, document: ProjectDocument) -> None:
        storyboard = StoryboardPanel(document, self.selection)
        inspector = InspectorPanel(document, self.selection)
        player = PlayerPanel(document, self.selection, self.playhead)
        timeline = TimelinePanel(document, self.selection, self.playhead)
        jobs = JobsPanel(document, self.selection)
        cast = CastPanel(document, self.selection)
        inspector.compare_requested.connect(lambda takes: compare_takes(document, takes, self, pause=player.pause))
        player.share_shortcuts(timeline)  # Space, J/K/L, ←/→, I/O and Home/End work while the timeline has focus
        self.panels = {
            "storyboard": storyboard,
            "inspector": inspector,
            "player": player,
            "timeline": timeline,
            "jobs": jobs,
            "cast": cast,
        }
        for name, panel in self.panels.items():
            self._place(name, panel)
        self.context_menus.attach(self.panels)
        self.drop_highlight.watch_timeline(timeline)
        self.drop_highlight.pass_drops_through(player)
        shortcuts.apply_saved(self.shortcut_bindings(), self.ctx.settings.shortcuts)

    def _place(self, name: str, panel: QWidget) -> None:
        if name in self.docks:
            self.docks[name].setWidget(panel)
        else:
            self.editor.addWidget(panel)

    def _drop_panels(self) -> None:
        player = self.panels.get("player")
        if isinstance(player, PlayerPanel):
            player.stop()  # release the media file before the project closes
        for name, panel in self.panels.items():
            if name in self.docks:
                self.docks[name].setWidget(None)  # type: ignore[arg-type]
            panel.hide()
            panel.setParent(None)
            panel.deleteLater()
        self.panels.clear()

    # ------------------------------------------------------------------------------------------ the project

    def open_project(self, path: Path | str) -> bool:
        """Open a project folder (closing the current one first, asking about unsaved edits)."""
        path = Path(path)
        if self.document is not None and self.document.path.resolve() == path.resolve():
            return True
        if not self.close_project():
            return False
        try:
            session = ProjectSession.open(path)
        except Exception as error:
            message = f"Could not open {path.name}: {describe(error)}"
            if not (isinstance(error, ProjectCorrupt) and self.restorer.offer(path, message)):
                self.message_bar.show_message(message)
            return False
        self._adopt(session)
        return True

    def new_project(self) -> bool:
        dialog = NewProjectDialog(preferences.demo_path().parent, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        spec = dialog.result_project()
        return self.create_project(spec.path, spec.title, spec.size, spec.fps)

    def create_project(self, path: Path, title: str, size: object = None, fps: object = None) -> bool:
        if not self.close_project():
            return False
        try:
            session = ProjectSession.create(path, title=title, size=size, fps=fps)  # type: ignore[arg-type]
        except Exception as error:
            self.message_bar.show_message(f"Could not create {path.name}: {describe(error)}")
            return False
        self._adopt(session)
        return True

    def browse_project(self) -> None:
        chosen = self.ask_open_path()
        if chosen is not None:
            self.open_path(chosen)

    def open_path(self, path: Path | str) -> None:
        """Open what the creator pointed at, however they did: a project, or a shared archive to unpack first."""
        path = Path(path)
        if is_archive(path):
            self.sharing.open_archive(path)
        else:
            self.open_project(path)

    def share(self) -> None:
        if self.document is not None:
            self.sharing.share(self.document)

    def _open_unpacked(self, project: Path) -> None:
        if not self.open_project(project):
            self.message_bar.show_message(f"The shared project stays in {project}; open it with File → Open… later.")

    def open_demo(self) -> None:
        if self.close_project():
            self.welcome.open_demo()

    def _adopt(self, session: ProjectSession) -> None:
        document = ProjectDocument(self.ctx, session, self.bridge, self)
        self.document = document
        document.failed.connect(self.message_bar.show_message)
        document.history_changed.connect(self._refresh)
        document.changed.connect(self._on_changed)
        document.saved.connect(self._refresh)
        self.undo_actions.set_document(document)
        self._build_panels(document)
        preferences.remember_recent(self.ctx, document.path)
        self._show_document()
        self.relinking.announce(document)
        heap.settle()  # the project, its panels and Qt's wrappers live on: keep full collections off them
        if resumed := document.resume_jobs():
            log.info("Resumed %d unfinished job(s)", resumed)
        self._offer_recovery(document)

    def _offer_recovery(self, document: ProjectDocument) -> None:
        recovered = document.session.bundle.recovery()
        if recovered is None or recovered == document.project:
            return
        dialog = RecoveryDialog(document.project, recovered, self)
        dialog.finished.connect(lambda _code: self._recovery_chosen(document, dialog.choice, recovered))
        self.recovery_dialog = dialog
        dialog.open()  # window-modal but not blocking: the event loop keeps running

    def _recovery_chosen(self, document: ProjectDocument, choice: RecoveryChoice, recovered: Project) -> None:
        self.recovery_dialog = None
        if document is not self.document:
            return
        if choice is RecoveryChoice.RESTORE:
            # One undoable step; the autosave stays until the creator saves. A take a job delivered after the autosave
            # was written (while this was asked, say) stays: restoring never takes paid work out.
            restore = Command("Restore unsaved work", lambda present: edits.keep_generated_takes(recovered, present))
            document.execute(restore)
        elif choice is RecoveryChoice.DISCARD:
            document.discard_recovery()

    def save(self) -> bool:
        return self.document.save() if self.document is not None else False

    def close_project(self) -> bool:
        """Close the open project; False if the creator chose to keep it open (or saving failed)."""
        document = self.document
        if document is None:
            return True
        if document.is_dirty:
            choice = self.ask_unsaved()
            if choice is Unsaved.CANCEL or (choice is Unsaved.SAVE and not document.save()):
                return False
            if choice is Unsaved.DISCARD:
                document.discard_recovery()
        self._release(document)
        return True

    def _release(self, document: ProjectDocument) -> None:
        self.document = None
        self.undo_actions.set_document(None)
        self.layout_.remember()
        self.layout_.hide_panels()
        self._drop_panels()
        self.selection.select([])
        self.playhead.seek(0)
        if self.recovery_dialog is not None:
            self.recovery_dialog.reject()
        document.close()
        document.deleteLater()
        QTimer.singleShot(0, heap.release)  # the closed project's objects become collectable again
        self.welcome.refresh()
        self._show_document()

    def shutdown(self) -> None:
        """Quitting: release the project without asking (jobs detach and resume next time)."""
        if self.document is not None:
            self._release(self.document)

    # ------------------------------------------------------------------------------------------ dialogs

    def offer_getting_started(self) -> None:
        """On a first start, show the guide just after the window appears (it never delays the window itself)."""
        if not self.ctx.settings.first_run_done:
            QTimer.singleShot(0, self.show_getting_started)

    def show_getting_started(self) -> None:
        if self.getting_started is not None:
            self.getting_started.deleteLater()
        guide = GettingStartedGuide(self.ctx, project_open=self.document is not None, parent=self)
        guide.failed.connect(self.message_bar.show_message)
        guide.demo_requested.connect(self.open_demo)
        self.getting_started = guide
        guide.open()  # window-modal but not blocking, like the recovery dialog

    def fill_recent(self) -> None:
        fill_recent(self.menus.recent, preferences.recent_projects(self.ctx), self.open_project)

    def relink_media(self) -> None:
        if self.document is not None:
            self.relinking.start(self.document)

    def shortcut_bindings(self) -> list[shortcuts.Binding]:
        """Every keyed action in the window now (the panels' only while a project is open)."""
        return shortcuts.bindings(self, self.panels)

    def shortcut_clashes(self) -> list[str]:
        return shortcuts.clashes(self.shortcut_bindings())

    # ------------------------------------------------------------------------------------------ state shown

    def _on_changed(self, change: object) -> None:
        if self.document is not None:
            project = self.document.project
            self.selection.keep_only({shot.id for shot in project.shots}, {clip.id for clip in project.audio})
        self._refresh()

    def _show_document(self) -> None:
        has_document = self.document is not None
        self.stack.setCurrentWidget(self.editor if has_document else self.welcome)
        player, timeline = self.panels.get("player"), self.panels.get("timeline")
        if has_document and player is not None and timeline is not None:
            self.layout_.show_panels(player, timeline)
        else:
            self.layout_.hide_panels()
        for dock in self.docks.values():
            dock.toggleViewAction().setEnabled(has_document)
        self.menus.show_project(has_document)
        self._refresh()

    def _refresh(self) -> None:
        document = self.document
        if document is None:
            self.setWindowTitle("Shotline")
            self.setWindowModified(False)
            for label in (self.duration_label, self.shots_label, self.saved_label):
                label.clear()
            return
        project = document.project
        self.setWindowTitle(f"{project.title or document.path.name}[*] — Shotline")
        self.setWindowModified(document.is_dirty)
        self.shots_label.setText(f"{len(project.shots)} shot{'s' if len(project.shots) != 1 else ''}")
        # read as the creator chose to read times (timecode by default), like the player and the timeline
        style = clock_style(self.ctx.settings.clock_style)
        self.duration_label.setText(format_clock(film_length_us(project), project.settings.fps, style))
        self.saved_label.setText("Unsaved changes (autosaved)" if document.is_dirty else "Saved")

    def shown_title(self) -> str:
        """The title as the window manager shows it: `[*]` becomes `*` while there are unsaved edits."""
        return self.windowTitle().replace("[*]", "*" if self.isWindowModified() else "")

    # ------------------------------------------------------------------------------------------ events

    def closeEvent(self, event: QCloseEvent) -> None:
        self.layout_.remember()
        if self.close_project():
            event.accept()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept what can be dropped, and say over the window what the drop will do."""
        note = window_drop_note(dropped_files(event), project_open=self.document is not None)
        if note:
            event.acceptProposedAction()
            self.drop_highlight.show_window(note)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_highlight.clear()

    def dropEvent(self, event: QDropEvent) -> None:
        """A dropped project or shared archive is opened; video and sound files become shots of the open project."""
        self.drop_highlight.clear()
        files = dropped_files(event)
        if not files:
            return
        if (openable := openable_of(files)) is not None:
            event.acceptProposedAction()
            self.open_path(openable)
        elif self.document is not None:
            event.acceptProposedAction()
            self.document.import_files(files)
