"""Every cut lands on the frame the timeline names, and the sound keeps its offset from the picture (issue 12).

Each clip carries its frame numbers in its picture and a tone burst in its sound (`tests.media.numbered`); an export
through the real pipeline is read back frame by frame and its burst found by cross-correlation. The take's clock
starts at the first picture frame (`media.clock`): output frame n of a shot trimmed to start at t shows the source
frame showing at t + n/fps, and a burst at picture time b is heard at b - t.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import pytest

from shotline.core.model import ExportSettings, Size, Trim
from shotline.media.plan import plan_export
from shotline.media.probe import probe
from shotline.media.render import ExportReport, render
from tests.clips import ffmpeg_exe
from tests.media.numbered import (
    H264,
    MPEG2,
    Sound,
    burst_in_source,
    burst_time,
    copy_from,
    frames_of,
    numbered_clip,
    shift_picture,
)
from tests.media.sound import read_wav
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

FPS = Fraction(25)
BURST_TOLERANCE_S = 0.001
"""Where a burst lands, to 48 samples (one AAC encode and decode each way move it by far less)."""


def _us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def _export(root: Path, shots: Sequence[tuple[Path, Trim | None]], *, lossless: bool = False) -> ExportReport:
    project = project_of(list(shots), root)
    settings = ExportSettings(Size(160, 90), FPS, preset="ultrafast", loudness_lufs=None, lossless=lossless)
    plan = plan_export(project, settings, root.joinpath)
    out = root / ("copied.mp4" if lossless else "film.mp4")
    return asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath))


def _showing(in_s: float, frames: int, source_fps: float) -> list[int]:
    """The source frames showing at an in point and each export frame after it (a constant-rate source)."""
    return [math.floor((in_s + n / float(FPS)) * source_fps + 1e-6) for n in range(frames)]


def _bursts(film: Path, *windows: tuple[float, float]) -> list[float]:
    """Where the burst lands in each window of `film` (seconds after its first frame), as a player hears it."""
    samples, rate = read_wav(film)
    late = _sound_start(film)  # a copied sound starts on a whole packet, a little after the picture
    found = []
    for start, end in windows:
        part = samples[max(0, round((start - late) * rate)) : round((end - late) * rate)]
        found.append(max(start, late) + burst_time(part, rate))
    return found


def _sound_start(film: Path) -> float:
    with av.open(str(film)) as container:
        picture = float(next(container.decode(video=0)).time or 0.0)
    with av.open(str(film)) as container:
        sound = float(next(container.decode(audio=0)).time or 0.0)
    return sound - picture


@dataclass(frozen=True)
class Media:
    root: Path

    def path(self, name: str) -> Path:
        folder = self.root / "media"
        folder.mkdir(exist_ok=True)
        return folder / name


@pytest.fixture
def media(tmp_path: Path) -> Media:
    return Media(tmp_path)


def test_a_trimmed_mpeg_ps_shot_starts_on_the_frame_its_trim_names(media: Media) -> None:
    # no index, a stream start of 1 s, open GOPs of 12 with B-frames, and a hard cut at frame 150; the burst sits on
    # picture frame 112 (4.48 s)
    clip = numbered_clip(
        media.path("tape.mpg"),
        frames=250,
        cut_frame=150,
        codec=MPEG2,
        sound=Sound(seconds=10, burst_at=4.48, codec="mp2"),
        output=("-f", "vob", "-output_ts_offset", "1.0"),
    )
    report = _export(media.root, [(clip, Trim(_us(4.0), _us(6.4))), (clip, Trim(_us(5.0), _us(5.6)))])
    frames = frames_of(report.output)
    assert [f.number for f in frames] == list(range(100, 160)) + list(range(125, 140))
    assert [f.scene for f in frames[:60]] == ["A"] * 50 + ["B"] * 10, "the hard cut moved"
    assert _bursts(report.output, (0, 2.4)) == pytest.approx([0.48], abs=BURST_TOLERANCE_S)


def test_sound_that_starts_after_the_picture_keeps_its_delay(media: Media) -> None:
    # the sound starts 67.3 ms after the first frame; its burst is heard at picture time 1.0673 s
    clip = numbered_clip(media.path("late.mp4"), frames=75, sound=Sound(seconds=3.0, burst_at=1.0, delay=0.0673))
    assert burst_in_source(clip) == pytest.approx(1.0673, abs=BURST_TOLERANCE_S)
    report = _export(media.root, [(clip, None), (clip, Trim(_us(0.5), _us(2.0)))])
    found = _bursts(report.output, (0, 3.0), (3.0, 4.5))
    assert found == pytest.approx([1.0673, 3.0 + 0.5673], abs=BURST_TOLERANCE_S)
    assert [f.number for f in frames_of(report.output)] == list(range(75)) + _showing(0.5, 37, 25)


def test_a_clip_is_as_long_as_its_picture(media: Media) -> None:
    # 3 s of picture, 3.5 s of sound: the take, the shot and the export are 3 s, with no frozen frame at the end
    clip = numbered_clip(media.path("long_sound.mp4"), frames=75, sound=Sound(seconds=3.5, burst_at=1.0))
    assert probe(clip).duration_us == 3_000_000
    report = _export(media.root, [(clip, None)])
    assert [f.number for f in frames_of(report.output)] == list(range(75))
    samples, rate = read_wav(report.output)
    assert len(samples) / rate == pytest.approx(3.0, abs=0.03)


def test_an_mp4_whose_picture_starts_after_its_sound(media: Media) -> None:
    # an empty edit in the picture's edit list starts it 0.5 s after the sound: the take's clock starts with the
    # picture, and the sound before it is cut (the burst, 1.0673 s into the file, is at picture time 0.5673 s)
    plain = numbered_clip(
        media.path("plain.mp4"),
        frames=75,
        codec=(*H264, "-bf", "2"),
        sound=Sound(seconds=3.0, burst_at=1.0, delay=0.0673),
    )
    clip = shift_picture(plain, media.path("edited.mp4"), 0.5)
    report = _export(media.root, [(clip, Trim(_us(0.2), _us(2.0)))])
    assert [f.number for f in frames_of(report.output)] == list(range(5, 50))
    assert _bursts(report.output, (0, 1.8)) == pytest.approx([0.5673 - 0.2], abs=BURST_TOLERANCE_S)


def test_an_mp4_copied_from_between_keyframes(media: Media) -> None:
    # `ffmpeg -ss 0.5 -c copy` keeps the GOP from frame 0 and hides frames 0-12 with its edit list
    whole = numbered_clip(media.path("whole.mp4"), frames=100, codec=(*H264, "-bf", "2", "-g", "25"), sound=Sound(4, 2))
    clip = copy_from(whole, media.path("copied.mp4"), 0.5)
    first = frames_of(clip)[0].number
    assert first > 0
    assert probe(clip).duration_us == (100 - first) * 40_000
    report = _export(media.root, [(clip, Trim(_us(0.2), _us(1.8)))])
    assert [f.number for f in frames_of(report.output)] == list(range(first + 5, first + 45))
    assert _bursts(report.output, (0, 1.6)) == pytest.approx([burst_in_source(clip) - 0.2], abs=BURST_TOLERANCE_S)


CONTAINERS = {
    "avi": ("clip.avi", ("-c:v", "mpeg4", "-vtag", "xvid", "-bf", "1", "-q:v", "3"), "libmp3lame", ()),
    "mkv": ("clip.mkv", (*H264, "-bf", "3"), "libopus", ()),
    "webm": ("clip.webm", ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"), "libopus", ()),
    "mpeg-ts": ("clip.ts", (*H264, "-bf", "2"), "aac", ("-output_ts_offset", "1.4")),
    "mov": ("clip.mov", (*H264, "-bf", "2"), "aac", ()),
}


@pytest.mark.parametrize("kind", CONTAINERS)
def test_cuts_and_sound_land_exactly_in_every_container(media: Media, kind: str) -> None:
    name, codec, sound_codec, output = CONTAINERS[kind]
    clip = numbered_clip(
        media.path(name),
        frames=50,
        cut_frame=30,
        codec=codec,
        sound=Sound(seconds=2.0, burst_at=0.9, delay=0.1, codec=sound_codec),
        output=output,
    )
    report = _export(media.root, [(clip, Trim(_us(0.4), _us(1.6)))])
    frames = frames_of(report.output)
    assert [f.number for f in frames] == list(range(10, 40))
    assert [f.scene for f in frames] == ["A"] * 20 + ["B"] * 10
    # where the file's own timestamps put the burst (AVI keeps neither the sound's delay nor MP3's priming)
    heard = burst_in_source(clip)
    assert _bursts(report.output, (0, 1.2)) == pytest.approx([heard - 0.4], abs=BURST_TOLERANCE_S)


def test_a_gif_at_another_rate_shows_the_frame_showing_at_each_moment(media: Media) -> None:
    clip = numbered_clip(media.path("loop.gif"), frames=30, fps="10", cut_frame=20, codec=())
    report = _export(media.root, [(clip, Trim(_us(1.05), _us(2.55)))])
    assert [f.number for f in frames_of(report.output)] == _showing(1.05, 38, 10)


def test_a_take_trimmed_past_its_picture_shows_black_not_a_frozen_frame(media: Media) -> None:
    # a project saved when a clip's length was its container's: the trim runs 0.5 s past the 3 s picture
    clip = numbered_clip(media.path("old.mp4"), frames=75, sound=Sound(seconds=3.5, burst_at=1.0))
    report = _export(media.root, [(clip, Trim(0, 3_500_000))])
    frames = frames_of(report.output)
    assert len(frames) == 88
    assert [f.number for f in frames[:75]] == list(range(75))
    assert all(f.number == 0 and f.scene == "A" for f in frames[75:])
    assert _dark(report.output, first=75), "past the picture's end the film is black"


def _dark(film: Path, *, first: int) -> bool:
    with av.open(str(film)) as container:
        lumas = [float(frame.to_ndarray(format="gray").mean()) for frame in container.decode(video=0)]
    return all(luma < 20 for luma in lumas[first:])


def test_the_lossless_copy_and_the_re_encode_cut_the_same_frames(media: Media) -> None:
    # the copy takes its origin from the picture stream's start; the re-encode from the take's clock: they agree
    plain = numbered_clip(
        media.path("plain.mp4"),
        frames=75,
        codec=(*H264, "-bf", "2", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0"),
        sound=Sound(seconds=3.0, burst_at=1.7, delay=0.0673),
    )
    clip = shift_picture(plain, media.path("edited.mp4"), 0.5)
    shots = [(clip, Trim(_us(1.0), _us(2.0)))]
    copied = _export(media.root, shots, lossless=True)
    encoded = _export(media.root, shots)
    assert copied.route != "re-encode", copied.reasons
    assert [f.number for f in frames_of(copied.output)] == [f.number for f in frames_of(encoded.output)]
    assert [f.number for f in frames_of(encoded.output)] == list(range(25, 50))
    # the burst, 1.7673 s into the file, is at picture time 1.2673: 0.2673 s into both films
    assert _bursts(copied.output, (0, 1.0)) == pytest.approx([0.2673], abs=BURST_TOLERANCE_S)
    assert _bursts(encoded.output, (0, 1.0)) == pytest.approx([0.2673], abs=BURST_TOLERANCE_S)
