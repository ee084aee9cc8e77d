"""What the screenshot tests share: where a picture goes, running a test module as the script that draws it on the
private X server (the `xvfb_display` fixture in conftest.py), reading the picture back and finding colours in it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QColor, QImage

REPO = Path(__file__).resolve().parents[2]
SCREEN = (1600, 1000)
"""The X server's screen, in pixels."""


def picture_path(update_to: Path, tmp_path: Path) -> Path:
    """`update_to` (a picture the README shows) when SHOTLINE_UPDATE_SCREENSHOTS=1, else a scratch file."""
    return update_to if os.environ.get("SHOTLINE_UPDATE_SCREENSHOTS") == "1" else tmp_path / update_to.name


def run_script(script: str, display: str, *args: str, env: dict[str, str] | None = None, timeout: int = 120) -> None:
    """Run `script` (a test module's own __file__) on `display` with real X windows; it must exit 0."""
    done = subprocess.run(
        [sys.executable, script, *args],
        env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", **(env or {})},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-3000:]}"


def image(path: Path) -> np.ndarray:
    """The picture at `path` as height × width × RGB."""
    picture = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not picture.isNull(), f"{path} is not an image"
    row = picture.bytesPerLine()
    data = np.frombuffer(picture.constBits(), dtype=np.uint8, count=row * picture.height())
    rows = data.reshape(picture.height(), row)[:, : picture.width() * 3]
    return rows.reshape(picture.height(), picture.width(), 3).copy()  # a copy: the QImage's memory goes with it


def near(pixels: np.ndarray, colour: str | QColor, tolerance: int) -> np.ndarray:
    """Which pixels are within `tolerance` of `colour` (a "#rrggbb" name or a QColor), channel by channel."""
    shade = QColor(colour)
    target = np.array([shade.red(), shade.green(), shade.blue()], dtype=np.int16)
    return np.all(np.abs(pixels.astype(np.int16) - target) <= tolerance, axis=2)
