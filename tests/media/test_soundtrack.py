"""An export's sound encoded on its own: loudness on the target (±0.5 LU) and true peak under the ceiling as an
independent EBU R128 meter (ffmpeg's ebur128 summary) measures the *encoded* file, through AAC and PCM; exactly as
long as asked and in time; silence, loudness off, a limit still missed, progress and cancelling."""

from __future__ import annotations

import asyncio
import itertools
import re
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from shotline.core.model import Codec, ExportSettings, Size
from shotline.core.ports import ProgressSink
from shotline.media import soundtrack
from shotline.media.loudness import Loudness, meter
from shotline.media.process import ProcessRegistry
from shotline.media.sound_source import file_source
from shotline.media.soundtrack import Soundtrack, encode_soundtrack, soundtrack_suffix
from shotline.media.take_loudness import Foretold
from tests.clips import ffmpeg_exe
from tests.media.sound import ebur128, onset, read_wav

pytestmark = pytest.mark.ffmpeg

FFMPEG = Path(ffmpeg_exe())
RATE = 48_000
SECONDS = 4
CEILING = -1.0

# a hot mix of several sources summed past full scale: a square-wave pad, a kick and a snare every half second,
# and a hit of hard-clipped noise every second (-8 LUFS, true peak +8 dBTP before any normalisation)
PAD = "0.06*(2*lt(mod(t\\,1/110)\\,0.5/110)-1)"
KICK = "1.1*exp(-25*mod(t\\,0.5))*sin(2*PI*55*mod(t\\,0.5)*(1+3*exp(-40*mod(t\\,0.5))))"
SNARE = "if(lt(mod(t-0.25\\,0.5)\\,0.08)\\,1.4*(random(1)-0.5)*exp(-50*mod(t-0.25\\,0.5))\\,0)"
HITS = "clip(4*(random(0)-0.5)\\,-1\\,1)*if(lt(mod(t-0.125\\,1)\\,0.03)\\,1.2\\,0.01)"
HOT = f"{PAD}+{KICK}+{SNARE}+{HITS}"
# bright noise in bursts, like applause or rain: AAC's low-pass takes about 1 LU of its loudness
BRIGHT = "0.3*(random(0)-0.5)*(0.5+0.5*sin(2*PI*4*t))*lt(mod(t\\,1.3)\\,0.8)"
# a film that opens with a bang, then goes quiet: loudnorm's analysis reads it ~2 LU quieter than R128 meters
OPENING = "sin(2*PI*440*t)*if(lt(t\\,0.3)\\,0.5\\,0.05)"
# a click every second over a quiet tone: where the sound is in time
CLICKS = "0.05*sin(2*PI*440*t)+if(lt(mod(t\\,1)\\,0.002)\\,0.95\\,0)"


def _mix(path: Path, wave: str, seconds: float = SECONDS) -> Path:
    """A float WAV, as the export's mix pass writes it."""
    subprocess.run(
        [
            *(str(FFMPEG), "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"),
            *(f"aevalsrc={wave}|{wave}:s={RATE}:d={seconds}", "-c:a", "pcm_f32le", str(path)),
        ],
        check=True,
        timeout=60,
    )
    return path


@pytest.fixture(scope="module")
def mixes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("mixes")
    waves = {"hot": HOT, "bright": BRIGHT, "opening": OPENING, "clicks": CLICKS, "silent": "0"}
    return {name: _mix(folder / f"{name}.wav", wave) for name, wave in waves.items()}


def _settings(codec: Codec, loudness: float | None) -> ExportSettings:
    return ExportSettings(Size(320, 180), Fraction(25), codec=codec, loudness_lufs=loudness, true_peak_db=CEILING)


def _encode(
    mixed: Path,
    dest: Path,
    settings: ExportSettings,
    samples: int = SECONDS * RATE,
    *,
    progress: ProgressSink | None = None,
    metadata: dict[str, str] | None = None,
) -> Soundtrack:
    run = encode_soundtrack(
        file_source(mixed), dest, settings, samples, ffmpeg=FFMPEG, progress=progress, metadata=metadata
    )
    return asyncio.run(run)


