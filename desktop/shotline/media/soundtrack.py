"""Encode an export's sound on its own, and check on the encoded file that it keeps the loudness promises.

The sound arrives mixed, as a float WAV. With a loudness target, the mix is measured by the EBU R128 meter
(`loudness.meter`, the same one whose figures the creator is shown) and one gain brings it to the target. Where that
gain would push the true peak past the ceiling, an oversampled limiter holds the peaks; it takes a little loudness
with them, so the limited sound is metered and the gain raised to make up for it (`_fit`).

An encoder then changes both figures: AAC's low-pass takes loudness away (most from noisy, bright sound), and its
noise adds peaks, up to several dB over what went in on a mix with sharp transients. So the encoded file is metered,
and while it misses the target by more than `CLOSE_ENOUGH_LU` or its true peak is over the ceiling, the aim is moved
by the loudness missed and the limit lowered by the peak's overshoot, and the sound is encoded again, at most
`MOST_ENCODES` times. A promise still broken (loudness off by more than `PROMISED_LU`, peak over) is told in a
note.

Without a target the sound is encoded as mixed and metered, so the report shows what the file measures.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from shotline.core.cleanup import together
from shotline.core.errors import RenderFailed
from shotline.core.model import ExportSettings
from shotline.core.ports import ProgressSink
from shotline.media.encode import FAST_START
from shotline.media.encoders import audio_args
from shotline.media.intake import FILE_ONLY, input_args, url
from shotline.media.loudness import LIMITER_MARGIN_DB, Filter, Loudness, chain_text, level_filters, meter
from shotline.media.process import ProcessRegistry, run_ffmpeg

log = logging.getLogger(__name__)

PROMISED_LU = 0.5
"""How close to the target the encoded sound's loudness is promised to be; further off, the creator is told."""
CLOSE_ENOUGH_LU = 0.2
"""Encoded loudness this close to the target is kept: well inside the promise, and each encode costs time."""
MOST_ENCODES = 4
CORRECTION_MARGIN_DB = 0.2
"""A limit lowered by the measured overshoot goes this much further, since the overshoot varies a little."""
FIT_CLOSE_LU = 0.1
MOST_FITS = 4
"""How many times, at most, a limited mix is metered to find the gain that makes up what the limiter took."""
_FLATTEST = 0.1
"""The least loudness one more dB of gain is taken to add, however hard the limiter works."""

_METER, _FIT, _ENCODE = 0.2, 0.3, 1.0
"""What each run costs, relative to encoding: metering is several times quicker, the 4× limiter a little slower."""
_SPARE = 0.3
"""Progress kept back for a pass that may still come, so the bar does not sit at the end while one runs."""
_UNMEASURED = "The loudness of the result could not be measured."
_FULL_SCALE_DB = 0.0


@dataclass(frozen=True, slots=True)
class Soundtrack:
    """An export's sound, encoded on its own, and what the EBU R128 meter measures on that encoded file."""

    path: Path
    loudness: Loudness | None
    """Measured on the encoded file (None when it could not be measured)."""
    notes: tuple[str, ...] = ()
    """What the creator should know, e.g. a loudness limit the sound still misses."""


def soundtrack_suffix(settings: ExportSettings) -> str:
    """The container an export's sound is encoded into on its own before the mux: .wav for PCM, .m4a for AAC."""
    return ".wav" if audio_args(settings)[1].startswith("pcm_") else ".m4a"


async def encode_soundtrack(
    mixed: Path,
    dest: Path,
    settings: ExportSettings,
    samples: int,
    *,
    ffmpeg: Path,
    registry: ProcessRegistry | None = None,
    progress: ProgressSink | None = None,
    metadata: Mapping[str, str] | None = None,
    measured: Loudness | None = None,
    alongside: Callable[[Path], Awaitable[None]] | None = None,
) -> Soundtrack:
    """Encode the mix `mixed` (a WAV of `samples` samples at `settings.sample_rate`) into `dest`, exactly `samples`
    long, at `settings`' loudness target and under its true-peak ceiling as metered on the encoded file.

    `measured` is the mix's loudness when the pass that made it metered it (`audio_graph.mix_argv(figures=…)`).
    `alongside(dest)` runs while each encoded sound is metered (the export joins it with the picture then, and again
    if the meter asks for another encode), so the last check costs no time of its own.
    `dest`'s suffix decides the container (see `soundtrack_suffix`); `metadata` becomes its tags. Raises RenderFailed
    when ffmpeg fails. A cancelled or failed encode leaves only `dest` (partly written) for the caller to remove.
    """
    # `is None`, not `or`: an empty registry is falsy, and it is the caller's that must list these processes
    registry = ProcessRegistry() if registry is None else registry
    encoding = _Encoding(mixed, dest, settings, samples, ffmpeg, registry, progress, metadata, alongside)
    target = settings.loudness_lufs
    if target is None:
        return await encoding.as_mixed()
    try:
        mix = measured or await encoding.meter(ahead=_ENCODE + _METER)
    except RenderFailed as failure:
        log.warning("could not meter the mix %s: %s", mixed, failure)
        return await encoding.as_mixed("The sound could not be measured, so it was not normalised.")
    if mix.silent:
        return await encoding.as_mixed()
    ceiling = settings.true_peak_db
    aim, limit_db, fitted = target, ceiling - LIMITER_MARGIN_DB, None
    attempt = 1
    while True:
        gain_db, fitted = await _fit(encoding, mix, aim, limit_db, fitted)
        encoded = await encoding.encode(level_filters(gain_db, limit_db if fitted else None, settings.sample_rate))
        log.info("sound pass %d: %.2f dB of gain, limited: %s; %s", attempt, gain_db, fitted is not None, encoded)
        if encoded is None:
            return encoding.done(None, (_UNMEASURED,))
        if not _misses(encoded, target, ceiling) or attempt == MOST_ENCODES:
            return encoding.done(encoded, _broken(encoded, target, ceiling))
        if abs(target - encoded.integrated_lufs) > CLOSE_ENOUGH_LU:
            aim += target - encoded.integrated_lufs  # what the encoder took (or added) is made up next time
        if encoded.true_peak_db > ceiling:
            # the encoder added to the peak that went in, and adds about as much under a lower limit
            peak_in = min(mix.true_peak_db + gain_db, limit_db)
            limit_db = peak_in - (encoded.true_peak_db - ceiling) - CORRECTION_MARGIN_DB
        attempt += 1


