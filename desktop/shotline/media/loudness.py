"""Two-pass loudness normalisation (EBU R128): measure a mix, then the filter that brings it to a target.

Pass one is ffmpeg's loudnorm in analysis mode, writing its figures to a stats file. Pass two is a plain gain of
(target − measured) so the result lands on the target and the sound keeps its dynamics:
- when that gain leaves the true peak under the ceiling, loudnorm applies it in linear mode from the measured
  figures;
- when it would push the peaks past the ceiling (a loud, peaky mix), loudnorm would fall back to its dynamic mode,
  which can miss the target by several LU. Instead the gain is applied directly and a look-ahead limiter, run at
  4× the rate so it also catches the peaks between samples, holds them under the ceiling. Short peaks carry little
  energy, so the loudness still lands on the target.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from shotline.core.errors import RenderFailed
from shotline.core.ports import ProgressSink
from shotline.media.process import ProcessRegistry, run_ffmpeg

PROTOCOLS = "file,pipe"
OVERSAMPLE = 4
"""The limiter runs at 4× the mix rate, where the sample peaks come within a fraction of a dB of the true peak."""
LIMITER_MARGIN_DB = 0.5
"""The limiter first aims this far under the ceiling: what its 4× samples miss of the true peak, and what the way
back to the export's rate adds. (An encoder's own overshoot is measured and corrected by `media.soundtrack`.)"""
LIMITER_ATTACK_MS = 2.0
LIMITER_RELEASE_MS = 50.0
LIMITER_FLOOR_DB = -24.0
"""The lowest limit alimiter takes (0.0625)."""
REFINEMENTS = 3
CLOSE_ENOUGH_LU = 0.1
Filter = tuple[str, dict[str, str]]
"""An ffmpeg filter: its name and options."""
_SILENT_LUFS = -70.0
"""EBU R128 gates out everything quieter than −70 LUFS: a mix this quiet is silence and is left alone."""


@dataclass(frozen=True, slots=True)
class Loudness:
    """What a loudness measurement found: integrated loudness (LUFS), true peak (dBTP), range (LU), gate (LUFS)."""

    integrated_lufs: float
    true_peak_db: float
    lra: float
    threshold_lufs: float

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.integrated_lufs) or self.integrated_lufs <= _SILENT_LUFS

    def __str__(self) -> str:
        if self.silent:
            return "silent"
        return f"{self.integrated_lufs:.1f} LUFS, true peak {self.true_peak_db:.1f} dBTP"


async def measure(
    path: Path, ffmpeg_exe: Path, registry: ProcessRegistry | None = None, *, through: str | None = None
) -> Loudness:
    """Measure the sound of `path` (its first audio stream) with ffmpeg's loudnorm analysis.

    `through` (a filter chain from `normalise_filter`) measures the sound as that chain would leave it.
    """
    with tempfile.TemporaryDirectory(prefix="shotline-loudness-") as folder:
        stats = Path(folder) / "loudness.json"
        await run_ffmpeg(measure_argv(path, stats, ffmpeg_exe, through=through), registry=registry)
        try:
            figures = json.loads(stats.read_text(encoding="utf-8"))
            return Loudness(
                integrated_lufs=float(figures["input_i"]),
                true_peak_db=float(figures["input_tp"]),
                lra=float(figures["input_lra"]),
                threshold_lufs=float(figures["input_thresh"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RenderFailed(
                f"ffmpeg did not report the loudness of {path.name} ({exc}); check that the file has sound."
            ) from None


async def meter(
    path: Path,
    ffmpeg_exe: Path,
    registry: ProcessRegistry | None = None,
    *,
    through: Sequence[Filter] = (),
    duration_us: int | None = None,
    progress: ProgressSink | None = None,
) -> Loudness:
    """Measure a file's sound with ffmpeg's EBU R128 meter (ebur128, true peak on): what the creator is shown.

    Quick, since only its true-peak detector oversamples. The meter's last running figures are the whole file's
    (to three decimals; the true peak in linear terms, so within 0.005 dB near full scale); the gate is 10 LU under
    the integrated loudness, as R128's relative gate is defined. A sound shorter than the meter's first 100 ms step
    has no figures, and is refused like a file without sound. `through` measures the sound as those filters leave
    it (e.g. `level_filters`). `progress` (0..1) needs the sound's `duration_us`.
    """
    with tempfile.TemporaryDirectory(prefix="shotline-meter-") as folder:
        figures = Path(folder) / "r128.txt"
        sound = ffmpeg.input(f"file:{path}", protocol_whitelist=PROTOCOLS).audio
        for name, options in through:
            sound = sound.filter(name, **options)
        metered = sound.filter("ebur128", peak="true", metadata=1).filter("ametadata", mode="print", file=str(figures))
        argv: list[str] = ffmpeg.output(metered, "-", f="null").global_args("-y").compile(cmd=str(ffmpeg_exe))
        await run_ffmpeg(argv, duration_us=duration_us, progress=progress, registry=registry)
        last = _last_figures(figures)
    try:
        integrated = float(last["lavfi.r128.I"])
        peak = float(last["lavfi.r128.true_peak"])
        return Loudness(integrated, _db(peak), float(last.get("lavfi.r128.LRA", "0")), integrated - 10.0)
    except (KeyError, ValueError):
        raise RenderFailed(
            f"ffmpeg did not report the loudness of {path.name}; check that the file has sound."
        ) from None


def level_filters(gain_db: float, limit_db: float | None, sample_rate: int) -> list[Filter]:
    """The filters that set a mix's level: one gain of `gain_db`, then, when `limit_db` is given, a look-ahead
    limiter holding the peaks under `limit_db` (dBFS).

    A plain gain keeps the sound's dynamics and lands exactly where it is told. The limiter only touches the short
    peaks a gain would push past the ceiling, which carry little of the loudness; it runs at `OVERSAMPLE`× the rate,
    where the sample peaks come within a fraction of a dB of the true peak, and the chain ends back at `sample_rate`.
    """
    gain: Filter = ("volume", {"volume": f"{gain_db:.3f}dB"})
    if limit_db is None:
        return [gain]
    limiter = {
        "limit": f"{10 ** (max(limit_db, LIMITER_FLOOR_DB) / 20):.6f}",
        "attack": f"{LIMITER_ATTACK_MS:g}",
        "release": f"{LIMITER_RELEASE_MS:g}",
        "level": "false",
        "latency": "true",  # without it the limiter's look-ahead delays the sound against the picture
    }
    return [
        ("aresample", {"out_sample_rate": str(sample_rate * OVERSAMPLE)}),
        gain,
        ("alimiter", limiter),
        ("aresample", {"out_sample_rate": str(sample_rate)}),
    ]


def chain_text(filters: Sequence[Filter]) -> str:
    """Filters as an ffmpeg `-af` chain (their values hold no ',', ':' or '=', so nothing needs escaping)."""
    return ",".join(f"{name}={':'.join(f'{k}={v}' for k, v in options.items())}" for name, options in filters)


def _last_figures(path: Path) -> dict[str, str]:
    """The metadata of the last metered frame (ametadata prints a `frame:` line, then key=value lines)."""
    last: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                key, sep, value = line.strip().partition("=")
                if sep:
                    last[key] = value
    except OSError:
        return {}
    return last


def _db(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 0 else -math.inf


def measure_argv(path: Path, stats: Path, ffmpeg_exe: Path, *, through: str | None = None) -> list[str]:
    """The analysis pass: decode `path`'s sound (through a chain) into loudnorm, which writes figures to `stats`."""
    sound = ffmpeg.input(f"file:{path}", protocol_whitelist=PROTOCOLS).audio
    for name, options in _parsed(through or ""):
        sound = sound.filter(name, **options)
    analysed = sound.filter("loudnorm", print_format="json", stats_file=str(stats))
    argv: list[str] = ffmpeg.output(analysed, "-", f="null").global_args("-y").compile(cmd=str(ffmpeg_exe))
    return argv


