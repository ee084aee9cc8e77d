"""`shotline`: the window when asked for it, the command line for everything else.

The window opens for no arguments, for `open PATH`, and for a lone project or shared archive (`shotline
Film.shotline.zip`), which is how file managers and shells pass a file to a program.

Kept free of Qt and of the CLI's imports, so `shotline --help` never loads PySide6 and the window never loads click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

NO_DISPLAY = "Shotline's window needs a display; the command line works without one: shotline --help"
WINDOW_SUFFIXES = (".shotline", ".shotline.zip")
"""A project folder and a shared archive (storage.bundle.SUFFIX and storage.sharing.ARCHIVE_SUFFIX, written out
here so the command line starts without importing storage)."""


@dataclass(frozen=True, slots=True)
class Route:
    window: bool
    """True: open the window (with `path` if given); False: hand argv to the command line."""
    path: Path | None = None


def route(argv: Sequence[str]) -> Route:
    """Where the arguments after the program name go."""
    if not argv:
        return Route(window=True)
    if len(argv) == 2 and argv[0] == "open" and not argv[1].startswith("-"):
        return Route(window=True, path=Path(argv[1]))
    if len(argv) == 1 and argv[0].rstrip("/\\").lower().endswith(WINDOW_SUFFIXES):
        return Route(window=True, path=Path(argv[0]))
    return Route(window=False)


def has_display(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt can show a window here: always on Windows and macOS; on Linux a display server or offscreen."""
    if not platform.startswith("linux") and "bsd" not in platform:
        return True
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0] in {"offscreen", "minimal", "vnc", "eglfs", "linuxfb"}:
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    where = route(args)
    if not where.window:
        from shotline.cli.main import main as cli_main

        sys.argv = [sys.argv[0], *args]
        cli_main()
        return
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        sys.exit(1)
    from shotline.ui.main import main as window_main

    sys.exit(window_main(where.path))