@dataclass(frozen=True, slots=True)
class _Limited:
    """A gain that took the mix to `loudness_lufs` with its peaks limited at `limit_db`, and `slope`: how many LU
    one more dB of gain added there (less than one, since the limiter takes some of it back)."""

    gain_db: float
    limit_db: float
    loudness_lufs: float
    slope: float

    def guess(self, aim: float, limit_db: float) -> float:
        """The gain that reaches `aim` with the peaks limited at `limit_db`, from this fit.

        A limiter scales: lowering the gain and the limit together lowers the loudness by as much. So the loudness
        over the limit depends only on the drive (gain − limit), and the drive is what this moves.
        """
        drive = self.gain_db - self.limit_db
        return limit_db + drive + ((aim - limit_db) - (self.loudness_lufs - self.limit_db)) / self.slope


async def _fit(
    encoding: _Encoding, mix: Loudness, aim: float, limit_db: float, last: _Limited | None
) -> tuple[float, _Limited | None]:
    """The gain that brings `mix` to `aim` LUFS and, when a limiter must hold its peaks under `limit_db`, how it
    fitted (None: no limiter is needed and the gain is exact).

    With the limiter, the limited sound is metered and the gain corrected by the loudness missed, scaled by how much
    the last correction moved it (a secant): a limiter working hard turns each dB of gain into less than a dB of
    loudness. The previous pass's fit (`last`) gives the first guess.
    """
    gain_db = aim - mix.integrated_lufs
    if mix.true_peak_db + gain_db <= limit_db:
        return gain_db, None
    slope = 1.0
    if last is not None:
        gain_db, slope = last.guess(aim, limit_db), last.slope
    metered: _Limited | None = None
    for _ in range(MOST_FITS):
        limited = await encoding.meter(level_filters(gain_db, limit_db, encoding.settings.sample_rate), ahead=_ENCODE)
        got = limited.integrated_lufs
        log.debug("%.2f dB of gain limited at %.2f dBFS: %.2f LUFS", gain_db, limit_db, got)
        if metered is not None and gain_db != metered.gain_db:
            slope = min(1.0, max(_FLATTEST, (got - metered.loudness_lufs) / (gain_db - metered.gain_db)))
        metered = _Limited(gain_db, limit_db, got, slope)
        if abs(aim - got) <= FIT_CLOSE_LU:
            break
        gain_db += (aim - got) / slope
    return gain_db, metered


def _misses(encoded: Loudness, target: float, ceiling: float) -> bool:
    """Whether the encoded sound is worth another pass: off the target by more than `CLOSE_ENOUGH_LU`, or over the
    ceiling."""
    return abs(encoded.integrated_lufs - target) > CLOSE_ENOUGH_LU or encoded.true_peak_db > ceiling


def _broken(encoded: Loudness, target: float, ceiling: float) -> tuple[str, ...]:
    """A note for each promise the encoded sound breaks: loudness off the target by more than `PROMISED_LU`, true
    peak over the ceiling (rounded up to the tenth of a dB shown, so an overshoot never reads as none)."""
    notes: list[str] = []
    off = encoded.integrated_lufs - target
    if abs(off) > PROMISED_LU:
        side = "over" if off > 0 else "under"
        notes.append(
            f"The loudness is {encoded.integrated_lufs:.1f} LUFS, {abs(off):.1f} LU {side} the {target:g} LUFS target."
        )
    if encoded.true_peak_db > ceiling:
        over = math.ceil((encoded.true_peak_db - ceiling) * 10) / 10
        notes.append(f"The true peak is {ceiling + over:.1f} dBTP, {over:.1f} dB over the {ceiling:g} dBTP ceiling.")
    return tuple(notes)


