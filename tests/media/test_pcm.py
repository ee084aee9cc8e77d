"""pcm.decode: exact sample counts, the right part of the file, and plain errors for files without sound."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotline.core.errors import MediaMissing, MediaUnreadable
from shotline.media.pcm import decode
from tests.clips import make_clip
from tests.media.numbered import MPEG2, Sound, burst_time, numbered_clip, shift_picture
from tests.media.sound import onset, rms_db, segment_samples

pytestmark = pytest.mark.ffmpeg

RATE = 48_000


@pytest.fixture(scope="module")
def beeps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 3 s of sound (a beep at 1.5 s) as AAC in MP4 at 44.1 kHz mono and as 48 kHz stereo WAV."""
    folder = tmp_path_factory.mktemp("pcm")
    return {
        "mp4": make_clip(folder / "beep.mp4", seconds=3, size=(160, 90), fps="30", audio=(44100, 1), beep_at=1.5),
        "wav": make_clip(folder / "beep.wav", seconds=3, audio=(48000, 2), beep_at=1.5, video=False),
    }


@pytest.mark.parametrize("kind", ["mp4", "wav"])
@pytest.mark.parametrize("start_us", [0, 1_000_000, 1_400_000])
def test_the_beep_sits_where_the_start_says(beeps: dict[str, Path], kind: str, start_us: int) -> None:
    segment = decode(beeps[kind], start_us=start_us, duration_us=1_300_000)
    samples = segment_samples(segment)
    assert (segment.frame_rate, segment.channels, segment.sample_width) == (RATE, 2, 2)
    assert len(samples) == 62_400
    if start_us == 0:
        assert rms_db(samples) < -80  # the beep is at 1.5 s, after this part
    else:
        expected = (1_500_000 - start_us) / 1e6
        assert onset(samples, RATE) == pytest.approx(expected, abs=0.001)


@pytest.mark.parametrize("kind", ["mp4", "wav"])
def test_past_the_end_is_silence_of_the_asked_length(beeps: dict[str, Path], kind: str) -> None:
    samples = segment_samples(decode(beeps[kind], start_us=2_500_000, duration_us=2_000_000, sample_rate=44_100))
    assert len(samples) == 88_200
    assert rms_db(samples[44_100:]) < -120  # nothing after the file's 3 s


def test_mono_and_the_whole_file(beeps: dict[str, Path]) -> None:
    whole = decode(beeps["wav"], channels=1)
    assert whole.channels == 1
    assert len(segment_samples(whole)) == 3 * RATE
    assert onset(segment_samples(whole), RATE) == pytest.approx(1.5, abs=0.001)


def test_a_video_without_sound_is_refused_plainly(tmp_path: Path) -> None:
    silent = make_clip(tmp_path / "silent.mp4", seconds=1, size=(160, 90))
    with pytest.raises(MediaUnreadable, match=r"silent\.mp4 has no sound"):
        decode(silent)


def test_a_broken_or_missing_file_is_refused_plainly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file" * 10)
    with pytest.raises(MediaUnreadable, match=r"broken\.wav"):
        decode(broken)
    with pytest.raises(MediaMissing, match=r"gone\.wav"):
        decode(tmp_path / "gone.wav")


def test_sound_keeps_its_offset_from_the_picture(tmp_path: Path) -> None:
    # the preview mix hears a take on the export's clock: 0 is the first picture frame
    late = numbered_clip(tmp_path / "late.mp4", frames=75, sound=Sound(3.0, burst_at=1.0, delay=0.0673))
    assert _burst(late, 0) == pytest.approx(1.0673, abs=0.0005)
    assert _burst(late, 500_000) == pytest.approx(0.5673, abs=0.0005)
    # the picture starts 0.5 s after the sound: the sound before it is cut
    edited = shift_picture(late, tmp_path / "edited.mp4", 0.5)
    assert _burst(edited, 0) == pytest.approx(0.5673, abs=0.0005)
    # an MPEG-PS with a stream start of 1 s, its sound starting a little before its picture
    tape = numbered_clip(
        tmp_path / "tape.mpg", frames=150, codec=MPEG2, sound=Sound(6, 4.48, codec="mp2"), output=("-f", "vob")
    )
    assert _burst(tape, 4_000_000) == pytest.approx(0.48, abs=0.0005)


def _burst(path: Path, start_us: int) -> float:
    samples = segment_samples(decode(path, start_us=start_us, duration_us=1_500_000))
    return burst_time(samples, RATE)
