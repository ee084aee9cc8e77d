"""The window's menu bar: File, Edit, Film, View and Help, each item an action the window holds, so its key works
anywhere in the window and the shortcut list (Help → Keyboard shortcuts) can find and change it by its name."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from shotline.services import preferences
from shotline.ui import theme, window_dialogs
from shotline.ui.handoff import HandoffFlow
from shotline.ui.preference_changes import preference_changes
from shotline.ui.sharing import projects_folder
from shotline.ui.speak_lines import speak_lines

if TYPE_CHECKING:
    from shotline.ui.main_window import MainWindow


class WindowMenus:
    """Builds the menus of `window` and keeps the actions that need an open project, to enable them with it."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.needs_project: list[QAction] = []
        bar = window.menuBar()
        self.file = bar.addMenu("&File")
        self.edit = bar.addMenu("&Edit")
        self.view = bar.addMenu("&View")  # File, Edit, View first, as in every editor; the film's own menu after
        self.film = bar.addMenu("Fil&m")
        self.help = bar.addMenu("&Help")
        self._fill_file()
        self._fill_edit()
        self._fill_film()
        self._fill_view()
        self._fill_help()

    def action(
        self,
        name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: str | QKeySequence | None = None,
        icon: str = "",
        *,
        needs_project: bool = False,
    ) -> QAction:
        """A window-wide action named `name` (its id in the shortcut list), its tooltip saying its key."""
        window = self._window
        action = QAction(theme.icon(icon), text, window) if icon else QAction(text, window)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        tip = text.rstrip("…")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            tip += f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        window.addAction(action)
        if needs_project:
            self.needs_project.append(action)
        return action

    def _fill_file(self) -> None:
        w, menu = self._window, self.file
        menu.addAction(self.action("file.new", "New…", w.new_project, "Ctrl+N", "new"))
        menu.addAction(self.action("file.open", "Open…", w.browse_project, "Ctrl+O", "open"))
        self.recent = menu.addMenu("Open Recent")
        self.recent.aboutToShow.connect(w.fill_recent)
        menu.addAction(self.action("file.open-archive", "Open shared archive…", w.sharing.choose_and_open))
        self.handoff = HandoffFlow(w.ctx, w.bridge, w)
        self.handoff.reported.connect(w.message_bar.show_message)
        self.handoff.project_made.connect(w.open_project)
        menu.addAction(
            self.action(
                "file.open-cut",
                "Open a cut from another editor…",
                lambda: self.handoff.open_cut(projects_folder(w.ctx)),
            )
        )
        menu.addAction(self.action("file.demo", "Open the demo project", w.open_demo, icon="film"))
        menu.addSeparator()
        self.import_clips = self.action(
            "file.import-clips", "Import clips…", w.media.import_clips, "Ctrl+Shift+I", "open", needs_project=True
        )
        self.import_music = self.action(
            "file.import-music", "Import music…", w.media.import_music, "Ctrl+Shift+M", needs_project=True
        )
        self.import_voice = self.action(
            "file.import-voice", "Import voice-over…", w.media.import_voice, needs_project=True
        )
        self.relink = self.action("file.relink", "Relink media…", w.relink_media, needs_project=True)
        menu.addActions([self.import_clips, self.import_music, self.import_voice, self.relink])
        menu.addSeparator()
        self.save = self.action("file.save", "Save", w.save, "Ctrl+S", "save", needs_project=True)
        self.share = self.action("file.share", "Share as archive…", w.share, needs_project=True)
        self.export = self.action(
            "file.export", "Export…", partial(window_dialogs.export, w), "Ctrl+E", "export", needs_project=True
        )
        self.export_handoff = self.action(
            "file.export-handoff",
            "Export for another editor…",
            lambda: self.handoff.export_for_editor(w.document),
            needs_project=True,
        )
        self.close = self.action("file.close", "Close", w.close_project, "Ctrl+W", needs_project=True)
        menu.addActions([self.save, self.share, self.export, self.export_handoff, self.close])
        menu.addSeparator()
        quit_action = self.action("file.quit", "Quit", w.close, "Ctrl+Q")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        menu.addAction(quit_action)

    def _fill_edit(self) -> None:
        w, menu = self._window, self.edit
        menu.addActions([w.undo_actions.undo, w.undo_actions.redo])
        w.addActions([w.undo_actions.undo, w.undo_actions.redo])
        menu.addSeparator()
        preferences = self.action(
            "edit.preferences", "Preferences…", partial(window_dialogs.show_preferences, w), "Ctrl+,", "settings"
        )
        preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
        menu.addAction(preferences)
        menu.addAction(self.action("edit.keys", "API keys…", partial(window_dialogs.show_keys, w), icon="key"))
        self.budget = self.action(
            "edit.budget", "Project budget…", partial(window_dialogs.show_budget, w), needs_project=True
        )
        menu.addAction(self.budget)
        self.replace_retired = self.action(
            "edit.replace-retired",
            "Replace retired models…",
            partial(window_dialogs.replace_retired, w),
            needs_project=True,
        )
        menu.addAction(self.replace_retired)

    def _fill_film(self) -> None:
        self.check_continuity = self.action(
            "film.check-continuity",
            "Check continuity…",
            partial(window_dialogs.check_continuity, self._window),
            needs_project=True,
        )
        self.film.addAction(self.check_continuity)
        self.try_on = self.action(
            "film.try-on",
            "Try on other models…",
            partial(window_dialogs.try_on, self._window),
            icon="compare",
            needs_project=True,
        )
        self.try_on.setToolTip("Send the selected shot to 2–4 models at once and compare their takes side by side")
        self.film.addAction(self.try_on)
        self.draft_stills = self.action(
            "film.draft-stills",
            "Draft stills…",
            partial(window_dialogs.draft_stills, self._window),
            icon="image",
            needs_project=True,
        )
        self.draft_stills.setToolTip("Draft cheap pictures of the selected shot and pick one as its first frame")
        self.film.addAction(self.draft_stills)
        self.speak_lines = self.action(
            "film.speak-lines", "Speak its lines", partial(speak_lines, self._window), needs_project=True
        )
        self.speak_lines.setToolTip(
            "Speak the selected shot's dialogue lines with each speaker's voice, onto the voice-over lane"
        )
        self.film.addAction(self.speak_lines)
        self.make_music = self.action(
            "film.make-music", "Make music…", partial(_make_music, self._window), needs_project=True
        )
        self.make_music.setToolTip("A bed for the film from a prompt, onto the music lane, fitted to the film")
        self.film.addAction(self.make_music)

    def _fill_view(self) -> None:
        w, menu = self._window, self.view
        for dock in w.docks.values():
            menu.addAction(dock.toggleViewAction())
        menu.addSeparator()
        self.captions_in_viewer = self.action(
            "view.captions-in-viewer",
            "Show captions in the viewer",
            lambda: _show_captions_in_viewer(w, self.captions_in_viewer.isChecked()),
        )
        self.captions_in_viewer.setCheckable(True)
        self.captions_in_viewer.setChecked(w.ctx.settings.captions_in_viewer)
        self.captions_in_viewer.setToolTip("Show the caption under the playhead over the picture, as exported")
        menu.addAction(self.captions_in_viewer)
        menu.addSeparator()
        self.reset_layout = self.action("view.reset-layout", "Reset layout", w.layout_.reset, needs_project=True)
        menu.addAction(self.reset_layout)

    def _fill_help(self) -> None:
        w, menu = self._window, self.help
        menu.addAction(self.action("help.getting-started", "Getting started…", w.show_getting_started))
        menu.addAction(
            self.action("help.shortcuts", "Keyboard shortcuts…", partial(window_dialogs.show_shortcuts, w), "Ctrl+/")
        )
        about = self.action("help.about", "About Shotline", partial(window_dialogs.about, w))
        about.setMenuRole(QAction.MenuRole.AboutRole)
        menu.addAction(about)

    def show_project(self, open_: bool) -> None:
        for action in self.needs_project:
            action.setEnabled(open_)


def fill_recent(menu: QMenu, paths: list[Path], open_project: Callable[[Path], object]) -> None:
    """Open Recent: the projects opened lately, newest first, each with its folder as the tooltip."""
    menu.clear()
    for path in paths:
        action = menu.addAction(path.name.removesuffix(".shotline"))
        action.setToolTip(str(path))
        action.triggered.connect(lambda _checked=False, p=path: open_project(p))
    if menu.isEmpty():
        menu.addAction("No recent projects").setEnabled(False)


def _show_captions_in_viewer(window: MainWindow, on: bool) -> None:
    preferences.show_captions_in_viewer(window.ctx, on)
    preference_changes().saved.emit()  # the player shows or hides the caption at once


def _make_music(window: MainWindow) -> None:
    from shotline.ui.dialogs.make_music import make_music  # the dialog is built only when asked for

    make_music(window, window.document)
