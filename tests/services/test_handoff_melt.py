"""The MLT project rendered by the real `melt` (Debian's package, tests/system-packages.txt) is the same cut as
Shotline's own export of the film in `handoff_film`: every frame compared by the number it carries, and at every cut
the last frame of one shot and the first of the next are the ones the cut names. A crossfade is blended over the
same frames by both."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from functools import partial
from itertools import pairwise
from pathlib import Path

import av
import pytest

from shotline.core import caption_edits, commands
from shotline.core.commands import Command
from shotline.core.model import Caption, ExportSettings, Size, Transition, TransitionKind
from shotline.media.plan import plan_export
from shotline.media.render import render
from shotline.services.handoff import write_handoff
from shotline.services.session import ProjectSession
from tests.clips import ffmpeg_exe
from tests.media.numbered import frames_of
from tests.services.handoff_film import CUT, FILM_FRAMES, FPS, make_film

pytestmark = [
    pytest.mark.ffmpeg,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("melt") is None, reason="melt is not installed (apt-get install melt)"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("melt") / "My films"  # a space: a URL in the timeline, a plain path in MLT
    root.mkdir()
    return make_film(root)


@pytest.fixture
def film(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "My films" / built.name
    shutil.copytree(built, copy)
    return copy


def _both(session: ProjectSession, folder: Path, ending: str = ".mlt") -> tuple[list[int], list[int]]:
    """The frame numbers of Shotline's export of the session's film and of melt's render of its MLT (or Kdenlive)
    hand-off."""
    cut = folder / "for Shotcut" / f"Harbour{ending}"
    write_handoff(session.project, session.bundle, cut)
    settings = ExportSettings(Size(160, 90), FPS, preset="ultrafast", loudness_lufs=None, lossless=False)
    plan = plan_export(session.project, settings, session.bundle.resolve)
    ours = folder / "shotline.mp4"
    asyncio.run(render(session.project, plan, ours, ffmpeg=Path(ffmpeg_exe()), resolve=session.bundle.resolve))
    theirs = folder / "melt.mp4"
    done = subprocess.run(  # run from elsewhere: melt finds the media from the project file's own folder
        [str(shutil.which("melt")), "-quiet", str(cut), "-consumer", f"avformat:{theirs}", "vcodec=libx264"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [frame.number for frame in frames_of(ours)], [frame.number for frame in frames_of(theirs)]


@pytest.mark.parametrize("ending", [".mlt", ".kdenlive"])
def test_melt_renders_the_mlt_project_as_shotline_exports_the_film(film: Path, tmp_path: Path, ending: str) -> None:
    with ProjectSession.open(film) as session:
        ours, theirs = _both(session, tmp_path, ending)
    assert len(ours) == len(theirs) == FILM_FRAMES
    for before, after in pairwise(CUT):
        cut_at = after.start
        assert theirs[cut_at - 1 : cut_at + 1] == [before.source_in + before.frames - 1, after.source_in]
        assert theirs[cut_at - 1 : cut_at + 1] == ours[cut_at - 1 : cut_at + 1]
    assert theirs == ours


@pytest.mark.parametrize("ending", [".mlt", ".kdenlive"])  # Shotcut's dissolve, and Kdenlive's own crossfade
def test_melt_blends_a_crossfade_over_the_frames_shotline_blends(film: Path, tmp_path: Path, ending: str) -> None:
    with ProjectSession.open(film) as session:
        first = session.project.shots[0].id
        session.execute(commands.set_transition(first, Transition(TransitionKind.CROSSFADE, 250_000)))  # 6 frames
        ours, theirs = _both(session, tmp_path, ending)
    assert len(ours) == len(theirs) == FILM_FRAMES - 6
    blend = range(24, 30)  # shot 2 starts 6 frames before shot 1 ends: a blend of two numbers reads as neither
    assert theirs[23] == ours[23] == 29 and theirs[30] == ours[30] == 6  # the last frame before, the first after
    assert [n for i, n in enumerate(theirs) if i not in blend] == [n for i, n in enumerate(ours) if i not in blend]
    assert theirs[24:30] != list(range(30, 36))  # blended, not shot 1 playing on


def test_the_hidden_caption_track_leaves_melts_render_as_the_film(film: Path, tmp_path: Path) -> None:
    """The captions go to Shotcut as a hidden track of titles (shown, it burns them in): hidden, melt renders the
    frames Shotline's export has, which burns in no captions by default."""
    caption = Caption("c1", 1_000_000, 3_000_000, "Where is the boat?", "Mara", None)  # across the second cut
    with ProjectSession.open(film) as session:
        session.execute(Command("Captions", partial(caption_edits.set_captions, captions=(caption,))))
        ours, theirs = _both(session, tmp_path)
    assert len(ours) == len(theirs) == FILM_FRAMES
    assert theirs == ours
    assert max(_caption_band_spread(tmp_path / "melt.mp4")) < 8  # flat grey: no words drawn over it


def _caption_band_spread(path: Path) -> list[float]:
    """Each frame's spread of brightness across its bottom quarter, where a caption is drawn: a numbered clip is one
    flat grey there."""
    with av.open(str(path)) as container:
        return [float(f.to_ndarray(format="gray")[f.height * 3 // 4 :].std()) for f in container.decode(video=0)]
