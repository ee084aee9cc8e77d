"""A mix's loudness foretold from its sounds' cells (measured once per file) agrees with ffmpeg's EBU R128 meter on
the mix ffmpeg renders: a plain sequence of trimmed clips at their own gains, and one with a crossfade, a faded music
bed ducked under them and a sound that starts after its picture. The cells survive a trip through bytes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from shotline.media.mix import AudioMix, Ducking, Sound
from shotline.media.take_loudness import SoundLevels, foretell, measure_levels
from tests.clips import ffmpeg_exe
from tests.media.sound import ebur128, render_with_ffmpeg

pytestmark = pytest.mark.ffmpeg

RATE = 48_000
FORETOLD_LU = 0.2
"""How close the foretold loudness is to the meter's: well inside the 0.5 LU the export promises, since the encoded
sound is what is checked."""


def _clip(path: Path, wave: str, seconds: float, *, sound_late: float = 0.0) -> Path:
    """A small video clip with `wave` as its AAC sound, starting `sound_late` seconds after its picture."""
    late = ["-itsoffset", str(sound_late)] if sound_late else []
    subprocess.run(
        [
            *(ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"color=c=gray:size=160x90:rate=25:duration={seconds}"),
            *late,
            *("-f", "lavfi", "-i", f"aevalsrc={wave}|{wave}:s={RATE}:d={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "192k", str(path)),
        ],
        check=True,
        timeout=60,
    )
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "tone": _clip(folder / "tone.mp4", "0.2*sin(2*PI*440*t)", 6),
        "noise": _clip(folder / "noise.mp4", "0.4*(random(0)-0.5)*(0.6+0.4*sin(2*PI*3*t))", 6),
        "bass": _clip(folder / "bass.mp4", "0.5*sin(2*PI*60*t)*lt(mod(t\\,1)\\,0.6)", 6),
        "late": _clip(folder / "late.mp4", "0.3*sin(2*PI*1000*t)", 6, sound_late=0.5),
        "music": _clip(folder / "music.mp4", "0.1*sin(2*PI*220*t)+0.05*(random(0)-0.5)", 14),
    }


def _agrees(mix: AudioMix, tmp_path: Path) -> None:
    levels = {sound.source: measure_levels(sound.source, RATE, 2) for sound in mix.sounds}
    foretold = foretell(mix, levels.__getitem__)
    render_with_ffmpeg(mix, tmp_path / "mix.wav")
    metered, _ = ebur128(tmp_path / "mix.wav")
    assert foretold.integrated_lufs == pytest.approx(metered, abs=FORETOLD_LU)


def test_a_sequence_of_trimmed_clips_at_their_gains(clips: dict[str, Path], tmp_path: Path) -> None:
    second = RATE
    mix = AudioMix(
        (
            Sound(clips["tone"], 1_000_000, 0, 3 * second, gain_db=-6.0),
            Sound(clips["noise"], 250_000, 3 * second, 4 * second, gain_db=3.0),
            Sound(clips["bass"], 0, 7 * second, 2 * second + 1234),
            Sound(clips["late"], 0, 9 * second + 1234, 4 * second, gain_db=-10.0),
        ),
        13 * second + 1234,
    )
    _agrees(mix, tmp_path)


def test_overlapping_sounds_with_fades_and_ducking(clips: dict[str, Path], tmp_path: Path) -> None:
    second = RATE
    speech = ((2 * second, 5 * second), (8 * second, 11 * second))
    duck = Ducking(speech, -12.0, second // 10, second // 2)
    mix = AudioMix(
        (
            Sound(clips["tone"], 0, 2 * second, 3 * second, fade_out_samples=second, fade_out_curve="qsin"),
            Sound(clips["noise"], 0, 4 * second, 4 * second, fade_in_samples=second, fade_in_curve="qsin"),
            Sound(clips["late"], 0, 8 * second, 3 * second),
            Sound(clips["music"], 0, 0, 13 * second, gain_db=4.0, fade_in_samples=second, duck=duck),
        ),
        13 * second,
    )
    _agrees(mix, tmp_path)


def test_levels_survive_bytes_and_refuse_anything_else(clips: dict[str, Path]) -> None:
    levels = measure_levels(clips["late"], RATE, 2)
    again = SoundLevels.from_bytes(levels.to_bytes())
    assert (again.sample_rate, again.channels, len(again)) == (RATE, 2, len(levels))
    assert np.allclose(again.energy, levels.energy, rtol=1e-6) and np.allclose(again.peak, levels.peak, rtol=1e-6)
    # the sound starts 0.5 s after the picture: its first cells are silent, on the take's clock
    assert levels.energy[:45].max() < 1e-12 and not levels.peak[:45].any()
    assert levels.energy[55:600].min() > 1e-3
    for damaged in (b"", b"SLLEVEL1", levels.to_bytes()[:-4]):
        with pytest.raises(ValueError, match="sound levels"):
            SoundLevels.from_bytes(damaged)
