"""The getting-started guide's first page, rendered on a real X server (Xvfb) and grabbed to a PNG.

Like test_screenshot.py, this file is also the script the test runs in a subprocess with DISPLAY set and
QT_QPA_PLATFORM=xcb. With SHOTLINE_UPDATE_SCREENSHOTS=1 the picture replaces resources/screenshots/first-run.png;
otherwise it goes to a temporary folder.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PICTURE = REPO / "resources" / "screenshots" / "first-run.png"
SETTLE_SECONDS = 1.0


# ---------------------------------------------------------------------------------------------- the script


def render_guide(out: Path, layout_file: Path) -> int:
    """Show the guide as a first start shows it, wait until it has drawn, grab it, and write where each choice is
    to `layout_file`."""
    from PySide6.QtWidgets import QApplication

    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui.dialogs.first_run import GettingStartedGuide
    from shotline.ui.main import make_application

    app = make_application([sys.argv[0]])
    with open_context(secrets=MemorySecretStore()) as ctx:
        guide = GettingStartedGuide(ctx)
        guide.move(0, 0)
        guide.show()
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        picture = guide.screen().grabWindow(guide.winId(), 0, 0, guide.width(), guide.height())
        saved = picture.save(str(out), "PNG")
        page = guide.choose_page
        rows = {
            backend: [*button.mapTo(guide, button.rect().topLeft()).toTuple(), button.width(), button.height()]
            for backend, button in page.buttons.items()
        }
        layout_file.write_text(json.dumps({"size": [guide.width(), guide.height()], "buttons": rows}))
        guide.reject()
        guide.deleteLater()
        QApplication.processEvents()
    return 0 if saved else 2


if __name__ == "__main__":
    sys.exit(render_guide(Path(sys.argv[1]), Path(sys.argv[2])))


# ---------------------------------------------------------------------------------------------- the test

import pytest  # noqa: E402

from shotline.ui import theme  # noqa: E402
from tests.ui.screenshots import image, near, picture_path, run_script  # noqa: E402

pytestmark = [pytest.mark.slow]


def test_the_guides_first_page_renders_every_choice_on_the_dark_theme(xvfb_display: str, tmp_path: Path) -> None:
    out = picture_path(PICTURE, tmp_path)
    layout_file = tmp_path / "layout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    run_script(__file__, xvfb_display, str(out), str(layout_file))
    layout = json.loads(layout_file.read_text())
    pixels = image(out)
    assert list(pixels.shape[:2]) == layout["size"][::-1]
    assert near(pixels, theme.WINDOW.name(), 4).mean() > 0.5, "the dark theme's background is missing"
    assert near(pixels, theme.ACCENT.name(), 30).sum() > 50, "the default Next button's accent is missing"
    buttons = layout["buttons"]
    assert "animatic" in buttons and len(buttons) >= 8
    for backend, (x, y, width, height) in buttons.items():
        row = pixels[y : y + height, x : x + width]
        assert near(row, theme.TEXT.name(), 40).sum() > 20, f"the choice {backend!r} has no readable label"
        below = pixels[y + height : y + height + 16, x + 20 : x + width]
        assert near(below, theme.MUTED.name(), 40).sum() > 20, f"the choice {backend!r} has no description"
    assert out.stat().st_size < 200_000