async def fit_loudness(
    path: Path,
    target_lufs: float,
    true_peak_db: float,
    ffmpeg_exe: Path,
    *,
    sample_rate: int = 48_000,
    measured: Loudness | None = None,
    registry: ProcessRegistry | None = None,
) -> str:
    """`normalise_filter` for `path`, checked: when the limiter is needed, measure what it leaves and correct.

    Limiting takes some loudness with the peaks; how much depends on the mix, so it is measured (one quick
    analysis pass of the sound, at most `REFINEMENTS` times) and made up with more gain before the limiter.
    """
    measured = measured or await measure(path, ffmpeg_exe, registry)
    chain = normalise_filter(measured, target_lufs, true_peak_db, sample_rate)
    if not needs_limiter(measured, target_lufs, true_peak_db):
        return chain
    extra_db = 0.0
    for _ in range(REFINEMENTS):
        result = await measure(path, ffmpeg_exe, registry, through=chain)
        miss = target_lufs - result.integrated_lufs
        if abs(miss) <= CLOSE_ENOUGH_LU:
            break
        extra_db += miss
        chain = normalise_filter(measured, target_lufs, true_peak_db, sample_rate, extra_gain_db=extra_db)
    return chain


def needs_limiter(measured: Loudness, target_lufs: float, true_peak_db: float) -> bool:
    """Whether the gain to `target_lufs` would push the true peak past `true_peak_db`."""
    return not measured.silent and measured.true_peak_db + target_lufs - measured.integrated_lufs > true_peak_db


