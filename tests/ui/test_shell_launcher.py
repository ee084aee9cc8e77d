"""`shotline` routes: no arguments or `open PATH` → the window; anything else → the command line, without Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shotline.launcher import NO_DISPLAY, Route, has_display, route


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], Route(window=True)),
        (["open", "film.shotline"], Route(window=True, path=Path("film.shotline"))),
        (["open"], Route(window=False)),
        (["open", "--help"], Route(window=False)),
        (["open", "a.shotline", "b.shotline"], Route(window=False)),
        (["--help"], Route(window=False)),
        (["new", "film.shotline"], Route(window=False)),
        (["info", "open"], Route(window=False)),
    ],
)
def test_route(argv: list[str], expected: Route) -> None:
    assert route(argv) == expected


def test_a_display_is_needed_only_on_linux_without_one() -> None:
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not has_display({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert has_display({}, "win32") and has_display({}, "darwin")


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_without_a_display_the_window_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    done = _run("from shotline.launcher import main; main([])", env)
    assert done.returncode == 1
    assert done.stderr.strip() == NO_DISPLAY
    assert "Traceback" not in done.stderr


def test_other_arguments_go_to_the_command_line_without_loading_qt() -> None:
    code = (
        "import sys\nfrom shotline.launcher import main\ntry:\n    main(['--version'])\n"
        "except SystemExit as done:\n    print('exit', done.code)\nprint('qt loaded:', 'PySide6' in sys.modules)"
    )
    done = _run(code, dict(os.environ))
    assert "shotline, version" in done.stdout
    assert "exit 0" in done.stdout and "qt loaded: False" in done.stdout
