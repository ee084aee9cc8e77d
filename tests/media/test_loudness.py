"""Two-pass loudness: a quiet and a loud, peaky mix land on −14 and −23 LUFS (±0.5 LU) with true peak ≤ −1 dBTP,
measured afterwards by an independent meter (ffmpeg's ebur128, not the loudnorm that did the work)."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest

from shotline.media.loudness import Loudness, fit_loudness, measure, needs_limiter, normalise_filter
from shotline.media.process import run_ffmpeg
from tests.clips import ffmpeg_exe
from tests.media.sound import onset, read_wav

pytestmark = pytest.mark.ffmpeg

FFMPEG = Path(ffmpeg_exe())
CEILING = -1.0
QUIET = "0.03*sin(2*PI*440*t)+0.01*(random(0)-0.5)"
# a soft tone with a full-scale 3 kHz burst every half second: gaining it up to −14 LUFS would break the ceiling
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


def _ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's ebur128 meter."""
    done = subprocess.run(
        [
            *(str(FFMPEG), "-nostdin", "-hide_banner", "-nostats", "-i", str(path)),
            *("-af", "ebur128=peak=true", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    summary = done.stderr[done.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, done.stderr[-800:]
    return float(integrated[1]), float(peak[1])


def _normalise(source: Path, chain: str, output: Path) -> Path:
    argv = [str(FFMPEG), "-i", f"file:{source}", "-af", chain, "-c:a", "pcm_f32le", "-y", f"file:{output}"]
    asyncio.run(run_ffmpeg(argv))
    return output


@pytest.fixture(scope="module")
def mixes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("loudness")
    return {"quiet": _sound(folder / "quiet.wav", QUIET), "peaky": _sound(folder / "peaky.wav", PEAKY)}


def test_measure_agrees_with_an_independent_meter(mixes: dict[str, Path]) -> None:
    for path in mixes.values():
        measured = asyncio.run(measure(path, FFMPEG))
        integrated, peak = _ebur128(path)
        assert measured.integrated_lufs == pytest.approx(integrated, abs=0.3)
        assert measured.true_peak_db == pytest.approx(peak, abs=0.5)


@pytest.mark.parametrize("target", [-14.0, -23.0])
@pytest.mark.parametrize("kind", ["quiet", "peaky"])
def test_normalised_mixes_land_on_target_under_the_ceiling(
    mixes: dict[str, Path], tmp_path: Path, kind: str, target: float
) -> None:
    measured = asyncio.run(measure(mixes[kind], FFMPEG))
    chain = asyncio.run(fit_loudness(mixes[kind], target, CEILING, FFMPEG, measured=measured))
    integrated, peak = _ebur128(_normalise(mixes[kind], chain, tmp_path / "out.wav"))
    assert integrated == pytest.approx(target, abs=0.5)
    assert peak <= CEILING
    if kind == "peaky" and target == -14.0:
        assert needs_limiter(measured, target, CEILING), "this mix is meant to need the limiter"


def test_the_limiter_does_not_shift_the_sound_in_time(mixes: dict[str, Path], tmp_path: Path) -> None:
    measured = asyncio.run(measure(mixes["peaky"], FFMPEG))
    assert "alimiter" in normalise_filter(measured, -14.0, CEILING)
    chain = asyncio.run(fit_loudness(mixes["peaky"], -14.0, CEILING, FFMPEG, measured=measured))
    before, rate = read_wav(mixes["peaky"])
    after, after_rate = read_wav(_normalise(mixes["peaky"], chain, tmp_path / "out.wav"))
    assert (after_rate, len(after)) == (rate, len(before))
    # the second burst (at 0.5 s) rises out of the soft tone at the same sample, ± 1 ms
    start = rate // 4
    assert onset(after[start:], rate, threshold=0.5) == pytest.approx(onset(before[start:], rate, 0.7), abs=0.001)


def test_silence_is_left_alone(tmp_path: Path) -> None:
    silent = _sound(tmp_path / "silent.wav", "0", seconds=1.0)
    measured = asyncio.run(measure(silent, FFMPEG))
    assert measured.silent and str(measured) == "silent"
    assert normalise_filter(measured, -14.0, CEILING) == "aresample=out_sample_rate=48000"
    assert not needs_limiter(measured, -14.0, CEILING)


def test_a_steady_mix_uses_loudnorms_linear_mode() -> None:
    steady = Loudness(integrated_lufs=-20.0, true_peak_db=-10.0, lra=0.0, threshold_lufs=-30.0)
    chain = normalise_filter(steady, -14.0, CEILING, 44_100)
    assert chain.startswith("loudnorm=") and "linear=true" in chain and "measured_LRA=0.01" in chain
    assert chain.endswith(",aresample=out_sample_rate=44100")