def normalise_filter(
    measured: Loudness,
    target_lufs: float,
    true_peak_db: float,
    sample_rate: int = 48_000,
    *,
    extra_gain_db: float = 0.0,
) -> str:
    """The second-pass audio filter chain that brings a sound `measured` to `target_lufs` under `true_peak_db`.

    It ends at `sample_rate` (loudnorm and the limiter work at higher rates). A silent mix is left as it is.
    `extra_gain_db` makes up what the limiter takes (see `fit_loudness`).
    """
    return ",".join(
        f"{name}={':'.join(f'{k}={v}' for k, v in options.items())}"
        for name, options in _chain(measured, target_lufs, true_peak_db, sample_rate, extra_gain_db)
    )


def _chain(
    measured: Loudness, target_lufs: float, true_peak_db: float, sample_rate: int, extra_gain_db: float
) -> list[Filter]:
    back: Filter = ("aresample", {"out_sample_rate": str(sample_rate)})
    if measured.silent:
        return [back]
    if not needs_limiter(measured, target_lufs, true_peak_db):
        return [_linear_loudnorm(measured, target_lufs, true_peak_db), back]
    gain_db = target_lufs - measured.integrated_lufs + extra_gain_db
    limiter = {
        "limit": f"{10 ** ((true_peak_db - LIMITER_MARGIN_DB) / 20):.6f}",
        "attack": f"{LIMITER_ATTACK_MS:g}",
        "release": f"{LIMITER_RELEASE_MS:g}",
        "level": "false",
        "latency": "true",  # without it the limiter's look-ahead delays the sound against the picture
    }
    return [
        ("aresample", {"out_sample_rate": str(sample_rate * OVERSAMPLE)}),
        ("volume", {"volume": f"{gain_db:.3f}dB"}),
        ("alimiter", limiter),
        back,
    ]


def _linear_loudnorm(measured: Loudness, target_lufs: float, true_peak_db: float) -> Filter:
    """loudnorm told the measured figures, so it applies one fixed gain (its linear mode).

    loudnorm stays linear only when it was given a loudness range above 0 and no larger than its target range,
    so a perfectly steady mix (range 0) is described as 0.01 LU and the target range is the widest it allows.
    """
    return (
        "loudnorm",
        {
            "I": f"{target_lufs:g}",
            "TP": f"{true_peak_db:g}",
            "LRA": "50",
            "measured_I": f"{measured.integrated_lufs:.2f}",
            "measured_TP": f"{measured.true_peak_db:.2f}",
            "measured_LRA": f"{min(max(measured.lra, 0.01), 50.0):.2f}",
            "measured_thresh": f"{measured.threshold_lufs:.2f}",
            "linear": "true",
            "print_format": "none",
        },
    )


def _parsed(chain: str) -> list[Filter]:
    """A chain written by `normalise_filter` back into (name, options); its values hold no ',', ':' or '='."""
    filters: list[Filter] = []
    for text in filter(None, chain.split(",")):
        name, _, args = text.partition("=")
        filters.append((name, dict(arg.split("=", 1) for arg in args.split(":") if arg)))
    return filters
