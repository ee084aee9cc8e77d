"""probe() on real clips, and on files that are not media at all."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import pytest

from shotline.core.errors import MediaMissing, MediaUnreadable
from shotline.core.model import Size
from shotline.media.probe import in_worker, probe
from tests.clips import ffmpeg_exe, make_clip, run
from tests.media.numbered import H264, MPEG2, Sound, numbered_clip

pytestmark = pytest.mark.ffmpeg


def test_video_with_audio(tmp_path: Path) -> None:
    info = probe(make_clip(tmp_path / "a.mp4", seconds=1, size=(160, 120), fps="25", audio=(44100, 1)))
    assert info.has_video and info.has_audio
    assert info.fps == Fraction(25)
    assert info.size == Size(160, 120) == info.display_size
    assert abs(info.duration_us - 1_000_000) <= 40_000
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert not info.variable_frame_rate
    assert info.rotation == 0


def test_ntsc_rate_is_exact(tmp_path: Path) -> None:
    info = probe(make_clip(tmp_path / "ntsc.mp4", seconds=1, size=(160, 120), fps="30000/1001"))
    assert info.fps == Fraction(30000, 1001)
    assert not info.has_audio


@pytest.mark.parametrize(("rotate", "expected"), [(90, 90), (-90, 270), (180, 180)])
def test_rotation(tmp_path: Path, rotate: int, expected: int) -> None:
    info = probe(make_clip(tmp_path / "rot.mp4", seconds=0.5, size=(160, 96), rotate=rotate))
    assert info.rotation == expected
    assert info.size == Size(160, 96)
    assert info.display_size == (Size(96, 160) if expected % 180 else Size(160, 96))


def test_variable_frame_rate(tmp_path: Path) -> None:
    vfr = probe(make_clip(tmp_path / "vfr.mp4", seconds=1.5, size=(160, 120), fps="30", vfr=True))
    cfr = probe(make_clip(tmp_path / "cfr.mp4", seconds=1.5, size=(160, 120), fps="30"))
    assert vfr.variable_frame_rate
    assert not cfr.variable_frame_rate


@pytest.mark.parametrize("b_frames", [3, 5])
def test_a_constant_rate_clip_with_b_frames_is_constant(tmp_path: Path, b_frames: int) -> None:
    """Packets arrive in decode order, so a B-frame group cut at the end of the frames the check reads looked like a
    dropped frame (a constant 25 fps H.264 clip from a camera was called variable, which blocks the lossless route)."""
    path = tmp_path / "b-frames.mp4"
    source = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "8"]
    run([*source, "-c:v", "libx264", "-preset", "medium", "-bf", str(b_frames), "-g", "250", str(path)])
    info = probe(path)
    assert info.fps == 25
    assert not info.variable_frame_rate


def test_a_transport_stream_recorded_from_mid_stream_is_constant(tmp_path: Path) -> None:
    """A broadcast or camera TS that starts mid-GOP (the trial's cut_mid.ts) opens with packets of a B-frame group
    whose other frames were never recorded; its picture starts at the first keyframe, so those are no frames of the
    clip. Counting them left a hole that called a constant 24 fps clip variable."""
    whole = tmp_path / "whole.ts"
    source = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=24", "-t", "8"]
    run([*source, "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "48", "-f", "mpegts", str(whole)])
    data = whole.read_bytes()
    called_variable = []
    for eighth in range(1, 6):  # recordings starting 1/8 … 5/8 in, each before the last keyframe
        recorded = tmp_path / f"recorded{eighth}.ts"
        recorded.write_bytes(data[len(data) * eighth // 8 + 1 :])  # mid-packet (not on 188 bytes), mid-GOP
        info = probe(recorded)
        assert info.fps == 24
        if info.variable_frame_rate:
            called_variable.append(recorded.name)
    assert called_variable == []


@pytest.mark.parametrize(("suffix", "codec"), [(".wav", "pcm_s16le"), (".m4a", "aac"), (".mp3", "mp3")])
def test_audio_only(tmp_path: Path, suffix: str, codec: str) -> None:
    info = probe(make_clip(tmp_path / f"sound{suffix}", seconds=1, video=False, audio=(48000, 2)))
    assert not info.has_video and info.has_audio
    assert info.audio_codec == codec
    assert (info.sample_rate, info.channels) == (48000, 2)
    assert abs(info.duration_us - 1_000_000) < 60_000
    assert info.fps is None and info.size is None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaMissing, match=r"gone\.mp4"):
        probe(tmp_path / "gone.mp4")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.mp4", b""),
        ("notes.mp4", b"Shot 1: harbour at dawn\nShot 2: gulls\n" * 20),
        ("noise.mov", bytes(range(256)) * 64),
    ],
)
def test_not_media(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaUnreadable, match=name.replace(".", r"\.")):
        probe(path)


def test_truncated(tmp_path: Path) -> None:
    whole = make_clip(tmp_path / "whole.mp4", seconds=2, size=(160, 120), audio=(48000, 2))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(MediaUnreadable, match=r"cut\.mp4"):
        probe(cut)


def test_slow_read_times_out(tmp_path: Path) -> None:
    import threading

    release = threading.Event()
    with pytest.raises(MediaUnreadable, match="took too long"):
        in_worker(lambda: release.wait(5), tmp_path / "slow.mp4", timeout=0.2)
    release.set()


LENGTHS = {
    # 3 s of picture, 3.5 s of sound
    "longer sound": ("long.mp4", 75, "25", H264, Sound(seconds=3.5, burst_at=1.0), ()),
    # no index, a stream start of 1 s, sound starting before the picture
    "mpeg-ps": ("tape.mpg", 50, "25", MPEG2, Sound(2.0, 1.0, codec="mp2"), ("-f", "vob", "-output_ts_offset", "1")),
    "avi": ("clip.avi", 50, "25", ("-c:v", "mpeg4", "-bf", "1"), Sound(2.5, 1.0, codec="libmp3lame"), ()),
    "gif": ("loop.gif", 30, "10", (), None, ()),
}


@pytest.mark.parametrize("kind", LENGTHS)
def test_a_clips_length_is_its_pictures(tmp_path: Path, kind: str) -> None:
    name, frames, fps, codec, sound, output = LENGTHS[kind]
    clip = numbered_clip(tmp_path / name, frames=frames, fps=fps, codec=codec, sound=sound, output=output)
    assert probe(clip).duration_us == round(frames / int(fps) * 1_000_000)


def test_a_transport_stream_cut_after_its_last_keyframe_says_so(tmp_path: Path) -> None:
    """A recording cut anywhere (here a TS cut after its last keyframe) can hold no keyframe: nothing in it decodes
    to a picture, and the refusal says that, where it said 'no size; it may be damaged' (the real-clip trial)."""
    whole = tmp_path / "whole.ts"
    subprocess.run(
        [
            *(ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24:duration=5", "-f", "lavfi", "-i", "sine=d=5"),
            *("-c:v", "libx264", "-g", "48", "-keyint_min", "48", "-sc_threshold", "0", "-c:a", "aac", str(whole)),
        ],
        check=True,
        timeout=60,
    )
    with av.open(str(whole)) as container:
        packets = [(p.pos, p.is_keyframe) for p in container.demux(container.streams.video[0]) if p.pts is not None]
    last_key = max(index for index, (_, key) in enumerate(packets) if key)
    cut_at = packets[last_key + 2][0] // 188 * 188  # on a transport packet, two frames past the last keyframe
    tail = tmp_path / "cut_mid.ts"
    tail.write_bytes(whole.read_bytes()[cut_at:])
    with pytest.raises(MediaUnreadable, match=r"^cut_mid.ts has no keyframe, .* cut from a longer recording after"):
        probe(tail)
    assert probe(whole).size == Size(320, 180)