def _decoded(path: Path) -> np.ndarray:
    """Every sample ffmpeg plays from `path` (as a player does: AAC's priming and end padding cut by the edit list)."""
    raw = subprocess.run(
        [str(FFMPEG), "-nostdin", "-loglevel", "error", "-i", str(path), "-f", "f32le", "-ac", "2", "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return np.frombuffer(raw, np.float32).reshape(-1, 2)


def _lands(result: Soundtrack, target: float) -> None:
    """The encoded file is on target under the ceiling by the independent meter, and the report says what it says."""
    integrated, peak = ebur128(result.path)
    assert integrated == pytest.approx(target, abs=0.5)
    assert peak <= CEILING
    assert result.loudness is not None and result.notes == ()
    assert result.loudness.integrated_lufs == pytest.approx(integrated, abs=0.1)
    assert result.loudness.true_peak_db == pytest.approx(peak, abs=0.1)


@pytest.mark.parametrize("target", [-14.0, -23.0])
@pytest.mark.parametrize("mix", ["hot", "bright"])
def test_through_aac_the_encoded_file_is_on_target_under_the_ceiling(
    mixes: dict[str, Path], tmp_path: Path, mix: str, target: float
) -> None:
    settings = _settings(Codec.H264, target)
    assert soundtrack_suffix(settings) == ".m4a"
    result = _encode(mixes[mix], tmp_path / "sound.m4a", settings)
    assert result.path == tmp_path / "sound.m4a"
    _lands(result, target)


@pytest.mark.parametrize("target", [-14.0, -23.0])
@pytest.mark.parametrize("mix", ["hot", "opening"])
def test_as_pcm_the_encoded_file_is_on_target_under_the_ceiling(
    mixes: dict[str, Path], tmp_path: Path, mix: str, target: float
) -> None:
    settings = _settings(Codec.WAV, target)
    _lands(_encode(mixes[mix], tmp_path / "film.wav", settings), target)


@pytest.mark.parametrize(("codec", "suffix"), [(Codec.M4A, ".m4a"), (Codec.PRORES, ".wav")])
def test_the_sound_is_exactly_as_long_as_asked_and_in_time(
    mixes: dict[str, Path], tmp_path: Path, codec: Codec, suffix: str
) -> None:
    settings = _settings(codec, -14.0)  # loud enough that the limiter holds the clicks
    assert soundtrack_suffix(settings) == suffix
    before, _ = read_wav(mixes["clicks"])
    for samples in (SECONDS * RATE + 12_345, SECONDS * RATE - 23_456):  # padded with silence, then cut short
        result = _encode(mixes["clicks"], tmp_path / f"sound{suffix}", settings, samples)
        after = _decoded(result.path)
        assert after.shape == (samples, 2)
        # each click (at 1, 2 and 3 s) sits where it was, to the millisecond
        for second in (1, 2, 3):
            window = slice(second * RATE - RATE // 2, second * RATE + RATE // 2)
            assert onset(after[window], RATE, 0.4) == pytest.approx(onset(before[window], RATE, 0.4), abs=0.001)
    assert not after[SECONDS * RATE - 23_456 :].any()


def test_with_loudness_off_the_sound_is_encoded_as_mixed_and_metered(mixes: dict[str, Path], tmp_path: Path) -> None:
    mixed_level, _ = ebur128(mixes["opening"])
    result = _encode(mixes["opening"], tmp_path / "film.wav", _settings(Codec.WAV, None))
    integrated, peak = ebur128(result.path)
    assert integrated == pytest.approx(mixed_level, abs=0.05)
    assert result.loudness is not None and result.notes == ()
    assert result.loudness.integrated_lufs == pytest.approx(integrated, abs=0.1)
    assert result.loudness.true_peak_db == pytest.approx(peak, abs=0.1)


def test_an_m4a_carries_its_tags_and_starts_with_its_index(mixes: dict[str, Path], tmp_path: Path) -> None:
    tags = {"comment": "made with Shotline", "title": "Opening"}
    result = _encode(mixes["opening"], tmp_path / "film.m4a", _settings(Codec.M4A, -14.0), metadata=tags)
    with av.open(str(result.path)) as container:
        assert {key: container.metadata.get(key) for key in tags} == tags
    data = result.path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "the index should come first (+faststart), for streaming"


@pytest.mark.parametrize("suffix", [".m4a", ".wav"])
def test_a_silent_mix_is_encoded_and_reported_silent(mixes: dict[str, Path], tmp_path: Path, suffix: str) -> None:
    codec = Codec.M4A if suffix == ".m4a" else Codec.WAV
    result = _encode(mixes["silent"], tmp_path / f"film{suffix}", _settings(codec, -14.0))
    assert result.loudness is not None and result.loudness.silent
    assert str(result.loudness) == "silent" and result.notes == ()
    assert _decoded(result.path).shape == (SECONDS * RATE, 2) and not _decoded(result.path).any()


def test_a_sound_too_short_to_measure_is_encoded_as_mixed_with_a_note(tmp_path: Path) -> None:
    blip = _mix(tmp_path / "blip.wav", "0.3*sin(2*PI*440*t)", seconds=0.05)
    result = _encode(blip, tmp_path / "film.m4a", _settings(Codec.M4A, -14.0), samples=2_400)
    assert result.loudness is None
    assert result.notes == (
        "The sound could not be measured, so it was not normalised.",
        "The loudness of the result could not be measured.",
    )
    assert _decoded(result.path).shape == (2_400, 2)


def test_a_limit_still_missed_after_the_last_pass_is_told(
    mixes: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one pass allowed, AAC's overshoot on the hot mix and the loudness it takes from the bright one stay, and
    the notes say by how much, as the independent meter measures the file."""
    monkeypatch.setattr(soundtrack, "MOST_ENCODES", 1)
    hot = _encode(mixes["hot"], tmp_path / "hot.m4a", _settings(Codec.M4A, -14.0))
    _, peak = ebur128(hot.path)
    assert peak > CEILING, "one pass through AAC is meant to overshoot the ceiling with this mix"
    told = re.fullmatch(r"The sound peaks at (-?[\d.]+) dB, ([\d.]+) dB over the -1 dB ceiling\.", hot.notes[-1])
    assert told, hot.notes
    assert float(told[1]) == pytest.approx(peak, abs=0.1)
    assert float(told[2]) == pytest.approx(float(told[1]) + 1)

    bright = _encode(mixes["bright"], tmp_path / "bright.m4a", _settings(Codec.M4A, -14.0))
    integrated, _ = ebur128(bright.path)
    assert integrated < -14.5, "one pass through AAC is meant to take more than 0.5 LU from this mix"
    told = re.fullmatch(r"The loudness is (-[\d.]+) LUFS, ([\d.]+) LU under the -14 LUFS target\.", bright.notes[0])
    assert told and len(bright.notes) == 1, bright.notes
    assert float(told[1]) == pytest.approx(integrated, abs=0.1)
    assert float(told[2]) == pytest.approx(-14 - float(told[1]))


def test_progress_rises_to_one_over_every_pass(mixes: dict[str, Path], tmp_path: Path) -> None:
    seen: list[float] = []
    _encode(mixes["hot"], tmp_path / "film.m4a", _settings(Codec.M4A, -14.0), progress=seen.append)
    assert seen[-1] == 1.0 and seen[0] < 0.5
    assert all(0.0 <= a <= b <= 1.0 for a, b in itertools.pairwise(seen))


def test_cancelling_leaves_no_file_but_the_destination(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_mix = _mix(tmp_path / "long.wav", HOT, seconds=30)
    scratch, out = tmp_path / "scratch", tmp_path / "out"
    scratch.mkdir()
    out.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the meter writes its figures

    registry = ProcessRegistry()
    listed: list[int] = []

    async def cancel_once_running() -> None:
        running = asyncio.Event()

        def progress(_: float) -> None:
            listed.append(len(registry))
            running.set()

        task = asyncio.ensure_future(
            encode_soundtrack(
                file_source(long_mix),
                out / "film.m4a",
                _settings(Codec.M4A, -14.0),
                30 * RATE,
                ffmpeg=FFMPEG,
                registry=registry,
                progress=progress,
            )
        )
        await running.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_once_running())
    assert listed[0] == 1, "the running ffmpeg is listed in the caller's registry, so shutdown can stop it"
    assert len(registry) == 0
    assert list(scratch.iterdir()) == []
    assert {path.name for path in out.iterdir()} <= {"film.m4a"}


def test_the_report_follows_the_encoded_file_not_the_mix(mixes: dict[str, Path], tmp_path: Path) -> None:
    """Through AAC the bright mix comes out about 1 LU quieter than it went in: the figures are the file's."""
    result = _encode(mixes["bright"], tmp_path / "film.m4a", _settings(Codec.M4A, None))
    mixed, _ = ebur128(mixes["bright"])
    encoded, _ = ebur128(result.path)
    assert encoded < mixed - 0.5
    assert result.loudness is not None and result.loudness.integrated_lufs == pytest.approx(encoded, abs=0.1)


def test_without_a_target_a_sound_over_full_scale_is_said_to_clip(mixes: dict[str, Path], tmp_path: Path) -> None:
    """Nothing is promised with loudness off, but a file players will clip is worth a word (a hot mix once exported
    at +17 dBTP without one); a sound under full scale gets none."""
    hot = _encode(mixes["hot"], tmp_path / "hot.m4a", _settings(Codec.H264, None))
    assert hot.loudness is not None and hot.loudness.true_peak_db > 0
    [note] = hot.notes
    assert note.startswith(f"The sound peaks at {hot.loudness.true_peak_db:+.1f} dB, over full scale")
    assert _encode(mixes["bright"], tmp_path / "bright.m4a", _settings(Codec.H264, None)).notes == ()


@pytest.mark.parametrize("suffix", [".m4a", ".wav"])
def test_the_figures_are_the_encoded_files_own(mixes: dict[str, Path], tmp_path: Path, suffix: str) -> None:
    """The encoded sound is metered as it is written (the same packets, down a pipe to a second ffmpeg): its figures
    are exactly what the meter reads from the finished file, to the last decimal the meter gives."""
    codec = Codec.M4A if suffix == ".m4a" else Codec.WAV
    result = _encode(mixes["bright"], tmp_path / f"film{suffix}", _settings(codec, -14.0))
    assert result.loudness is not None
    assert result.loudness == asyncio.run(meter(result.path, FFMPEG))


def _foretold(mixed: Path) -> Foretold:
    """What an export foretells of a mix (`media.take_loudness`): its loudness, and its loudest sample."""
    integrated, _ = ebur128(mixed)
    samples, _ = read_wav(mixed)
    return Foretold(integrated, 20 * float(np.log10(np.abs(samples).max())))


@pytest.mark.parametrize("mix", ["hot", "bright"])
def test_from_a_foretold_loudness_the_encoded_file_is_on_target_under_the_ceiling(
    mixes: dict[str, Path], tmp_path: Path, mix: str
) -> None:
    """Encoded at once from what was foretold: what AAC takes from the bright mix and adds to the hot one's peaks is
    corrected by encoding again, as the encoded file measures."""
    settings = _settings(Codec.H264, -14.0)
    run = encode_soundtrack(
        file_source(mixes[mix]), tmp_path / "sound.m4a", settings, SECONDS * RATE, ffmpeg=FFMPEG,
        expected=_foretold(mixes[mix]),
    )  # fmt: skip
    _lands(asyncio.run(run), -14.0)


def test_a_foretold_mix_is_encoded_once_without_metering_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gentle = _mix(tmp_path / "gentle.wav", "0.1*sin(2*PI*440*t)")
    passes: list[str] = []
    real = soundtrack.meter_sound  # type: ignore[attr-defined]

    async def counted(*args: object, **kwargs: object) -> Loudness:
        passes.append("the mix" if kwargs.get("fed") is None else "the encoded sound")
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(soundtrack, "meter_sound", counted)
    settings = _settings(Codec.H264, -14.0)
    run = encode_soundtrack(
        file_source(gentle), tmp_path / "sound.m4a", settings, SECONDS * RATE, ffmpeg=FFMPEG,
        expected=_foretold(gentle),
    )  # fmt: skip
    _lands(asyncio.run(run), -14.0)
    assert passes == ["the encoded sound"]
