"""Loudness (EBU R128): the meter, and the filters that set a mix's level.

`meter` is ffmpeg's EBU R128 meter (ebur128) with its true-peak detector on: every figure Shotline acts on or shows
the creator comes from it, so what is aimed at is what is reported. `level_filters` is the level a mix is given: a
plain gain, which keeps the sound's dynamics and lands exactly where it is told, and, where that gain would push the
peaks past the ceiling, a look-ahead limiter run at 4× the rate so it also catches the peaks between samples.
(`media.soundtrack` picks the gain and the limit, and checks them on the encoded sound.)
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shotline.core.errors import RenderFailed
from shotline.core.partial import temp_prefix
from shotline.core.ports import ProgressSink
from shotline.media.lifeline import Feed
from shotline.media.process import ProcessRegistry, run_ffmpeg
from shotline.media.sound_source import Filter, SoundSource, file_source

OVERSAMPLE = 4
"""The limiter runs at 4× the mix rate, where the sample peaks come within a fraction of a dB of the true peak."""
LIMITER_MARGIN_DB = 0.5
"""The limiter first aims this far under the ceiling: what its 4× samples miss of the true peak, and what the way
back to the export's rate adds. (An encoder's own overshoot is measured and corrected by `media.soundtrack`.)"""
LIMITER_ATTACK_MS = 2.0
LIMITER_RELEASE_MS = 50.0
LIMITER_FLOOR_DB = -24.0
"""The lowest limit alimiter takes (0.0625)."""
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
        # "peaks at", in dB: what a creator reads (the meter's true peak, between samples too; "dBTP" said nothing)
        return f"{self.integrated_lufs:.1f} LUFS, peaks at {self.true_peak_db:.1f} dB"


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
    return await meter_sound(
        file_source(path),
        path.name,
        ffmpeg_exe,
        registry,
        through=through,
        duration_us=duration_us,
        progress=progress,
    )


async def meter_sound(
    source: SoundSource,
    name: str,
    ffmpeg_exe: Path,
    registry: ProcessRegistry | None = None,
    *,
    through: Sequence[Filter] = (),
    duration_us: int | None = None,
    progress: ProgressSink | None = None,
    fed: Feed | None = None,
) -> Loudness:
    """`meter` for any sound source (a mix read from its clips; with `fed`, the sound another ffmpeg is writing into
    that pipe); `name` is what a failure calls the sound."""
    with tempfile.TemporaryDirectory(prefix=temp_prefix("meter")) as folder:
        figures = Path(folder) / "r128.txt"
        argv = [*source.argv(ffmpeg_exe, [*through, *metering(figures)]), "-f", "null", "-"]
        await run_ffmpeg(argv, duration_us=duration_us, progress=progress, registry=registry, fed=fed)
        return read_figures(figures, name)


def metering(figures: Path) -> list[Filter]:
    """The EBU R128 meter (true peak on) printing its running figures to `figures` (see `read_figures`)."""
    return [("ebur128", {"peak": "true", "metadata": "1"}), ("ametadata", {"mode": "print", "file": str(figures)})]


def read_figures(figures: Path, name: str) -> Loudness:
    """What the meter of `metering` measured over the whole sound; RenderFailed naming `name` without figures."""
    last = _last_figures(figures)
    try:
        integrated = float(last["lavfi.r128.I"])
        peak = float(last["lavfi.r128.true_peak"])
        return Loudness(integrated, _db(peak), float(last.get("lavfi.r128.LRA", "0")), integrated - 10.0)
    except (KeyError, ValueError):
        raise RenderFailed(f"ffmpeg did not report the loudness of {name}; check that the file has sound.") from None


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
