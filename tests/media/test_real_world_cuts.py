"""Cuts found off by an independent trial with real-world clips (issue 12, "more real-world clips will be tried").

Each test makes the smallest clip that shows the property with ffmpeg (`tests.media.numbered`: frames carry their
numbers), exports it through the real pipeline and reads the export back frame by frame, as tests/media/test_cuts.py
does. The take's clock starts at its first picture frame, and a frame that starts up to `clock.FRAME_TOLERANCE_US`
after a time counts as showing at it.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

import pytest

from shotline.core.model import ExportSettings, Size, Trim
from shotline.media.plan import plan_export
from shotline.media.render import ExportReport, render
from tests.clips import ffmpeg_exe
from tests.media.numbered import frames_of, numbered_clip
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

MPEG4 = ("-c:v", "mpeg4", "-q:v", "3")


def _export(root: Path, clip: Path, trim: Trim, fps: Fraction) -> ExportReport:
    project = project_of([(clip, trim)], root)
    settings = ExportSettings(Size(160, 90), fps, preset="ultrafast", loudness_lufs=None)
    plan = plan_export(project, settings, root.joinpath)
    return asyncio.run(render(project, plan, root / "film.mp4", ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath))


@pytest.mark.parametrize(("stored", "project_fps"), [("2997/125", "24000/1001"), ("2997/100", "30000/1001")])
def test_an_avi_at_ntsc_rates_as_avi_stores_them_cuts_on_its_own_frames(
    tmp_path: Path, stored: str, project_fps: str
) -> None:
    # Megamind.avi (OpenCV's sample data, Xvid + AC-3) is stored at 2997/125; a 23.976 project exported it as
    # frames 96, 96, 97, ... 166 for a shot trimmed to 4.004-7.007 s (96 ... 167 expected): the 1 ms tolerance was
    # rounded away on the clip's own time base (a whole frame), and fps round=up moved each frame to the next slot
    media = tmp_path / "media"
    media.mkdir()
    clip = numbered_clip(media / "clip.avi", frames=150, fps=stored, codec=MPEG4)
    rate = Fraction(project_fps)
    first, last = 48, 96  # whole frames at the project's rate: 2.002 s to 4.004 s at 23.976
    trim = Trim(round(first / rate * 1_000_000), round(last / rate * 1_000_000))
    report = _export(tmp_path, clip, trim, rate)
    assert [f.number for f in frames_of(report.output)] == list(range(first, last))
