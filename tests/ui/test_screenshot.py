"""The main window with the demo project, rendered on a real X server (Xvfb) and grabbed to a PNG.

Qt cannot switch platform inside the offscreen test process, so this file is also the script the test runs in a
subprocess with DISPLAY set and QT_QPA_PLATFORM=xcb. With SHOTLINE_UPDATE_SCREENSHOTS=1 the picture replaces
resources/screenshots/main-window.png (the one the README shows); otherwise it goes to a temporary folder.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

WIDTH, HEIGHT = 1600, 1000
REPO = Path(__file__).resolve().parents[2]
README_PICTURE = REPO / "resources" / "screenshots" / "main-window.png"
SETTLE_SECONDS = 2.0
"""Let the player load its frame and the panels lay out before looking for idleness."""
MAX_WAIT_SECONDS = 30.0


# ---------------------------------------------------------------------------------------------- the script


def render_screenshot(out: Path, project: Path) -> int:
    """Open the demo in the main window at WIDTH×HEIGHT, select shot 2, seek into it, wait, grab, save."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from shotline.services.context import open_context
    from shotline.services.demo import open_or_create_demo
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui.bridge import Bridge
    from shotline.ui.main import make_application
    from shotline.ui.main_window import MainWindow

    app = make_application([sys.argv[0]])
    with open_context(secrets=MemorySecretStore()) as ctx:
        open_or_create_demo(ctx, project).close()
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

        def poll() -> None:
            nonlocal quiet_polls
            busy = bool(document._thumbnails_pending) or any(document.is_running(j.id) for j in document.jobs())
            quiet_polls = 0 if busy else quiet_polls + 1
            waited = time.monotonic() - started
            if (waited > SETTLE_SECONDS and quiet_polls >= 5) or waited > MAX_WAIT_SECONDS:
                timer.stop()
                screen = window.screen()
                picture = screen.grabWindow(window.winId())
                result["code"] = 0 if picture.save(str(out), "PNG") else 2
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


if __name__ == "__main__":
    sys.exit(render_screenshot(Path(sys.argv[1]), Path(sys.argv[2])))


# ---------------------------------------------------------------------------------------------- the test

import numpy as np  # noqa: E402 - the script above must not need the test's imports
import pytest  # noqa: E402

from shotline.backends.animatic import PALETTE  # noqa: E402

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A private X server for this test: Xvfb picks a free display number and tells us through a pipe."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 15)
        number = os.read(read_end, 64).decode().strip() if ready else ""
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=10)


def _image(path: Path) -> np.ndarray:
    from PySide6.QtGui import QImage

    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not image.isNull(), f"{path} is not an image"
    row = image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=row * image.height())
    rows = data.reshape(image.height(), row)[:, : image.width() * 3]
    return rows.reshape(image.height(), image.width(), 3).copy()  # a copy: the QImage's memory goes with it


def _has_colour(pixels: np.ndarray, hex_colour: str, tolerance: int = 14, at_least: int = 200) -> bool:
    target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    close = np.all(np.abs(pixels.astype(np.int16) - target) <= tolerance, axis=2)
    return int(close.sum()) >= at_least


def test_the_main_window_with_the_demo_renders_a_real_picture(xvfb_display: str, tmp_path: Path) -> None:
    update = os.environ.get("SHOTLINE_UPDATE_SCREENSHOTS") == "1"
    out = README_PICTURE if update else tmp_path / "main-window.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(
        [sys.executable, __file__, str(out), str(tmp_path / "demo.shotline")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pixels = _image(out)
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    assert float(pixels.std()) > 12, "the picture is nearly blank"
    colours = np.unique(pixels.reshape(-1, 3) // 8, axis=0)
    assert len(colours) > 200, f"only {len(colours)} distinct colours: panels did not draw"
    # the demo's first shots are animatic cards; their colours show in the storyboard, player and timeline
    assert sum(_has_colour(pixels, colour) for colour in PALETTE[:5]) >= 3
    assert out.stat().st_size < 400_000
