"""A take's file that is no longer what came in (issue 13, class 2): swapped for an HLS playlist naming a clip outside
the project, or for a link out of it, the viewer does not play it and says why on the shot, naming the creator's
file; Qt's own FFmpeg, which follows a playlist wherever it points, never sees it. The check runs off the GUI thread.

Real player, real Qt Multimedia and real files: the outside clip is a playable one, so a player handed the playlist
would load it (it did: Qt read the clip the playlist named and reported it loaded, two seconds long).
"""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from shotline.core.model import Size
from shotline.core.timeline import layout
from shotline.services.context import AppContext
from shotline.services.editing import add_shot, pick
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.compare_grid import CompareGrid
from shotline.ui.document import ProjectDocument
from shotline.ui.player import PlayerPanel
from tests.clips import make_clip
from tests.media import hostile
from tests.media.numbered import Sound, numbered_clip
from tests.ui.gui_thread_io import watching_gui_thread
from tests.ui.test_responsiveness import allowed_on_the_gui_thread
from tests.ui.viewer_probe import numbered_film, shown_player

pytestmark = pytest.mark.ffmpeg

_LOADED = (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A playable clip elsewhere on the computer, two seconds long."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return make_clip(folder / "secret.ts", seconds=2, size=(160, 90))


@pytest.fixture
def film(tmp_path: Path) -> Path:
    return numbered_film(tmp_path)


def _first_take(film: Path) -> tuple[dict[str, object], Path]:
    doc = json.loads((film / "project.json").read_text())
    take = doc["shots"][0]["takes"][0]
    return doc, film / take["media"]


def _open(app_context: AppContext, film: Path) -> ProjectDocument:
    return ProjectDocument(app_context, ProjectSession.open(film), Bridge())


def _said(qtbot: QtBot, document: ProjectDocument, player: PlayerPanel, seek_to: int) -> str:
    with qtbot.waitSignal(document.failed, timeout=15_000) as said:
        player.seek(seek_to)
    message = said.args[0]
    assert isinstance(message, str)
    return message


def _plays_nothing(qtbot: QtBot, player: PlayerPanel) -> None:
    qtbot.wait(1500)  # as long as Qt took to load the outside clip through the playlist
    media = player.media_player
    assert media.source().isEmpty(), media.source()
    assert media.mediaStatus() not in _LOADED and media.duration() == 0


def test_a_take_named_as_a_playlist_is_not_played(
    qtbot: QtBot, app_context: AppContext, film: Path, outside: Path
) -> None:
    """A hand-edited project whose first take names `media/evil.m3u8`, a playlist of the outside clip: the project
    opens (the file is a regular file inside it), and the shot says what the file is instead of playing it."""
    doc, _clip = _first_take(film)
    hostile.hls_playlist(film / "media" / "evil.m3u8", outside, seconds=2)
    doc["shots"][0]["takes"][0]["media"] = "media/evil.m3u8"  # type: ignore[index]
    (film / "project.json").write_text(json.dumps(doc))
    document = _open(app_context, film)
    try:
        with shown_player(qtbot, document) as player:
            second = layout(document.project)[1].start_us
            player.seek(second)
            qtbot.waitUntil(lambda: player.media_player.mediaStatus() in _LOADED, timeout=15_000)  # others play
            message = _said(qtbot, document, player, 0)
            words = "Shot 1 ('first') cannot be played: first.mp4 is a playlist that names other files"
            assert message.startswith(words), message
            assert "Traceback" not in message
            _plays_nothing(qtbot, player)
    finally:
        document.close()


def test_a_take_swapped_for_a_link_out_after_opening_is_not_played(
    qtbot: QtBot, app_context: AppContext, film: Path, outside: Path
) -> None:
    _doc, clip = _first_take(film)
    document = _open(app_context, film)
    try:
        with shown_player(qtbot, document) as player:
            second = layout(document.project)[1].start_us
            player.seek(second)
            qtbot.waitUntil(lambda: player.media_player.mediaStatus() in _LOADED, timeout=15_000)
            clip.unlink()
            clip.symlink_to(outside)  # after the project opened: the loader's check of links has been passed
            message = _said(qtbot, document, player, 0)
            assert message.startswith("Shot 1 ('first') cannot be played: "), message
            assert "outside the project folder" in message, message
            _plays_nothing(qtbot, player)
    finally:
        document.close()


def test_the_gui_thread_reads_no_take_while_it_is_checked(
    qtbot: QtBot, app_context: AppContext, film: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check reads the file whole the first time it is seen as it is on disk: a take copied anew (a file never
    checked) is read on a worker, and the window's thread touches nothing of it."""
    _doc, clip = _first_take(film)
    settings = tmp_path / "settings"
    settings.mkdir()
    with watching_gui_thread(monkeypatch) as watch:
        document = _open(app_context, film)
        try:
            with shown_player(qtbot, document) as player:
                second = layout(document.project)[1].start_us
                player.seek(second)
                qtbot.waitUntil(lambda: player.media_player.mediaStatus() in _LOADED, timeout=15_000)
                fresh = clip.with_name(f"fresh-{clip.name}")
                shutil.copyfile(clip, fresh)
                fresh.replace(clip)  # a file of its own: never admitted yet
                with watch.recording(allowed_on_the_gui_thread(settings)) as recording:
                    (settings / "recorder is listening").write_text("")  # allowed: its settings folder
                    player.seek(0)
                    qtbot.waitUntil(lambda: not player.media_player.source().isEmpty(), timeout=15_000)
                    qtbot.waitUntil(lambda: player.media_player.mediaStatus() in _LOADED, timeout=15_000)
                assert player.media_player.source().toLocalFile() == str(clip.resolve())
        finally:
            document.close()
    assert recording.seen > 0, "the recorder saw nothing of the GUI thread: is its audit hook installed?"
    touched = "\n".join(str(touch) for touch in recording.touches[:5])
    assert recording.touches == [], f"the GUI thread did {len(recording.touches)} thing(s) it must not:\n{touched}"


def test_a_compared_take_named_as_a_playlist_is_neither_shown_nor_heard(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path, outside: Path
) -> None:
    """The compare grid decodes each take on a thread of its own and plays the picked take's sound through Qt: the
    playlist take's cell says what it is, in the creator's words, and its sound is never handed to Qt."""
    path = tmp_path / "compare.shotline"
    sound = Sound(seconds=4.0, burst_at=1.0)
    clips = [numbered_clip(tmp_path / f"take {n}.mp4", frames=50, cut_frame=10 * n, sound=sound) for n in (1, 2)]
    with ProjectSession.create(path, size=Size(160, 90), fps=Fraction(25)) as session:
        shot = add_shot(session, "A gull over the harbour", title="Harbour")
        imported = import_files(session, clips, shot.id)
        pick(session, shot.id, imported[0].take_id)
        session.save()
    hostile.hls_playlist(path / "media" / "evil.m3u8", outside, seconds=2)
    doc = json.loads((path / "project.json").read_text())
    doc["shots"][0]["takes"][0]["media"] = "media/evil.m3u8"
    (path / "project.json").write_text(json.dumps(doc))
    document = _open(app_context, path)
    owner = QWidget()
    try:
        shot = document.project.shots[0]
        grid = CompareGrid(document, shot.id, list(shot.takes), owner, sound_without_device=True)
        qtbot.waitUntil(grid.settled, timeout=15_000)
        assert grid.cells[0].view.message.startswith("take 1.mp4 is a playlist that names other files")
        assert grid.cells[1].view.message == ""
        sound_player = grid.sound
        assert sound_player is not None
        qtbot.wait(1500)  # as long as Qt took to load the outside clip through the playlist
        assert sound_player.media_player.source().isEmpty() and sound_player.source is None
        assert sound_player.media_player.mediaStatus() not in _LOADED
        grid.pick(1)  # the other take is heard: the gate lets a take it admits through
        qtbot.waitUntil(lambda: sound_player.media_player.mediaStatus() in _LOADED, timeout=15_000)
        grid.reject()
        assert grid.feeds_ended(timeout=10)
    finally:
        shiboken6.delete(owner)
        document.close()