class _Encoding:
    """One soundtrack's ffmpeg runs (metering, encoding) and one progress fraction over however many there are.

    How many runs a sound needs is known only as they go, so each run fills its share of what is still to go: its
    cost against the cost expected after it (`ahead`) and a little kept back for a pass that may still come.
    """

    def __init__(
        self,
        mixed: Path,
        dest: Path,
        settings: ExportSettings,
        samples: int,
        ffmpeg: Path,
        registry: ProcessRegistry,
        progress: ProgressSink | None,
        metadata: Mapping[str, str] | None,
        alongside: Callable[[Path], Awaitable[None]] | None = None,
    ) -> None:
        self.mixed, self.dest, self.settings, self.samples = mixed, dest, settings, samples
        self._ffmpeg, self._registry, self._progress, self._metadata = ffmpeg, registry, progress, metadata
        self._alongside = alongside
        self._duration_us = round(samples * 1_000_000 / settings.sample_rate)
        self._done = 0.0

    async def meter(self, through: list[Filter] | None = None, *, ahead: float, path: Path | None = None) -> Loudness:
        """The mix's loudness (through `through`, when given), or the loudness of `path`."""
        cost = _FIT if through else _METER
        measured = await meter(
            path or self.mixed,
            self._ffmpeg,
            self._registry,
            through=through or (),
            duration_us=self._duration_us,
            progress=self._share(cost, ahead),
        )
        self._advance(cost, ahead)
        return measured

    async def encode(self, filters: list[Filter]) -> Loudness | None:
        """Encode the mix through `filters` into `dest`; what the encoded file measures (None if it could not be)."""
        argv = _encode_argv(self.mixed, self.dest, self.settings, self.samples, self._ffmpeg, filters, self._metadata)
        await run_ffmpeg(
            argv,
            duration_us=self._duration_us,
            progress=self._share(_ENCODE, _METER),
            registry=self._registry,
            writing=self.dest,
        )
        self._advance(_ENCODE, _METER)
        if self._alongside is None:
            return await self._metered()
        measured, _ = await together(self._metered(), self._alongside(self.dest))
        return measured

    async def _metered(self) -> Loudness | None:
        try:
            return await self.meter(ahead=0.0, path=self.dest)
        except RenderFailed as failure:
            log.warning("could not meter %s: %s", self.dest, failure)
            return None

    async def as_mixed(self, *notes: str) -> Soundtrack:
        """Encode the mix at its own level, and meter the result."""
        encoded = await self.encode([])
        if encoded is None:
            return self.done(None, (*notes, _UNMEASURED))
        if encoded.true_peak_db > _FULL_SCALE_DB:  # nothing is promised here, but a clipping file is worth a word
            notes = (
                *notes,
                f"The sound peaks at {encoded.true_peak_db:+.1f} dBTP, over full scale: players will clip it. "
                "Turn loudness normalisation on, or lower the gains.",
            )
        return self.done(encoded, notes)

    def done(self, encoded: Loudness | None, notes: tuple[str, ...]) -> Soundtrack:
        if self._progress is not None:
            self._progress(1.0)
        return Soundtrack(self.dest, encoded, notes)

    def _share(self, cost: float, ahead: float) -> ProgressSink | None:
        if self._progress is None:
            return None
        base, width, report = self._done, self._width(cost, ahead), self._progress
        return lambda fraction: report(base + width * fraction)

    def _advance(self, cost: float, ahead: float) -> None:
        self._done += self._width(cost, ahead)
        if self._progress is not None:
            self._progress(self._done)

    def _width(self, cost: float, ahead: float) -> float:
        return (1.0 - self._done) * cost / (cost + ahead + _SPARE)


def _encode_argv(
    mixed: Path,
    dest: Path,
    settings: ExportSettings,
    samples: int,
    ffmpeg_exe: Path,
    filters: list[Filter],
    metadata: Mapping[str, str] | None,
) -> list[str]:
    """Encode `mixed` through `filters` into `dest`, padded or cut to exactly `samples` (without the flags
    `run_ffmpeg` adds)."""
    exact: list[Filter] = [("apad", {"whole_len": str(samples)}), ("atrim", {"end_sample": str(samples)})]
    argv = [str(ffmpeg_exe), "-y", *input_args(FILE_ONLY), "-i", url(mixed), "-map", "0:a:0"]
    argv += ["-af", chain_text([*filters, *exact]), *audio_args(settings)]
    argv += ["-ar", str(settings.sample_rate), "-ac", str(settings.channels)]
    if dest.suffix.lower() in FAST_START:
        argv += ["-movflags", "+faststart"]
    for key, value in (metadata or {}).items():
        argv += ["-metadata", f"{key}={value}"]
    return [*argv, f"file:{dest}"]
