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

import av
import pytest

from shotline.core.model import ExportSettings, Size, Trim
from shotline.media.plan import plan_export
from shotline.media.probe import sound_length_us
from shotline.media.render import ExportReport, render
from tests.clips import ffmpeg_exe
from tests.media.numbered import Sound, frames_of, numbered_clip
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


def _cut_first_sound_packet(source: Path, dest: Path) -> Path:
    """A packet-for-packet copy of the AVI `source` whose first sound packet is cut short, as a capture that started
    (or a file cut) mid-packet leaves it: decoders drop that packet and play the rest."""
    with av.open(str(source)) as inp, av.open(str(dest), "w", format="avi") as out:
        streams = {stream.index: out.add_stream_from_template(stream) for stream in inp.streams}
        cut = False
        for packet in inp.demux():
            if packet.dts is None:
                continue
            index, kind = packet.stream.index, packet.stream.type
            if kind == "audio" and not cut:
                data = bytes(packet)
                short = av.Packet(data[: len(data) * 9 // 10])
                short.pts, short.dts, short.time_base = packet.pts, packet.dts, packet.time_base
                packet, cut = short, True
            packet.stream = streams[index]
            out.mux(packet)
    return dest


def test_a_clip_whose_first_sound_packet_is_cut_short_has_a_sound_length(tmp_path: Path) -> None:
    whole = numbered_clip(
        tmp_path / "whole.avi", frames=100, codec=MPEG4, sound=Sound(seconds=4.0, burst_at=1.0, codec="ac3")
    )
    clip = _cut_first_sound_packet(whole, tmp_path / "cut.avi")
    assert sound_length_us(clip) == pytest.approx(4_000_000, abs=40_000)
