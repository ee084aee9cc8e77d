"""The user guide's picture of the Draft stills grid (issue 16, stills first): a shot's stills drafted with the free
animatic, one picked as the shot's first frame and one added to a cast member — drawn of the real widgets on a real
X server (Xvfb) and checked by what they show.

As tests/ui/test_guide_screenshots.py, this file is also the script the test runs in a subprocess with DISPLAY set:
`python tests/ui/test_guide_stills.py PICTURE WORKDIR` draws the picture and writes what the widgets held to
WORKDIR/facts.json. With SHOTLINE_UPDATE_SCREENSHOTS=1 it replaces resources/screenshots/draft-stills.png, which the
README shows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.ui.guide import demo_window, script_main

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

PROMPT = "@Keeper climbs the spiral stairs with a storm lantern, rain on the windows."
COUNT = 8
"""Two full rows: the grid as it opens."""


def render(app: QApplication, out: Path, work: Path) -> int:
    """The demo in the window; a shot mentioning a cast member, eight stills drafted, the second picked as its first
    frame and the third added to the member."""
    from shotline.core import commands
    from shotline.core.model import CastKind, GenerationSettings, Shot, new_id
    from shotline.services import cast
    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui import window_dialogs
    from tests.ui.test_guide_screenshots import _save, _when_ready

    with open_context(secrets=MemorySecretStore()) as ctx, demo_window(app, ctx, work) as (window, document):
        cast.add_member(document.session, "Keeper", CastKind.CHARACTER, "an old keeper, white beard, navy coat", [])
        settings = GenerationSettings(backend="animatic", duration_us=4_000_000)
        shot = Shot(id=new_id(), title="Stairs", prompt=PROMPT, generation=settings)
        assert document.execute(commands.add_shot(shot, 1))
        window.selection.select([shot.id])
        dialog = window_dialogs.draft_stills(window)
        assert dialog is not None
        dialog.choose("animatic", "still-card", count=COUNT)
        dialog.send()
        dialog.move(window.x() + (window.width() - dialog.width()) // 2, window.y() + 60)
        state = {"picked": False}

        def landed() -> bool:
            cells = dialog.grid.cells
            done = len(cells) == COUNT and all(not c.picture.pixmap().isNull() for c in cells)
            if done and not state["picked"]:
                state["picked"] = True
                dialog.pick(cells[1].state.key)
                dialog.add_to_member(cells[2].state.key, document.project.member("Keeper").id)
                dialog.grid.cells[1].setFocus()
                return False
            return done and state["picked"]

        def taken() -> dict[str, Any]:
            _save(dialog.grab(), out)
            return {
                "size": [dialog.width(), dialog.height()],
                "heading": dialog.heading.text(),
                "estimate": dialog.estimate.text(),
                "cast": dialog.cast.texts(),
                "badges": [cell.state.badge for cell in dialog.grid.cells],
                "captions": [cell.caption.text() for cell in dialog.grid.cells],
                "outcome": dialog.outcome.text(),
                "first_frame": document.project.shot(shot.id).generation.first_frame,
                "picked": dialog.grid.cells[1].state.media,
            }

        return _when_ready(app, landed, taken, work)


if __name__ == "__main__":
    sys.exit(script_main(render))


# ---------------------------------------------------------------------------------------------- the test

import pytest  # noqa: E402 - the script above must not need the test's imports

from tests.ui.guide import run_guide  # noqa: E402
from tests.ui.screenshots import image, picture_path  # noqa: E402
from tests.ui.test_guide_screenshots import SCREENSHOTS, _looks_drawn  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg]


def test_a_shots_draft_stills_show_one_picked_as_its_first_frame_and_one_given_to_the_cast(
    xvfb_display: str, tmp_path: Path
) -> None:
    out = picture_path(SCREENSHOTS / "draft-stills.png", tmp_path)
    facts = run_guide(__file__, xvfb_display, tmp_path, str(out))

    pixels = image(out)
    _looks_drawn(pixels, facts, out, max_bytes=400_000)
    assert facts["heading"] == "Draft stills of shot 2 · Stairs"
    assert facts["estimate"].startswith(f"{COUNT} stills with Animatic (offline) · Still card: free. Project: ")
    assert facts["cast"] == ["@Keeper — described in words (Still card takes no reference images)"]
    assert facts["badges"] == ["", "✓ First frame", "✓ @Keeper"] + [""] * (COUNT - 3)
    assert all(caption == "Still card · free" for caption in facts["captions"])
    assert facts["outcome"].startswith("Still 3 is one of @Keeper's pictures now")
    assert facts["first_frame"] == facts["picked"]
