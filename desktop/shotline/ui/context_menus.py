"""Right-click menus, with the actions that apply where the creator clicked: a storyboard card, a clip or a sound
clip on the timeline, a lane, a take in the inspector, or the timeline's empty background.

The menus are hooked onto the panels from here (a custom context-menu policy and its signal), so the panels keep
one job each; where a panel already has the action (Split, Delete, Pick take…) the menu offers that same action, so
its key is shown beside it and it behaves exactly as from the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu, QWidget

from shotline.core import commands
from shotline.core.model import LaneKind, Shot
from shotline.services.retirement import retirement
from shotline.ui import window_dialogs
from shotline.ui.inspector import InspectorPanel
from shotline.ui.storyboard import StoryboardPanel
from shotline.ui.storyboard.model import ShotRole
from shotline.ui.timeline import TimelinePanel
from shotline.ui.timeline import geometry as timeline_geometry
from shotline.ui.timeline.lanes import LaneHeader

if TYPE_CHECKING:
    from shotline.ui.main_window import MainWindow


class ContextMenus:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.shown: Callable[[QMenu, QPoint], object] = lambda menu, at: menu.exec(at)
        """Show a menu at a global point (blocking, as Qt does); replaceable so tests can read the menu."""

    def attach(self, panels: Mapping[str, QWidget]) -> None:
        """Give a new project's panels their right-click menus."""
        storyboard, timeline, inspector = panels.get("storyboard"), panels.get("timeline"), panels.get("inspector")
        if isinstance(storyboard, StoryboardPanel):
            self._hook(storyboard.view, lambda at: self.card_menu(storyboard, at))
        if isinstance(timeline, TimelinePanel):
            self._hook(timeline.canvas, lambda at: self.timeline_menu(timeline, at))
            headers = timeline.lane_headers  # its rows are rebuilt when lanes change: find the row clicked
            self._hook(headers, lambda at: self._header_menu(timeline, headers.childAt(at)))
        if isinstance(inspector, InspectorPanel):
            self._hook(inspector.takes_list, lambda at: self.takes_menu(inspector, at))

    def _hook(self, widget: QWidget, build: Callable[[QPoint], QMenu | None]) -> None:
        widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        def show(at: QPoint) -> None:
            menu = build(at)
            if menu is not None and not menu.isEmpty():
                self.shown(menu, widget.mapToGlobal(at))

        widget.customContextMenuRequested.connect(show)

    # ------------------------------------------------------------------------------------------ storyboard

    def card_menu(self, panel: StoryboardPanel, at: QPoint) -> QMenu | None:
        index = panel.view.indexAt(at)
        menu = QMenu(panel)
        if not index.isValid():
            menu.addAction(panel.add_action)
            menu.addAction(self._window.menus.import_clips)
            menu.addAction(panel.script_action)
            return menu
        shot_id = str(index.data(ShotRole.ID))
        if shot_id not in self._window.selection.ids:
            self._window.selection.select([shot_id])
        menu.addAction(panel.generate_action)
        menu.addAction(self._window.menus.try_on)
        menu.addAction(self._window.menus.draft_stills)
        menu.addAction(self._window.menus.speak_lines)
        menu.addAction(panel.duplicate_action)
        self._retired_item(menu, shot_id)
        self._shot_items(menu, shot_id)
        menu.addSeparator()
        menu.addAction(panel.delete_action)
        return menu

    def _retired_item(self, menu: QMenu, shot_id: str) -> None:
        """On a shot whose model is retired: move every shot on it to the replacement (shown first)."""
        document = self._window.document
        if document is None:
            return
        shot = document.project.shot(shot_id)
        retired = retirement(document.ctx.registry, shot.generation, document.retired_answers)
        if retired is None or retired.replacement is None:
            return
        move = menu.addAction(f"Move shots on {retired.label} to {retired.replacement.label}…")
        move.setToolTip(retired.describe())
        move.triggered.connect(lambda: window_dialogs.replace_retired(self._window, retired))

    def _shot_items(self, menu: QMenu, shot_id: str) -> None:
        """What every shot offers wherever it is clicked: its takes to pick from, new media, its file."""
        document = self._window.document
        if document is None:
            return
        shot = document.project.shot(shot_id)
        self._pick_menu(menu, shot)
        replace = menu.addAction("Replace media…")
        replace.setToolTip("Import a clip as a new take of this shot and play it instead (the old take stays)")
        replace.triggered.connect(lambda: self._window.media.import_clips(shot_id))
        reveal = menu.addAction("Reveal in file manager")
        reveal.setEnabled(shot.picked_take is not None)
        reveal.triggered.connect(lambda: self._reveal(shot_id))

    def _pick_menu(self, menu: QMenu, shot: Shot) -> None:
        document = self._window.document
        picks = menu.addMenu("Pick take")
        picks.setEnabled(len(shot.takes) > 1)
        for number, take in enumerate(shot.takes, start=1):
            made = take.source_name or (take.generation.backend if take.generation else "")
            action = picks.addAction(f"Take {number}" + (f" · {made}" if made else ""))
            action.setCheckable(True)
            action.setChecked(take.id == shot.picked_take_id)
            if document is not None:
                action.triggered.connect(
                    lambda _checked=False, t=take.id: document.execute(commands.pick_take(shot.id, t))
                )

    def _reveal(self, shot_id: str, media: str | None = None) -> None:
        document = self._window.document
        if document is None:
            return
        if media is None:
            take = document.project.shot(shot_id).picked_take
            if take is None:
                return
            media = take.media
        folder = document.session.bundle.resolve(media).parent
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            document.failed.emit(f"Could not open a file manager at {folder}.")

    # ------------------------------------------------------------------------------------------ timeline

    def timeline_menu(self, panel: TimelinePanel, at: QPoint) -> QMenu | None:
        geo = panel.canvas.geometry_
        x, y = float(at.x()), float(at.y())
        if (sound := geo.sound_at(x, y)) is not None:
            return self.sound_menu(panel, sound.clip_id)
        clip_top = timeline_geometry.CLIP_TOP
        if clip_top <= y <= clip_top + timeline_geometry.CLIP_HEIGHT and (box := geo.box_at(x)) is not None:
            return self.clip_menu(panel, box.shot_id, geo.us_at(x))
        if (row := geo.row_at(y)) is not None:
            return self.lane_menu(panel, row.lane.id, geo.us_at(x))
        return self.background_menu(panel, geo.us_at(x))

    def clip_menu(self, panel: TimelinePanel, shot_id: str, at_us: int) -> QMenu:
        window = self._window
        window.selection.select([shot_id])
        menu = QMenu(panel)
        split = menu.addAction(panel.split_action.icon(), "Split here")
        split.setToolTip("Cut the shot in two where you clicked")
        split.triggered.connect(lambda: self._split(panel, at_us))
        menu.addAction(window.menus.try_on)
        menu.addAction(window.menus.draft_stills)
        menu.addAction(window.menus.speak_lines)
        self._shot_items(menu, shot_id)
        menu.addSeparator()
        delete = menu.addAction("Delete shot")
        delete.triggered.connect(lambda: self._delete_shot(shot_id))
        return menu

    def _split(self, panel: TimelinePanel, at_us: int) -> None:
        """Split where the creator clicked: the playhead goes there first, then the timeline's own Split (S)."""
        self._window.playhead.seek(at_us)
        panel.split_at_playhead()

    def _delete_shot(self, shot_id: str) -> None:
        document = self._window.document
        if document is not None:
            document.execute(commands.remove_shot(shot_id))

    def sound_menu(self, panel: TimelinePanel, clip_id: str) -> QMenu | None:
        document = self._window.document
        if document is None:
            return None
        clip = document.project.audio_clip(clip_id)
        self._window.selection.select_audio_clip(clip_id)
        menu = QMenu(panel)
        mute = menu.addAction("Mute this clip")
        mute.setCheckable(True)
        mute.setChecked(clip.muted)
        mute.triggered.connect(lambda on: document.execute(commands.set_audio_clip(clip_id, muted=bool(on))))
        replace = menu.addAction("Replace media…")
        replace.setToolTip("Another sound file in this clip's place, with its start, gain and fades")
        replace.triggered.connect(lambda: self._window.media.replace_sound(clip_id))
        fit = menu.addAction("Fit to the film")
        fit.setToolTip("Loop a shorter sound to the film's end, or cut a longer one there with a short fade-out")
        # refused (a clip after the film's end) says why in the message bar, as every refused edit does
        fit.triggered.connect(lambda: document.execute(commands.fit_audio_clip(clip_id)))
        reveal = menu.addAction("Reveal in file manager")
        reveal.triggered.connect(lambda: self._reveal("", clip.media))
        menu.addSeparator()
        delete = menu.addAction("Delete sound")
        delete.triggered.connect(lambda: document.execute(commands.remove_audio_clip(clip_id)))
        return menu

    def lane_menu(self, panel: TimelinePanel, lane_id: str, at_us: int | None) -> QMenu | None:
        document = self._window.document
        if document is None:
            return None
        lane = document.project.lane(lane_id)
        menu = QMenu(panel)
        if lane.kind is not LaneKind.CLIPS:
            where = "here" if at_us is not None else "at the playhead"
            add = menu.addAction(f"Import sound onto {lane.name} {where}…")
            add.triggered.connect(lambda: self._window.media.import_sound(lane_id, f"Import {lane.name}", at_us))
            menu.addSeparator()
        for setting, text in (("muted", "Mute lane"), ("solo", "Solo lane")):
            toggle = menu.addAction(text)
            toggle.setCheckable(True)
            toggle.setChecked(bool(getattr(lane, setting)))
            toggle.triggered.connect(
                lambda on, s=setting: document.execute(commands.set_lane(lane_id, **{s: bool(on)}))
            )
        return menu

    def _header_menu(self, panel: TimelinePanel, clicked: QWidget | None) -> QMenu | None:
        while clicked is not None and not isinstance(clicked, LaneHeader):
            clicked = clicked.parentWidget()
        return self.lane_menu(panel, clicked.lane_id, None) if clicked is not None else None

    def background_menu(self, panel: TimelinePanel, at_us: int) -> QMenu:
        menus = self._window.menus
        menu = QMenu(panel)
        menu.addAction(menus.import_clips)
        menu.addAction(menus.import_music)
        menu.addAction(menus.import_voice)
        menu.addSeparator()
        menu.addAction(panel.fit_action)
        return menu

    # ------------------------------------------------------------------------------------------ inspector

    def takes_menu(self, inspector: InspectorPanel, at: QPoint) -> QMenu | None:
        takes = inspector.takes_list
        item = takes.itemAt(at)
        if item is not None and not item.isSelected():
            takes.setCurrentItem(item)
        menu = QMenu(inspector)
        if item is not None:
            for action in (inspector.pick_action, inspector.compare_action, inspector.reveal_action):
                menu.addAction(action)
            menu.addAction(inspector.details_action)
            menu.addSeparator()
            menu.addAction(inspector.delete_take_action)
        menu.addAction(inspector.restore_take_action)
        return menu
