"""Issue 14, point 4: media comes in from the File menu; right-click menus on cards, clips, sound clips, lanes,
takes and the timeline background offer what applies there; a file dragged over the window shows where it lands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QContextMenuEvent, QDragEnterEvent, QDragMoveEvent
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from shotline.core.model import MUSIC_LANE
from shotline.core.timeline import film_length_us
from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from shotline.ui.timeline import geometry
from tests.clips import make_clip
from tests.media.sound import tone
from tests.ui.shell_fixtures import shown_window

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path, project_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        win.resize(1600, 1000)
        assert win.open_project(project_path)
        QApplication.processEvents()
        yield win


class Menus:
    """Catches the menu a right-click would show, instead of showing it."""

    def __init__(self, win: MainWindow) -> None:
        self.menu: QMenu | None = None
        win.context_menus.shown = self._shown

    def _shown(self, menu: QMenu, _at: QPoint) -> None:
        self.menu = menu

    def right_click(self, widget: QWidget, at: QPoint) -> dict[str, QAction]:
        self.menu = None
        QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, widget.mapToGlobal(at)))
        assert self.menu is not None, "no menu"
        return _entries(self.menu)


def _entries(menu: QMenu) -> dict[str, QAction]:
    found = {}
    for action in menu.actions():
        if action.menu() is not None:
            found[action.text()] = action
            found.update({f"{action.text()} ▸ {k}": v for k, v in _entries(action.menu()).items()})
        elif not action.isSeparator():
            found[action.text()] = action
    return found


def _file_action(win: MainWindow, text: str) -> QAction:
    [file_menu] = [a.menu() for a in win.menuBar().actions() if a.text() == "&File"]
    return next(a for a in file_menu.actions() if a.text() == text)


def test_file_menu_imports_clips_after_the_selected_shot_and_sound_at_the_playhead(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    document = window.document
    assert document is not None
    clip = make_clip(tmp_path / "pier.mp4", seconds=1.0, colour="green")
    music = tone(tmp_path / "waltz.wav", hz=440, seconds=1.5)
    first = document.project.shots[0].id
    window.selection.select([first])
    window.media.ask_files = lambda _title, _filter: [clip]
    _file_action(window, "Import clips…").trigger()
    qtbot.waitUntil(lambda: len(document.project.shots) == 4, timeout=WAIT_MS)
    assert document.project.shots[1].title == "pier"

    window.playhead.seek(500_000)
    window.media.ask_files = lambda _title, _filter: [music]
    _file_action(window, "Import music…").trigger()
    qtbot.waitUntil(lambda: len(document.project.audio) == 1, timeout=WAIT_MS)
    [placed] = document.project.audio
    assert placed.lane == MUSIC_LANE and placed.start_us == 500_000

    # With the playhead parked at the film's end (played through), music starts with the film, not after it
    window.playhead.seek(film_length_us(document.project))
    _file_action(window, "Import voice-over…").trigger()
    qtbot.waitUntil(lambda: len(document.project.audio) == 2, timeout=WAIT_MS)
    assert document.project.audio[1].start_us == 0


def test_right_click_on_a_card_a_clip_a_take_and_the_background(qtbot, window: MainWindow) -> None:
    document = window.document
    assert document is not None
    menus = Menus(window)
    storyboard = window.panels["storyboard"]
    view = storyboard.view  # type: ignore[attr-defined]
    second = document.project.shots[1].id
    card = view.visualRect(view.model().index(1, 0)).center()
    entries = menus.right_click(view.viewport(), card)
    assert {"Generate", "Duplicate", "Replace media…", "Reveal in file manager", "Delete"} <= set(entries)
    assert window.selection.ids == (second,)  # the card clicked is the one the menu acts on

    timeline = window.panels["timeline"]
    canvas = timeline.canvas  # type: ignore[attr-defined]
    box = canvas.geometry_.boxes[1]
    inside = QPoint(round(box.x0 + box.width / 3), geometry.CLIP_TOP + 20)
    entries = menus.right_click(canvas, inside)
    assert {"Split here", "Pick take", "Replace media…", "Delete shot"} <= set(entries)
    entries["Split here"].trigger()
    assert len(document.project.shots) == 4  # cut where the creator clicked
    document.undo()
    assert len(document.project.shots) == 3

    below = QPoint(10, canvas.height() - 2)
    entries = menus.right_click(canvas, below)
    assert {"Import clips…", "Import music…", "Import voice-over…"} <= set(entries)

    inspector = window.panels["inspector"]
    takes = inspector.takes_list  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: takes.count() >= 1)
    entries = menus.right_click(takes.viewport(), takes.visualItemRect(takes.item(0)).center())
    assert {"Pick take", "Compare takes", "Reveal in file manager", "Delete take"} <= set(entries)


def test_right_click_on_a_sound_clip_and_on_a_lane(qtbot, window: MainWindow, tmp_path: Path) -> None:
    document = window.document
    assert document is not None
    menus = Menus(window)
    canvas = window.panels["timeline"].canvas  # type: ignore[attr-defined]
    music_row = next(row for row in canvas.geometry_.rows if row.lane.id == MUSIC_LANE)
    entries = menus.right_click(canvas, QPoint(40, music_row.top + 10))
    assert "Import sound onto Music here…" in entries and "Mute lane" in entries
    sound = tone(tmp_path / "rain.wav", hz=200, seconds=1.0)
    window.media.ask_files = lambda _title, _filter: [sound]
    entries["Import sound onto Music here…"].trigger()
    qtbot.waitUntil(lambda: len(document.project.audio) == 1, timeout=WAIT_MS)
    QApplication.processEvents()
    [clip_box] = canvas.geometry_.sound_boxes
    entries = menus.right_click(canvas, QPoint(round(clip_box.x0 + 5), music_row.top + 10))
    assert {"Mute this clip", "Replace media…", "Reveal in file manager", "Delete sound"} <= set(entries)
    [before] = document.project.audio
    storm = tone(tmp_path / "storm.wav", hz=120, seconds=2.0)
    window.media.ask_files = lambda _title, _filter: [storm]
    entries["Replace media…"].trigger()
    qtbot.waitUntil(lambda: document.project.audio[0].source_name == "storm.wav", timeout=WAIT_MS)
    [after] = document.project.audio
    assert (after.lane, after.start_us) == (before.lane, before.start_us) and after.media != before.media
    document.undo()  # one step
    assert document.project.audio == (before,)
    QApplication.processEvents()
    entries = menus.right_click(canvas, QPoint(round(clip_box.x0 + 5), music_row.top + 10))
    entries["Delete sound"].trigger()
    assert document.project.audio == ()


def _drag(widget: QWidget, files: list[Path], at: QPoint) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    copy = Qt.DropAction.CopyAction
    no_buttons, no_keys = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(widget, QDragEnterEvent(at, copy, data, no_buttons, no_keys))
    QApplication.sendEvent(widget, QDragMoveEvent(at, copy, data, no_buttons, no_keys))


def test_dragging_files_over_the_timeline_shows_where_they_will_land(window: MainWindow, tmp_path: Path) -> None:
    canvas = window.panels["timeline"].canvas  # type: ignore[attr-defined]
    boxes = canvas.geometry_.boxes
    clip = tmp_path / "pier.mp4"
    clip.write_bytes(b"")  # only its name matters while dragging
    _drag(canvas, [clip], QPoint(round(boxes[1].x0 + 3), geometry.CLIP_TOP + 20))
    landing = window.drop_highlight.landing
    assert landing is not None and "new shot 2" in landing.text
    assert abs(landing.rect.center().x() - boxes[1].x0) < 4  # a bar at the cut the clip goes in at

    music_row = next(row for row in canvas.geometry_.rows if row.lane.id == MUSIC_LANE)
    song = tmp_path / "song.wav"
    song.write_bytes(b"")
    _drag(canvas, [song], QPoint(100, music_row.top + 5))
    landing = window.drop_highlight.landing
    assert landing is not None and landing.text.endswith("→ Music")
    assert landing.rect.top() == music_row.top and abs(landing.rect.left() - 100) < 3


def test_a_file_dragged_over_the_picture_reaches_the_window(window: MainWindow, tmp_path: Path) -> None:
    """Qt's video surface took drags for itself and dropped them: over the picture nothing was highlighted and a
    drop did nothing. Now the window answers there too, saying where the clip goes."""
    player = window.panels["player"]
    assert not [w for w in player.findChildren(QWidget) if w.acceptDrops()]
    clip = tmp_path / "pier.mp4"
    clip.write_bytes(b"")
    _drag(window, [clip], player.mapTo(window, player.rect().center()))
    landing = window.drop_highlight.landing
    assert landing is not None and landing.text == "Drop to add pier.mp4 as new shots at the end of the film"
