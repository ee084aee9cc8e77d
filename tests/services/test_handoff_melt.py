"""The MLT project rendered by the real `melt` (Debian's package, tests/system-packages.txt) is the same cut as
Shotline's own export of the film in `handoff_film`: every frame compared by the number it carries, and at every cut
the last frame of one shot and the first of the next are the ones the cut names."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path

import pytest

from shotline.core.model import ExportSettings, Size
from shotline.media.plan import plan_export
from shotline.media.render import render
from shotline.services.handoff import write_handoff
from shotline.services.session import ProjectSession
from tests.clips import ffmpeg_exe
from tests.media.numbered import frames_of
from tests.services.handoff_film import CUT, FILM_FRAMES, FPS, make_film

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

MELT = shutil.which("melt")


@pytest.mark.skipif(MELT is None, reason="melt is not installed (apt-get install melt)")
def test_melt_renders_the_mlt_project_as_shotline_exports_the_film(tmp_path: Path) -> None:
    root = tmp_path / "My films"  # a name with a space: the relative path is a URL in the timeline, a path in MLT
    root.mkdir()
    film = make_film(root)
    with ProjectSession.open(film) as session:
        project, bundle = session.project, session.bundle
        cut = tmp_path / "for Shotcut" / "Harbour.mlt"
        write_handoff(project, bundle, cut)
        settings = ExportSettings(Size(160, 90), FPS, preset="ultrafast", loudness_lufs=None, lossless=False)
        plan = plan_export(project, settings, bundle.resolve)
        ours = tmp_path / "shotline.mp4"
        asyncio.run(render(project, plan, ours, ffmpeg=Path(ffmpeg_exe()), resolve=bundle.resolve))
    # run from elsewhere: melt finds the media from the project file's own folder
    theirs = tmp_path / "melt.mp4"
    done = subprocess.run(
        [str(MELT), "-quiet", str(cut), "-consumer", f"avformat:{theirs}", "vcodec=libx264", "preset=ultrafast"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    ours_numbers = [frame.number for frame in frames_of(ours)]
    theirs_numbers = [frame.number for frame in frames_of(theirs)]
    assert len(ours_numbers) == len(theirs_numbers) == FILM_FRAMES
    for before, after in pairwise(CUT):
        cut_at = after.start
        assert theirs_numbers[cut_at - 1 : cut_at + 1] == [before.source_in + before.frames - 1, after.source_in]
        assert theirs_numbers[cut_at - 1 : cut_at + 1] == ours_numbers[cut_at - 1 : cut_at + 1]
    assert theirs_numbers == ours_numbers
