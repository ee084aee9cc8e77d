"""The user guide's pictures of one shot tried on several models (issue 16): the Try on other models dialog with
three pairs, each with its estimate and what it keeps of the cast, and the comparison their takes open in — drawn
of the real widgets on a real X server (Xvfb), the takes made by the fake Runway, fal and Luma servers the backend
tests use, and checked by what they show.

As tests/ui/test_guide_screenshots.py, this file is also the script the test runs in a subprocess with DISPLAY set:
`python tests/ui/test_guide_try_on.py PICTURE WORKDIR` draws both pictures (the comparison's beside the dialog's) and
writes what the widgets held to WORKDIR/facts.json. With SHOTLINE_UPDATE_SCREENSHOTS=1 they replace
resources/screenshots/try-on.png and try-on-compare.png, which the README shows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.ui.guide import demo_window, script_main

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

PROMPT = "Lightning splits the sky over the lighthouse; @Keeper shields his eyes at the lamp-room window."
PAIRS = (("runway", "gen4.5"), ("fal", "kling-3-standard"), ("luma", "ray-2"))


def render(app: QApplication, out: Path, work: Path) -> int:
    """The demo in the window; a new shot mentioning a cast member, tried on three models: the dialog before it is
    sent, then the comparison the landed takes open in."""
    import dataclasses
    import json

    from PySide6.QtGui import QColor, QImage

    from shotline.core import commands
    from shotline.core.model import CastKind, GenerationSettings, Shot, new_id
    from shotline.services import cast
    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui import window_dialogs
    from shotline.ui.compare_grid import CompareGrid
    from tests.fakes.fal import KEY as FAL_KEY
    from tests.fakes.fal import FakeFal
    from tests.fakes.luma import KEY as LUMA_KEY
    from tests.fakes.luma import FakeLuma
    from tests.fakes.runway import KEY as RUNWAY_KEY
    from tests.fakes.runway import FakeRunway
    from tests.ui.test_guide_screenshots import FACTS, _rect_in, _save, _when_ready

    portrait = work / "keeper.png"
    picture = QImage(320, 400, QImage.Format.Format_RGB32)
    picture.fill(QColor("#35506b"))
    picture.save(str(portrait), "PNG")
    with (
        FakeRunway() as runway,
        FakeFal() as fal,
        FakeLuma() as luma,
        open_context(secrets=MemorySecretStore()) as ctx,
    ):
        os.environ["SHOTLINE_RUNWAY_BASE_URL"] = runway.url
        os.environ["SHOTLINE_FAL_BASE_URL"] = fal.url
        os.environ["SHOTLINE_LUMA_BASE_URL"] = luma.url
        os.environ["SHOTLINE_POLL_SECONDS"] = "0.05"
        for backend, key in (("runway", RUNWAY_KEY), ("fal", FAL_KEY), ("luma", LUMA_KEY)):
            ctx.secrets.set(backend, key)
        with demo_window(app, ctx, work) as (window, document):
            cast.add_member(
                document.session, "Keeper", CastKind.CHARACTER, "an old keeper, white beard, navy coat", [portrait]
            )
            settings = GenerationSettings(backend="runway", model="gen4.5", duration_us=5_000_000, audio=False)
            shot = Shot(id=new_id(), title="Lightning", prompt=PROMPT, generation=settings)
            assert document.execute(commands.add_shot(shot, 1))
            window.selection.select([shot.id])
            document.paid_generate_agreed = True  # the creator said yes to paying earlier this session
            dialog = window_dialogs.try_on(window)
            assert dialog is not None
            for number, (backend, model) in enumerate(PAIRS, start=1):
                dialog.choose(number, backend, model)
            dialog.adjustSize()
            dialog.move(window.x() + (window.width() - dialog.width()) // 2, window.y() + 120)
            facts: dict[str, Any] = {}

            def dialog_taken() -> dict[str, Any]:
                _save(dialog.grab(), out)
                facts["dialog"] = {
                    "size": [dialog.width(), dialog.height()],
                    "heading": dialog.heading.text(),
                    "pairs": [dataclasses.astuple(pair) for pair in dialog.pairs()],
                    "rows": [row.text for row in dialog.rows],
                    "total": dialog.total.text(),
                    "button": dialog.try_button.text(),
                    "button_enabled": dialog.try_button.isEnabled(),
                    "line_rects": [_rect_in(row.line, dialog) for row in dialog.rows[: len(PAIRS)]],
                }
                return facts

            # taken before sending, in the same event loop: quitting a loop closes the windows, and the dialog with them
            for _ in range(20):
                app.processEvents()
            dialog_taken()
            dialog.send()

            def compared() -> bool:
                grids = [grid for grid in window.findChildren(CompareGrid) if grid.isVisible()]
                return (
                    bool(grids) and grids[0].settled() and all(not picture.isNull() for picture in grids[0].pictures())
                )

            def grid_taken() -> dict[str, Any]:
                (grid,) = [grid for grid in window.findChildren(CompareGrid) if grid.isVisible()]
                _save(grid.grab(), out.with_name("try-on-compare.png"))
                facts["compare"] = {
                    "size": [grid.width(), grid.height()],
                    "titles": [cell.title.text() for cell in grid.cells],
                    "facts": [cell.facts.text() for cell in grid.cells],
                    "sent": [len(runway.creates()), len(fal.submits()), luma.count("POST", r"/generations/video")],
                }
                return facts

            code = _when_ready(app, compared, grid_taken, work)
            (work / FACTS).write_text(json.dumps(facts, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(script_main(render))


# ---------------------------------------------------------------------------------------------- the test

import pytest  # noqa: E402 - the script above must not need the test's imports

from shotline.ui import theme  # noqa: E402
from tests.ui.guide import run_guide  # noqa: E402
from tests.ui.screenshots import image, picture_path  # noqa: E402
from tests.ui.test_guide_screenshots import SCREENSHOTS, _looks_drawn, _region, _share  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.ffmpeg]


def test_a_shot_tried_on_three_models_shows_each_estimate_then_their_takes_side_by_side(
    xvfb_display: str, tmp_path: Path
) -> None:
    out = picture_path(SCREENSHOTS / "try-on.png", tmp_path)
    facts = run_guide(__file__, xvfb_display, tmp_path, str(out))

    dialog = facts["dialog"]
    pixels = image(out)
    _looks_drawn(pixels, dialog, out, max_bytes=150_000)
    assert dialog["heading"] == "Try shot 2 · Lightning on other models"
    assert dialog["pairs"] == [list(pair) for pair in PAIRS]
    # per pair what it makes and costs, and what it keeps of the cast; then the total and the one button
    first, second, third, fourth = dialog["rows"]
    assert first.startswith("a 5 s clip at 16:9 · ≈ $0.60\n")
    assert second.startswith("a 5 s clip at 16:9 · ≈ $0.42\n")  # without sound, as the shot asks
    assert third.startswith("a 5 s clip at 16:9 · ")
    assert all(row.endswith("@Keeper → described in words") for row in (first, second, third))
    assert fourth == "Optional: choose a backend to try a fourth model too."
    assert dialog["total"].startswith("Total for 3 takes: ≈ $1.02")
    assert dialog["button"].startswith("Try on 3 models · ≈ $1.02") and dialog["button_enabled"]
    for rect in dialog["line_rects"]:
        assert _share(_region(pixels, rect), theme.MUTED, tolerance=30) > 0.005, "a pair's line is not drawn"

    compare = facts["compare"]
    grid = image(out.with_name("try-on-compare.png"))
    assert grid.shape[:2] == (compare["size"][1], compare["size"][0])
    assert float(grid.std()) > 8
    assert compare["sent"] == [1, 1, 1], "each pair was sent once"
    makers = sorted(title.partition(" · ")[2].removesuffix("  ★ picked") for title in compare["titles"])
    assert makers == ["Luma Dream Machine · Ray 2", "Runway · Gen-4.5", "fal.ai · Kling 3.0 Standard"]
    assert all(" · made in 0:" in line for line in compare["facts"]), "each take says how long it took"
    assert any(line.startswith("$0.60 billed") for line in compare["facts"])
