"""The export's passes that run side by side report one progress bar (`together`, which stops one when the other
fails, is tested in tests/core/test_cleanup.py)."""

from __future__ import annotations

from shotline.media.export_routes import Passes


def test_passes_side_by_side_fill_one_bar_that_never_goes_back() -> None:
    seen: list[float] = []
    passes = Passes(seen.append, {"mix": 1.0, "picture": 1.0, "mux": 2.0})
    mix, picture = passes.sink("mix"), passes.sink("picture")
    assert mix is not None and picture is not None
    mix(0.5)
    picture(0.5)
    mix(0.25)  # a late report of an earlier point
    passes.finish("picture")
    passes.finish("mix")
    passes.finish("mux")
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert seen[:2] == [0.125, 0.25]
