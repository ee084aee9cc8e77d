"""The main window with the demo project, rendered on a real X server (Xvfb) and grabbed to a PNG; and the same
window's timeline with music and voice-over on its audio lanes, waveforms drawn.

Qt cannot switch platform inside the offscreen test process, so this file is also the script the test runs in a
subprocess with DISPLAY set and QT_QPA_PLATFORM=xcb. With SHOTLINE_UPDATE_SCREENSHOTS=1 the pictures replace
resources/screenshots/main-window.png (the one the README shows) and timeline-audio.png; otherwise they go to a
temporary folder.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shotline.services.session import ProjectSession
    from shotline.ui.timeline import TimelinePanel

WIDTH, HEIGHT = 1600, 1000
REPO = Path(__file__).resolve().parents[2]
README_PICTURE = REPO / "resources" / "screenshots" / "main-window.png"
TIMELINE_PICTURE = REPO / "resources" / "screenshots" / "timeline-audio.png"
SETTLE_SECONDS = 2.0
"""Let the player load its frame and the panels lay out before looking for idleness."""
MAX_WAIT_SECONDS = 30.0


# ---------------------------------------------------------------------------------------------- the script


def add_sound_to_demo(session: ProjectSession, music: Path, voice: Path) -> None:
    """Music under the whole film (faded in and out, a little lower), a voice-over in the middle, and a
    crossfade from shot 2 into shot 3: everything the audio lanes can show."""
    from shotline.core import commands
    from shotline.core.model import Transition, TransitionKind
    from shotline.services.sound import add_sound

    bed = add_sound(session, music, "music", 0)
    session.execute(commands.set_audio_clip(bed.id, gain_db=-3.0, fade_in_us=1_000_000, fade_out_us=2_000_000))
    add_sound(session, voice, "voice", 3_500_000)
    session.execute(commands.set_transition(session.project.shots[1].id, Transition(TransitionKind.CROSSFADE, 500_000)))
    session.save()


def render_screenshot(out: Path, project: Path, sounds: list[Path] | None = None) -> int:
    """Open the demo in the main window at WIDTH×HEIGHT, select shot 2, seek into it, wait, grab, save.

    With `sounds` (music, voice-over) they are put on the demo's lanes first and only the timeline is saved."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from shotline.services.context import open_context
    from shotline.services.demo import open_or_create_demo
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui.bridge import Bridge
    from shotline.ui.main import make_application
    from shotline.ui.main_window import MainWindow
    from shotline.ui.timeline import TimelinePanel

    app = make_application([sys.argv[0]])
    with open_context(secrets=MemorySecretStore()) as ctx:
        with open_or_create_demo(ctx, project) as session:
            if sounds:
                add_sound_to_demo(session, *sounds)
        window = MainWindow(ctx, Bridge())
        window.resize(WIDTH, HEIGHT)
        window.move(0, 0)
        window.show()
        assert window.open_project(project)
        document = window.document
        assert document is not None
        shots = document.project.shots
        window.selection.select([shots[1].id])
        window.playhead.seek(sum(shot.duration_us for shot in shots[:1]) + 1_000_000)
        started = time.monotonic()
        quiet_polls = 0
        result = {"code": 1}

        timeline = window.panels["timeline"]
        assert isinstance(timeline, TimelinePanel)

        def poll() -> None:
            nonlocal quiet_polls
            busy = bool(document._thumbnails_pending) or any(document.is_running(j.id) for j in document.jobs())
            busy = busy or timeline.canvas.waveforms.busy
            quiet_polls = 0 if busy else quiet_polls + 1
            waited = time.monotonic() - started
            if (waited > SETTLE_SECONDS and quiet_polls >= 5) or waited > MAX_WAIT_SECONDS:
                timer.stop()
                shown: QWidget = timeline if sounds else window
                picture = window.screen().grabWindow(
                    window.winId(),
                    *shown.mapTo(window, shown.rect().topLeft()).toTuple(),
                    shown.width(),
                    shown.height(),
                )
                result["code"] = 0 if picture.save(str(out), "PNG") else 2
                if sounds:
                    _write_rows(timeline, project.parent / ROWS_FILE)
                window.shutdown()
                app.quit()

        timer = QTimer()
        timer.setInterval(200)
        timer.timeout.connect(poll)
        timer.start()
        app.exec()
        window.deleteLater()
        QApplication.processEvents()  # a script's last act: let deleteLater run before the context closes
    return result["code"]


