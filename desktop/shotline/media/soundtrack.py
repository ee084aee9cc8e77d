"""Encode an export's sound on its own, and check on the encoded file that it keeps the loudness promises.

The sound arrives as a `SoundSource`: the film's mix as ffmpeg makes it from the clips, so it is mixed, levelled and
encoded in one pass without a file between. With a loudness target, the gain comes from what is known of the mix
before anything is encoded: its loudness foretold from the clips' own measurements (`media.take_loudness`), or
else metered (`loudness.meter_sound`, the same EBU R128 meter whose figures the creator is shown). Where that gain
would push the true peak past the ceiling, an oversampled limiter holds the peaks; it takes a little loudness with
them, so the limited mix is metered and the gain raised to make up for it (`_fit`).

The encoded sound is metered as it is written: the encoder writes the file and, packet for packet, the same stream
into a pipe that a second ffmpeg meters, so the check ends when the encode does (its figures are the file's: the
same packets, decoded from the same first sample, `ENCODER_PRIMING`). An encoder changes both figures (AAC's
low-pass takes loudness away, most from noisy, bright sound, and its noise adds peaks), so while the encoded sound
misses the target by more than `PROMISED_LU` or its true peak is over the ceiling, the aim is moved by the loudness
missed and the limit lowered by the peak's overshoot, and the sound is encoded again, at most `MOST_ENCODES` times.
A promise still broken is told in a note.

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
from shotline.media import lifeline
from shotline.media.encoders import audio_args
from shotline.media.loudness import LIMITER_MARGIN_DB, Loudness, level_filters, meter, meter_sound
from shotline.media.process import ProcessRegistry, run_ffmpeg
from shotline.media.sound_source import Filter, SoundSource
from shotline.media.take_loudness import Foretold

log = logging.getLogger(__name__)

PROMISED_LU = 0.5
"""How close to the target the encoded sound's loudness is promised to be: closer is kept (each encode costs as
long as the sound takes to encode); further off, it is encoded again, and if still off, the creator is told."""
MOST_ENCODES = 4
TRUE_PEAK_ALLOWANCE_DB = 3.0
"""How far over its loudest sample a foretold mix's true peak is taken to reach when choosing whether to limit it:
more than music that was never clipped goes (a limiter that does not reach the peaks changes nothing). A mix that
goes further is caught by the meter of the encoded sound and limited on the next encode."""
ENCODER_PRIMING = {"aac": 1024}
"""Samples an encoder puts before the sound (FFmpeg's AAC encoder's `initial_padding`): the file's edit list skips
them, the bare stream the meter reads does not say so, so the meter skips them itself."""
_STREAMED = {"aac": ("adts", "aac")}
"""How the encoded sound goes down the pipe to its meter (the muxer, and the demuxer that reads it): AAC as ADTS,
anything else (PCM) in NUT."""
_NUT = ("nut", "nut")
_MUXERS = {".m4a": "ipod", ".wav": "wav"}
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
    source: SoundSource,
    dest: Path,
    settings: ExportSettings,
    samples: int,
    *,
    ffmpeg: Path,
    registry: ProcessRegistry | None = None,
    progress: ProgressSink | None = None,
    metadata: Mapping[str, str] | None = None,
    expected: Loudness | Foretold | None = None,
    alongside: Callable[[Path], Awaitable[None]] | None = None,
) -> Soundtrack:
    """Encode the sound of `source` (`samples` samples at `settings.sample_rate`) into `dest`, exactly `samples`
    long, at `settings`' loudness target and under its true-peak ceiling as metered on the encoded file.

    `expected` is what is known of the sound's loudness before it is encoded (metered, or foretold from its clips);
    without it the sound is metered first. `alongside(dest)` runs once each encoded sound is metered (the export
    joins it with the picture then, and again if the meter asks for another encode).
    `dest`'s suffix decides the container (see `soundtrack_suffix`); `metadata` becomes its tags. Raises RenderFailed
    when ffmpeg fails. A cancelled or failed encode leaves only `dest` (partly written) for the caller to remove.
    """
    # `is None`, not `or`: an empty registry is falsy, and it is the caller's that must list these processes
    registry = ProcessRegistry() if registry is None else registry
    encoding = _Encoding(source, dest, settings, samples, ffmpeg, registry, progress, metadata, alongside)
    target = settings.loudness_lufs
    if target is None:
        return await encoding.as_mixed()
    try:
        mix = _as_metered(expected) if expected is not None else await encoding.meter(ahead=_ENCODE + _METER)
    except RenderFailed as failure:
        log.warning("could not meter the sound for %s: %s", dest.name, failure)
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
        if abs(target - encoded.integrated_lufs) > PROMISED_LU:
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


def _as_metered(expected: Loudness | Foretold) -> Loudness:
    """What is known of a sound before it is encoded, as figures to set its level by: a foretold peak is a sample
    peak, so the true peak is allowed `TRUE_PEAK_ALLOWANCE_DB` over it."""
    if isinstance(expected, Loudness):
        return expected
    integrated = expected.integrated_lufs
    return Loudness(integrated, expected.peak_db + TRUE_PEAK_ALLOWANCE_DB, 0.0, integrated - 10.0)


def _misses(encoded: Loudness, target: float, ceiling: float) -> bool:
    """Whether the encoded sound breaks a promise, so is encoded again: off the target by more than `PROMISED_LU`,
    or over the ceiling."""
    return abs(encoded.integrated_lufs - target) > PROMISED_LU or encoded.true_peak_db > ceiling


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
        notes.append(f"The sound peaks at {ceiling + over:.1f} dB, {over:.1f} dB over the {ceiling:g} dB ceiling.")
    return tuple(notes)


class _Encoding:
    """One soundtrack's ffmpeg runs (metering, encoding) and one progress fraction over however many there are.

    How many runs a sound needs is known only as they go, so each run fills its share of what is still to go: its
    cost against the cost expected after it (`ahead`) and a little kept back for a pass that may still come.
    """

    def __init__(
        self,
        source: SoundSource,
        dest: Path,
        settings: ExportSettings,
        samples: int,
        ffmpeg: Path,
        registry: ProcessRegistry,
        progress: ProgressSink | None,
        metadata: Mapping[str, str] | None,
        alongside: Callable[[Path], Awaitable[None]] | None = None,
    ) -> None:
        self.source, self.dest, self.settings, self.samples = source, dest, settings, samples
        self._ffmpeg, self._registry, self._progress, self._metadata = ffmpeg, registry, progress, metadata
        self._alongside = alongside
        self._duration_us = round(samples * 1_000_000 / settings.sample_rate)
        self._done = 0.0

    async def meter(self, through: list[Filter] | None = None, *, ahead: float) -> Loudness:
        """The sound's loudness (through `through`, when given)."""
        cost = _FIT if through else _METER
        measured = await meter_sound(
            self.source,
            self.dest.name,
            self._ffmpeg,
            self._registry,
            through=through or (),
            duration_us=self._duration_us,
            progress=self._share(cost, ahead),
        )
        self._advance(cost, ahead)
        return measured

    async def encode(self, filters: list[Filter]) -> Loudness | None:
        """Encode the sound through `filters` into `dest`, metering the encoded stream as it is written; what the
        encoded sound measures (None if it could not be measured)."""
        codec = audio_args(self.settings)[1]
        feed = lifeline.feed()
        encoded = SoundSource(
            ("-protocol_whitelist", "pipe", "-f", _STREAMED.get(codec, _NUT)[1], "-i", feed.url), "", "0:a:0"
        )
        priming = ENCODER_PRIMING.get(codec, 0)
        skipped: list[Filter] = [("atrim", {"start_sample": str(priming), "end_sample": str(priming + self.samples)})]
        argv = self._argv(filters, codec)
        try:
            _, streamed = await together(
                run_ffmpeg(argv, registry=self._registry, writing=self.dest, feeding=feed),
                self._metered(encoded, skipped, feed),
            )
        finally:
            feed.close()
        self._advance(_ENCODE + _METER, 0.0)
        measured: Loudness | None
        if isinstance(streamed, RenderFailed):  # the stream's meter failed: the file is there to meter instead
            log.warning("could not meter the sound of %s as it was encoded: %s", self.dest.name, streamed)
            measured = await self._metered_file()
        else:
            measured = streamed
        if self._alongside is not None:
            await self._alongside(self.dest)
        return measured

    def _argv(self, filters: list[Filter], codec: str) -> list[str]:
        """Encode the sound through `filters`, padded or cut to exactly its samples, into `dest` and, the same packets,
        into the pipe its meter reads (`pipe:1`) (without the flags `run_ffmpeg` adds)."""
        samples, settings, dest = self.samples, self.settings, self.dest
        exact: list[Filter] = [("apad", {"whole_len": str(samples)}), ("atrim", {"end_sample": str(samples)})]
        argv = self.source.argv(self._ffmpeg, [*filters, *exact])
        argv += [*audio_args(settings), "-ar", str(settings.sample_rate), "-ac", str(settings.channels)]
        for key, value in (self._metadata or {}).items():
            argv += ["-metadata", f"{key}={value}"]
        muxer = _MUXERS[dest.suffix.lower()]
        options = ":movflags=+faststart" if muxer == "ipod" else ""
        file = _tee_escaped(f"file:{dest}")
        stream = _STREAMED.get(codec, _NUT)[0]
        # onfail=ignore: a meter that stops reading costs the measurement (the file is metered instead), not the sound
        return [*argv, "-f", "tee", f"[f={muxer}{options}]{file}|[f={stream}:onfail=ignore]pipe:1"]

    async def _metered(
        self, encoded: SoundSource, skipped: list[Filter], feed: lifeline.Feed
    ) -> Loudness | RenderFailed:
        """The encoded stream's figures, or why its meter failed: said only once the encode itself has worked, since
        an encode that fails (a full disk) ends the meter's stream early, and its own error is the one to tell."""
        try:
            return await meter_sound(
                encoded,
                self.dest.name,
                self._ffmpeg,
                self._registry,
                through=skipped,
                duration_us=self._duration_us,
                progress=self._share(_ENCODE + _METER, 0.0),
                fed=feed,
            )
        except RenderFailed as failure:
            return failure

    async def _metered_file(self) -> Loudness | None:
        try:
            return await meter(self.dest, self._ffmpeg, self._registry, duration_us=self._duration_us)
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
                f"The sound peaks at {encoded.true_peak_db:+.1f} dB, over full scale: players will clip it. "
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


def _tee_escaped(name: str) -> str:
    for char in "\\|[]":
        name = name.replace(char, "\\" + char)
    return name
