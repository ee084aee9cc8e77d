"""The user guide's picture of the cast (issue 16): the Cast & places panel with its members and their pictures, and a
shot whose inspector says what its model will be sent of each member it mentions — drawn of the real widgets on a
real X server (Xvfb) and checked by what they show.

As tests/ui/test_guide_screenshots.py, this file is also the script the test runs in a subprocess with DISPLAY set:
`python tests/ui/test_guide_cast.py PICTURE WORKDIR` draws the window and writes what its widgets held to
WORKDIR/facts.json. With SHOTLINE_UPDATE_SCREENSHOTS=1 it replaces resources/screenshots/cast.png, which the README
shows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.ui.guide import demo_window, script_main

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

PROMPT = "@Keeper climbs to the @Lamp as a @Gull circles the @Rocks below; @Tom waits at the door. @Storm"
MODEL = ("google", "gemini-omni-1.2-flash")
"""Three reference slots: the cast fills them, a place becomes the first frame, and the rest is told in words."""
MEMBERS = (
    # name, kind, description, picture colour (None: no picture)
    ("Keeper", "character", "an old lighthouse keeper, white beard, navy wool coat", "#35506b"),
    ("Lamp", "prop", "the great brass lamp of the lighthouse", "#b08a3c"),
    ("Gull", "character", "a grey herring gull", "#8c939b"),
    ("Rocks", "place", "black rocks under the tower, white surf", "#2b3a2f"),
    ("Tom", "character", "", "#6b3535"),
    ("Storm", "look", "green storm light, slanting rain", None),
)


def render(app: QApplication, out: Path, work: Path) -> int:
    """The demo in the window with a cast of six, and a new shot mentioning all of them on Gemini Omni."""
    from PySide6.QtGui import QColor, QImage

    from shotline.core import commands
    from shotline.core.model import CastKind, GenerationSettings, Shot, new_id
    from shotline.services import cast
    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from tests.ui.test_guide_screenshots import _rect_in, _save, _when_ready

    with open_context(secrets=MemorySecretStore()) as ctx, demo_window(app, ctx, work) as (window, document):
        for name, kind, description, colour in MEMBERS:
            pictures = []
            if colour is not None:
                picture = QImage(240, 300, QImage.Format.Format_RGB32)
                picture.fill(QColor(colour))
                pictures.append(work / f"{name.lower()}.png")
                picture.save(str(pictures[-1]), "PNG")
            cast.add_member(document.session, name, CastKind(kind), description, pictures)
        backend, model = MODEL
        settings = GenerationSettings(backend=backend, model=model, duration_us=6_000_000)
        shot = Shot(id=new_id(), title="Storm", prompt=PROMPT, generation=settings)
        assert document.execute(commands.add_shot(shot, 1))
        window.selection.select([shot.id])
        window.docks["cast"].raise_()
        panel = window.panels["cast"]
        inspector = window.panels["inspector"]
        keeper = next(member for member in document.project.cast if member.name == "Keeper")
        panel._choose(keeper.id)

        def ready() -> bool:
            return (
                panel.isVisible()
                and panel.members.count() == len(MEMBERS)
                and bool(inspector.cast_sent.texts())
                and panel.pictures.count() == 1
            )

        def taken() -> dict[str, Any]:
            _save(window.grab(), out)
            return {
                "size": [window.width(), window.height()],
                "members": [panel.members.item(row).text() for row in range(panel.members.count())],
                "sent": inspector.cast_sent.texts(),
                "cast_rect": _rect_in(panel, window),
                "sent_rect": _rect_in(inspector.cast_sent, window),
            }

        return _when_ready(app, ready, taken, work)


if __name__ == "__main__":
    sys.exit(script_main(render))


# ---------------------------------------------------------------------------------------------- the test

import pytest  # noqa: E402 - the script above must not need the test's imports

from shotline.ui import theme  # noqa: E402
from tests.ui.guide import run_guide  # noqa: E402
from tests.ui.screenshots import image, picture_path  # noqa: E402
from tests.ui.test_guide_screenshots import SCREENSHOTS, _looks_drawn, _region, _share  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg]


def test_the_cast_panel_and_what_a_shot_sends_of_each_member(xvfb_display: str, tmp_path: Path) -> None:
    out = picture_path(SCREENSHOTS / "cast.png", tmp_path)
    facts = run_guide(__file__, xvfb_display, tmp_path, str(out))

    pixels = image(out)
    _looks_drawn(pixels, facts, out, max_bytes=400_000)
    assert [row.split("\n")[0].split()[0] for row in facts["members"]] == [f"@{m[0]}" for m in MEMBERS]
    sent = "\n".join(facts["sent"])
    for name, how in (
        ("Keeper", "image reference"),
        ("Lamp", "image reference"),
        ("Gull", "image reference"),
        ("Rocks", "first frame"),
        ("Tom", "dropped"),
        ("Storm", "described in words"),
    ):
        assert any(line.startswith(f"@{name}") and how in line for line in facts["sent"]), (name, how, sent)
    # the panel is on screen beside the window's dark chrome, and the inspector's lines are drawn
    assert _share(_region(pixels, facts["cast_rect"]), theme.TEXT, tolerance=24) > 0.002
    assert _share(_region(pixels, facts["sent_rect"]), theme.TEXT, tolerance=40) > 0.002