ROWS_FILE = "timeline-rows.json"


def _write_rows(timeline: TimelinePanel, dest: Path) -> None:
    """Where the picture row and each lane's row are in the timeline picture (top, bottom), where each sound clip
    is along them (left, right, by lane) and the pixels per second, so the test can look inside them."""
    from shotline.ui.timeline import geometry

    canvas = timeline.canvas
    geo = canvas.geometry_
    origin = canvas.mapTo(timeline, canvas.rect().topLeft())

    def span(top: int, height: int) -> list[int]:
        return [origin.y() + top + offset for offset in (0, height)]

    rows = {row.lane.id: span(row.top, geometry.LANE_HEIGHT) for row in geo.rows}
    rows["picture"] = span(geometry.CLIP_TOP, geometry.CLIP_HEIGHT)
    sounds = {box.row.lane.id: [round(origin.x() + box.x0), round(origin.x() + box.x1)] for box in geo.sound_boxes}
    dest.write_text(json.dumps({"rows": rows, "sounds": sounds, "pixels_per_second": geo.pps}))


if __name__ == "__main__":
    sys.exit(render_screenshot(Path(sys.argv[1]), Path(sys.argv[2]), [Path(a) for a in sys.argv[3:]] or None))


# ---------------------------------------------------------------------------------------------- the test

import numpy as np  # noqa: E402 - the script above must not need the test's imports
import pytest  # noqa: E402

from shotline.backends.animatic import PALETTE  # noqa: E402
from shotline.core.model import LaneKind  # noqa: E402
from tests.ui.screenshots import image, near, picture_path, run_script  # noqa: E402

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def _has_colour(pixels: np.ndarray, hex_colour: str, tolerance: int = 14, at_least: int = 200) -> bool:
    return int(near(pixels, hex_colour, tolerance).sum()) >= at_least


