"""Qt Multimedia's own FFmpeg, as the window sets it up: it opens local files only and keeps the terminal quiet.

Runs in a child process: the engine reads its environment and logging rules when it opens a file, and the suite's
shared QApplication is not the one Shotline builds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.clips import make_clip

CHILD = """
import sys
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtMultimedia import QMediaPlayer
from shotline.ui import main as ui_main

app = ui_main.make_application()
player = QMediaPlayer()
player.durationChanged.connect(lambda ms: (print("duration", ms, flush=True), app.quit()))
player.errorOccurred.connect(lambda _e, text: (print("error", text, flush=True), app.quit()))
player.setSource(QUrl.fromLocalFile(sys.argv[1]))
QTimer.singleShot(20_000, app.quit)
app.exec()
"""


def test_a_clip_opens_quietly_and_only_as_a_local_file(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_LOGGING_RULES", "QT_FFMPEG_PROTOCOL_WHITELIST")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    code = CHILD + "\nimport os; print('whitelist', os.environ.get('QT_FFMPEG_PROTOCOL_WHITELIST'))\n"
    done = subprocess.run(
        [sys.executable, "-c", code, str(clip)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert "duration 1000" in done.stdout, done.stdout + done.stderr
    # The engine's stream table ("Input #0, mov,mp4… Stream #0:0 …") is not the creator's business
    assert "Input #0" not in done.stderr and "Stream #0" not in done.stderr, done.stderr
    # nor are the optional video-acceleration libraries this machine lacks (VA-API): playback does without them
    assert "Couldn't load va" not in done.stderr, done.stderr
    assert "whitelist file" in done.stdout
