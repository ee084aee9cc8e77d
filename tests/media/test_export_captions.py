"""An export with captions: burned into the picture (found in the frames where and when the caption is, nowhere
else), carried as a subtitle track, and written beside the film as SRT and WebVTT — on the export's own clock."""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pysubs2
import pytest

from shotline.core.caption_style import CaptionExport, safe_area
from shotline.core.model import Caption, ExportSettings, Project, Size, Trim
from shotline.media.plan import plan_export
from shotline.media.render import ExportReport, render
from tests.clips import ffmpeg_exe, make_clip
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

SIZE = Size(640, 360)
CAPTION = Caption("c1", 500_000, 1_500_000, "Where is the boat?", "Mara", "l-a")


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    root = tmp_path_factory.mktemp("captions film")
    (root / "media").mkdir()
    clip = make_clip(root / "media" / "a.mp4", seconds=2, size=(640, 360), colour="0x336699", audio=(48000, 2))
    return replace(project_of([(clip, None)], root), captions=(CAPTION,)), root


def _export(film: tuple[Project, Path], out: Path, captions: CaptionExport, window: Trim | None = None) -> ExportReport:
    project, root = film
    settings = ExportSettings(SIZE, Fraction(25), preset="ultrafast", captions=captions, range=window)
    plan = plan_export(project, settings, root.joinpath)
    return asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath))


def _grey(film: Path, at_s: float) -> np.ndarray:
    argv = [ffmpeg_exe(), "-loglevel", "error", "-ss", str(at_s), "-i", str(film), "-frames:v", "1"]
    argv += ["-f", "rawvideo", "-pix_fmt", "gray", "-"]
    raw = subprocess.run(argv, check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(SIZE.height, SIZE.width).astype(int)


def test_burned_in_captions_are_in_the_frames_inside_their_box_while_they_show(
    film: tuple[Project, Path], tmp_path: Path
) -> None:
    plain = tmp_path / "plain.mp4"
    burned = tmp_path / "burned.mp4"
    _export(film, plain, CaptionExport())
    report = _export(film, burned, CaptionExport(burn=True))
    assert report.route == "re-encode"
    assert "The captions are burned into the picture" in report.reasons
    safe = safe_area(SIZE.width, SIZE.height)
    box = (slice(SIZE.height // 2, SIZE.height - safe.bottom), slice(safe.left, SIZE.width - safe.right))
    during = np.abs(_grey(burned, 1.0) - _grey(plain, 1.0))
    assert (during[box] > 60).sum() > 500, "no caption was drawn in its box"
    outside = during.copy()
    outside[box] = 0
    assert (outside > 60).sum() == 0, "the caption drew outside its box"
    before = np.abs(_grey(burned, 0.2) - _grey(plain, 0.2))
    assert (before > 60).sum() == 0, "a caption showed before its time"


def test_a_subtitle_track_and_sidecars_carry_the_captions_on_the_exports_clock(
    film: tuple[Project, Path], tmp_path: Path
) -> None:
    out = tmp_path / "with track.mp4"
    # the export starts 0.25 s into the film, so the caption's times move back by that much
    _export(film, out, CaptionExport(soft=True, sidecars=True), Trim(250_000, 2_000_000))
    with av.open(str(out)) as container:
        [track] = container.streams.subtitles
        assert track.codec_context.name == "mov_text"
    argv = [ffmpeg_exe(), "-loglevel", "error", "-i", str(out), "-map", "0:s:0", "-f", "srt", "-"]
    inside = pysubs2.SSAFile.from_string(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)
    assert [(e.start, e.end, e.plaintext) for e in inside] == [(250, 1250, "Where is the boat?")]
    for ending in (".srt", ".vtt"):
        beside = pysubs2.load(str(out.with_suffix(ending)))
        assert [(e.start, e.end, e.plaintext) for e in beside] == [(250, 1250, "Where is the boat?")]


def test_no_captions_asked_leaves_the_film_and_its_folder_as_before(film: tuple[Project, Path], tmp_path: Path) -> None:
    out = tmp_path / "none.mp4"
    _export(film, out, CaptionExport())
    with av.open(str(out)) as container:
        assert not container.streams.subtitles
    assert sorted(p.name for p in tmp_path.iterdir()) == ["none.mp4", "none.mp4.provenance.json"]