def _run_script(display: str, out: Path, project: Path, *sounds: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    run_script(__file__, display, str(out), str(project), *map(str, sounds))


def test_the_main_window_with_the_demo_renders_a_real_picture(xvfb_display: str, tmp_path: Path) -> None:
    out = picture_path(README_PICTURE, tmp_path)
    _run_script(xvfb_display, out, tmp_path / "demo.shotline")
    pixels = image(out)
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    assert float(pixels.std()) > 12, "the picture is nearly blank"
    colours = np.unique(pixels.reshape(-1, 3) // 8, axis=0)
    assert len(colours) > 200, f"only {len(colours)} distinct colours: panels did not draw"
    # the demo's first shots are animatic cards; their colours show in the storyboard, player and timeline
    assert sum(_has_colour(pixels, colour) for colour in PALETTE[:5]) >= 3
    assert out.stat().st_size < 400_000


def _sound_files(folder: Path) -> tuple[Path, Path]:
    """An 11 s music bed that swells and falls, and 4 s of voice-like bursts, made with ffmpeg's aevalsrc."""
    from tests.clips import run

    music, voice = folder / "music.wav", folder / "voice-over.wav"
    swell = "0.6*sin(2*PI*220*t)*(0.55+0.45*sin(2*PI*0.4*t))"
    run(["-f", "lavfi", "-i", f"aevalsrc={swell}|{swell}:s=44100:d=11", "-c:a", "pcm_s16le", str(music)])
    words = "0.8*sin(2*PI*310*t)*gt(sin(2*PI*1.7*t)\\,0.1)*abs(sin(2*PI*4*t))"
    run(["-f", "lavfi", "-i", f"aevalsrc={words}:s=48000:d=4", "-c:a", "pcm_s16le", str(voice)])
    return music, voice


def _music_bed_is_drawn_whole_and_ducked_under_the_voice(band: np.ndarray, drawn: dict) -> None:
    """The music's waveform runs the clip's whole length, tall where it plays at its own gain and smaller where the
    lane ducks under the voice-over (the mix lowers it 12 dB there): measured column by column along the clip."""
    from shotline.ui.timeline.sound_rows import WAVE_COLOURS

    heights = near(band, WAVE_COLOURS[LaneKind.MUSIC], 10).sum(axis=0)
    (left, right), (voice_left, voice_right) = drawn["sounds"]["music"], drawn["sounds"]["voice"]
    pps = drawn["pixels_per_second"]
    # whole length: some waveform in nearly every column (the fade-out's last pixels and the playhead may hide it)
    assert (heights[left:right] > 0).mean() > 0.95, "the music's waveform stops short of its clip"
    # at its own gain (after the 1 s fade-in, before the ducking's 0.1 s attack) the bed is tall
    own_gain = heights[left + round(1.0 * pps) : voice_left - round(0.15 * pps)]
    assert own_gain.size > 100 and int(own_gain.max()) >= 15, "the music's waveform is not a tall bed"
    # under the voice-over it is drawn smaller, still there
    ducked = heights[voice_left:voice_right]
    assert (ducked > 0).mean() > 0.95, "the ducked music is not drawn"
    assert int(ducked.max()) * 2 < int(own_gain.max()), "the ducked music is drawn as tall as the rest"


def test_the_timeline_shows_picture_clip_sound_music_and_voice_over_with_waveforms(
    xvfb_display: str, tmp_path: Path
) -> None:
    from shotline.ui.timeline.sound_rows import DUCK_LINE, WAVE_COLOURS

    out = picture_path(TIMELINE_PICTURE, tmp_path)
    project = tmp_path / "demo.shotline"
    _run_script(xvfb_display, out, project, *_sound_files(tmp_path))
    pixels = image(out)
    drawn = json.loads((tmp_path / ROWS_FILE).read_text())
    rows = {name: pixels[top:bottom] for name, (top, bottom) in drawn["rows"].items()}
    assert set(rows) == {"picture", "clips", "music", "voice"}
    assert all(band.shape[0] > 30 for band in rows.values()), "the rows are cut off"

    def coverage(band: np.ndarray, hex_colour: str) -> int:
        return int(near(band, hex_colour, 10).sum())

    music, voice, clip_sound = (WAVE_COLOURS[kind].name() for kind in (LaneKind.MUSIC, LaneKind.VOICE, LaneKind.CLIPS))
    # Each lane's waveform in its own colour, and only in its own row.
    _music_bed_is_drawn_whole_and_ducked_under_the_voice(rows["music"], drawn)
    assert coverage(rows["voice"], voice) > 1000
    assert coverage(rows["clips"], clip_sound) > 300  # the animatic takes' quiet tone
    assert coverage(rows["voice"], music) == 0 and coverage(rows["music"], voice) == 0
    # The ducking's gain line is on the music clip only (the voice-over and the clips' sound do not duck).
    assert coverage(rows["music"], DUCK_LINE.name()) > drawn["sounds"]["voice"][1] - drawn["sounds"]["voice"][0]
    assert all(coverage(rows[name], DUCK_LINE.name()) == 0 for name in ("picture", "clips", "voice"))
    # The picture row shows the animatic cards' colours.
    assert sum(_has_colour(rows["picture"], colour, at_least=100) for colour in PALETTE[:4]) >= 3
    assert out.stat().st_size < 300_000
