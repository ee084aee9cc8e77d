"""What the user guide's picture scripts share (tests/ui/test_guide_*.py): each test module is also the script that
draws its picture on the private X server, run in a subprocess as `python SCRIPT [KIND] PICTURE WORKDIR`.

The script side opens the demo in a main window as a creator sees it; the test side runs the script with settings and
caches of its own and reads back the facts it wrote. Qt and Shotline are imported where they are used, so that the
script needs nothing the test does.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from shotline.services.context import AppContext
    from shotline.ui.document import ProjectDocument
    from shotline.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------- the script


@contextmanager
def demo_window(app: QApplication, ctx: AppContext, work: Path) -> Iterator[tuple[MainWindow, ProjectDocument]]:
    """The demo project (made in `work`) open in a 1440×900 main window at the screen's corner; when the block ends
    the window is shut down and its deletion run, before the context closes."""
    from shotline.services.demo import open_or_create_demo
    from shotline.ui.bridge import Bridge
    from shotline.ui.main_window import MainWindow, Unsaved

    project = work / "The Lighthouse Keeper.shotline"
    open_or_create_demo(ctx, project).close()
    window = MainWindow(ctx, Bridge())
    window.ask_unsaved = lambda: Unsaved.DISCARD
    window.resize(1440, 900)
    window.move(0, 0)
    window.show()
    assert window.open_project(project)
    document = window.document
    assert document is not None
    yield window, document
    window.shutdown()
    window.deleteLater()
    app.processEvents()  # let deleteLater run before the context closes


def script_main(render: Callable[[QApplication, Path, Path], int]) -> int:
    """A guide script's entry: `render(app, PICTURE, WORKDIR)` from the command line's two arguments."""
    from shotline.ui.main import make_application

    app = make_application([sys.argv[0]])
    return render(app, Path(sys.argv[1]), Path(sys.argv[2]))


# ---------------------------------------------------------------------------------------------- the test


def run_guide(script: str, display: str, tmp_path: Path, *args: str) -> dict[str, Any]:
    """Run a guide script on `display` with `args` and a fresh work folder (its last argument); the facts it wrote."""
    from tests.ui.screenshots import run_script
    from tests.ui.test_guide_screenshots import FACTS

    work = tmp_path / "work"
    work.mkdir()
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        # settings and caches of its own: the pictures never show what another test or the machine remembered
        "SHOTLINE_CONFIG_DIR": str(tmp_path / "config"),
        "SHOTLINE_CACHE_DIR": str(tmp_path / "cache"),
    }
    run_script(script, display, *args, str(work), env=env, timeout=150)
    facts: dict[str, Any] = json.loads((work / FACTS).read_text())
    return facts
