"""The loudness meter and the level filters: the meter's running figures agree with ffmpeg's own ebur128 summary,
read a mix through filters as they leave it, and call silence silent; a gain lands exactly, a limiter holds the peaks.
(Whether an export lands on its target is tested on the encoded sound, in test_soundtrack.)"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from shotline.media.loudness import level_filters, meter
from shotline.media.sound_source import chain_text
from tests.clips import ffmpeg_exe
from tests.media.sound import ebur128

pytestmark = pytest.mark.ffmpeg

FFMPEG = Path(ffmpeg_exe())
QUIET = "0.03*sin(2*PI*440*t)+0.01*(random(0)-0.5)"
# a soft tone with a full-scale 3 kHz burst every half second
BURSTS = "if(lt(mod(t\\,0.5)\\,0.004)\\,0.98*sin(2*PI*3000*t)\\,0)"
PEAKY = f"0.08*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.5*t))+{BURSTS}"


def _sound(path: Path, wave: str, seconds: float = 4.0) -> Path:
    subprocess.run(
        [
            *(str(FFMPEG), "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"),
            *(f"aevalsrc={wave}|{wave}:s=48000:d={seconds}", "-c:a", "pcm_f32le", str(path)),
        ],
        check=True,
        timeout=60,
    )
    return path


@pytest.fixture(scope="module")
def mixes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("loudness")
    return {"quiet": _sound(folder / "quiet.wav", QUIET), "peaky": _sound(folder / "peaky.wav", PEAKY)}


def test_the_meter_agrees_with_ffmpegs_own_summary(mixes: dict[str, Path]) -> None:
    for path in mixes.values():
        measured = asyncio.run(meter(path, FFMPEG))
        integrated, peak = ebur128(path)
        assert measured.integrated_lufs == pytest.approx(integrated, abs=0.1)
        # the meter's running figures come to three decimals (the peak in linear terms: ±0.1 dB at -28 dBTP)
        assert measured.true_peak_db == pytest.approx(peak, abs=0.15)
        assert measured.threshold_lufs == pytest.approx(measured.integrated_lufs - 10)


def test_a_gain_lands_exactly_and_a_limiter_holds_the_peaks(mixes: dict[str, Path]) -> None:
    plain = asyncio.run(meter(mixes["peaky"], FFMPEG))
    louder = asyncio.run(meter(mixes["peaky"], FFMPEG, through=level_filters(6.5, None, 48_000)))
    assert louder.integrated_lufs == pytest.approx(plain.integrated_lufs + 6.5, abs=0.02)
    assert louder.true_peak_db == pytest.approx(plain.true_peak_db + 6.5, abs=0.02)
    limited = asyncio.run(meter(mixes["peaky"], FFMPEG, through=level_filters(6.5, -3.0, 48_000)))
    assert plain.true_peak_db + 6.5 > 0.0 and limited.true_peak_db <= -3.0 + 0.5
    # the loudness it takes with the peaks (here most of it: the bursts are this mix's loudest part) is what
    # media.soundtrack meters and makes up
    assert limited.integrated_lufs < louder.integrated_lufs - 1.0


def test_the_limiter_runs_oversampled_and_ends_at_the_exports_rate() -> None:
    assert chain_text(level_filters(-3.0, None, 44_100)) == "volume=volume=-3.000dB"
    chain = chain_text(level_filters(2.0, -1.5, 44_100))
    assert chain.startswith("aresample=out_sample_rate=176400,volume=volume=2.000dB,alimiter=limit=0.841395:")
    assert "latency=true" in chain and chain.endswith(",aresample=out_sample_rate=44100")


def test_silence_is_silent(tmp_path: Path) -> None:
    measured = asyncio.run(meter(_sound(tmp_path / "silent.wav", "0", seconds=1.0), FFMPEG))
    assert measured.silent and str(measured) == "silent"
