"""`shotline info`, the range checks and the export agree on the film's length to the frame (issue 11).

The film mixes frame rates in a 24 fps project: 2.52 s at 25 fps and 1.7 s at 30 fps, joined by a 0.5 s
crossfade. Its shots add up to 3.720 s; at 24 fps that is 89.28 frames, so the film is 89 frames, 3.708 s,
and the crossfade is 12 frames (shot 1 ends on frame 60.48 → 60, shot 2 starts on 48.48 → 48).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok, probe_export, shotline
from tests.clips import make_clip

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

FILM = "00:00:03.708"
FRAMES = 89


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("length")
    first = make_clip(folder / "harbour.mp4", seconds=2.52, fps="25", size=(160, 90), audio=(48_000, 2))
    second = make_clip(folder / "gulls.mp4", seconds=1.7, fps="30", size=(160, 90), audio=(48_000, 2))
    other = make_clip(folder / "harbour-wide.mp4", seconds=3, fps="24", size=(160, 90), audio=(48_000, 2))
    path = folder / "film.shotline"
    ok("new", path, "--size", "160x90", "--fps", "24")
    ok("import", path, first, second)
    ok("import", path, other, "--shot", "1")
    ok("pick", path, "1", "1")
    ok("crossfade", path, "1", "0.5")
    return path


def test_info_counts_the_film_in_frames_and_shows_crossfades_and_picked_takes(film: Path) -> None:
    report = info(film)
    assert (report["duration"], report["duration_us"], report["frames"]) == (FILM, 3_708_333, FRAMES)
    assert report["crossfades"] == [
        {"from": 1, "to": 2, "frames": 12, "duration": "00:00:00.500", "duration_us": 500_000}
    ]
    first, second = report["shots"]
    assert (first["picked_take_number"], first["takes"], first["picked_take_source"]) == (
        1,
        2,
        "imported from harbour.mp4",
    )
    assert second["picked_take_source"] == "imported from gulls.mp4"

    lines = ok("info", film).splitlines()
    assert lines[0].endswith(f"@ 24 fps, {FILM} ({FRAMES} frames)")
    assert lines[1].endswith("00:00:02.520  take 1 of 2, imported from harbour.mp4")
    assert lines[2].strip() == "* take 1, imported from harbour.mp4: picture 00:00:02.520, 160x90 @ 25 fps"
    assert lines[3].strip().startswith("take 2, imported from ")
    assert lines[4].strip() == "crossfade into shot 2: 00:00:00.500 (12 frames)"
    assert lines[5].endswith("00:00:01.700  take 1 of 1, imported from gulls.mp4")
    assert lines[6].strip() == "picture 00:00:01.700, 160x90 @ 30 fps"


def test_the_export_renders_the_frames_info_counts(film: Path, tmp_path: Path) -> None:
    out = tmp_path / "film.mp4"
    result = shotline("export", film, "-o", out, "--loudness", "off", timeout=240)
    assert result.code == 0, result.err
    assert f"Exporting 2 shots, {FILM}, 160x90 @ 24 fps" in result.err
    assert probe_export(out).frames == FRAMES == info(film)["frames"]


def test_range_checks_name_the_same_length(film: Path, tmp_path: Path) -> None:
    out = tmp_path / "part.mp4"
    past_the_end = shotline("export", film, "-o", out, "--from", "3.715")
    assert past_the_end.code == 2 and "Traceback" not in past_the_end.err
    assert f"--from 00:00:03.715 is not inside the film, which lasts {FILM} ({FRAMES} frames at 24 fps)" in " ".join(
        past_the_end.err.split()
    )
    outside = shotline("export", film, "-o", out, "--from", "5", "--to", "6")
    assert outside.code == 1 and f"the film lasts {FILM} ({FRAMES} frames at 24 fps)" in outside.err
    assert not out.exists()
