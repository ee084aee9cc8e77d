"""Render an export plan to a file, in passes, and report what ran.

Pass 1 mixes the sound to a temporary WAV beside the target; when a loudness target is set, that WAV is measured;
pass 2 encodes the picture and the WAV (through the loudness filter) into a hidden temporary file beside the
target, which replaces the target only once ffmpeg succeeded and the result probes as playable. Finally the
result's loudness is measured for the report. A failed or cancelled render leaves the target as it was and no
temporary file behind. Progress is one fraction over all passes, each weighted by its expected cost.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from shotline.core.errors import MediaError, RenderFailed
from shotline.core.model import Project
from shotline.core.ports import ProgressSink
from shotline.media.encoders import Encoder, check_extension, pick_encoder, software
from shotline.media.plan import RenderPlan
from shotline.media.probe import probe
from shotline.media.process import ProcessRegistry, run_ffmpeg
from shotline.media.video_graph import encode_argv, shot_sound_argv

log = logging.getLogger(__name__)

Route = Literal["lossless", "re-encode"]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export did: where it wrote, which path ran and why, which encoder, and the result's loudness."""

    output: Path
    route: Route
    reasons: tuple[str, ...]
    encoder: str
    loudness: object | None
    seconds: float
    notes: tuple[str, ...] = ()
    """Things the creator should know, e.g. that the hardware encoder failed and software took over."""


def partial_path(output: Path) -> Path:
    """A hidden name in the same folder (so the final rename is atomic) that keeps the container extension."""
    return output.with_name(f".{output.name}.partial-{uuid.uuid4().hex[:8]}{output.suffix}")


def mix_path(output: Path) -> Path:
    """The hidden WAV the sound is mixed into, beside the target (same disk, removed after the export)."""
    return output.with_name(f".{output.name}.partial-{uuid.uuid4().hex[:8]}.mix.wav")


class _Passes:
    """One progress fraction over several passes: each pass reports 0..1 and fills its share of the whole."""

    def __init__(self, progress: ProgressSink | None, weights: dict[str, float]) -> None:
        self._progress = progress
        total = sum(weights.values())
        self._share = {name: weight / total for name, weight in weights.items()}
        self._done = 0.0

    def sink(self, name: str) -> ProgressSink | None:
        if self._progress is None:
            return None
        base, share, report = self._done, self._share[name], self._progress
        return lambda fraction: report(min(1.0, base + share * fraction))

    def finish(self, name: str) -> None:
        self._done += self._share[name]
        if self._progress is not None:
            self._progress(min(1.0, self._done))


def _weights(plan: RenderPlan) -> dict[str, float]:
    # an audio-only pass costs a small fraction of an encode with picture; measuring is cheaper still
    picture = 0.0 if plan.settings.codec.audio_only else 1.0
    weights = {"mix": 0.08, "encode": 0.08 + picture}
    if plan.settings.loudness_lufs is not None:
        weights["measure"] = 0.03
    return weights


async def render(
    project: Project,
    plan: RenderPlan,
    output: Path,
    *,
    ffmpeg: Path,
    resolve: Callable[[str], Path] | None = None,
    progress: ProgressSink | None = None,
    registry: ProcessRegistry | None = None,
) -> ExportReport:
    """Render `plan` (of `project`) to `output`. Raises RenderFailed (target untouched); cancelling removes every
    trace. `resolve` maps the project's media paths (music, voice-over) to files."""
    started = time.monotonic()
    output, partial = _prepare(plan, output)
    registry = ProcessRegistry() if registry is None else registry
    passes = _Passes(progress, _weights(plan))
    mixed = mix_path(output)
    try:
        await run_ffmpeg(
            shot_sound_argv(plan, mixed, ffmpeg),
            duration_us=plan.duration_us,
            progress=passes.sink("mix"),
            registry=registry,
        )
        passes.finish("mix")
        encoder = await asyncio.to_thread(pick_encoder, plan.settings, ffmpeg)
        encoder, notes = await _encode(plan, partial, output, ffmpeg, encoder, mixed, passes, registry)
        await _check_playable(partial, output, plan)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
        mixed.unlink(missing_ok=True)
    log.info("exported %s (%d frames)", output, plan.frames)
    return ExportReport(
        output,
        "re-encode",
        (),
        encoder.name if encoder else _audio_encoder(plan),
        None,
        time.monotonic() - started,
        notes,
    )


async def _encode(
    plan: RenderPlan,
    partial: Path,
    output: Path,
    ffmpeg: Path,
    encoder: Encoder | None,
    sound: Path,
    passes: _Passes,
    registry: ProcessRegistry,
) -> tuple[Encoder | None, tuple[str, ...]]:
    """Pass 2: picture and sound into `partial`. A hardware encoder that fails is retried once with software."""

    async def run(chosen: Encoder | None) -> None:
        argv = encode_argv(plan, partial, ffmpeg, encoder=chosen, sound=sound)
        await run_ffmpeg(argv, duration_us=plan.duration_us, progress=passes.sink("encode"), registry=registry)

    try:
        await run(encoder)
    except RenderFailed as failure:
        if encoder is None or not encoder.hardware:
            raise
        fallback = software(encoder.codec)
        note = (
            f"The hardware encoder {encoder.name} failed, so {output.name} was encoded with {fallback.name} "
            "(software) instead."
        )
        log.warning("%s ffmpeg said: %s", note, failure)
        await asyncio.to_thread(partial.unlink, missing_ok=True)
        await run(fallback)
        passes.finish("encode")
        return fallback, (note,)
    passes.finish("encode")
    return encoder, ()


def _audio_encoder(plan: RenderPlan) -> str:
    from shotline.media.encoders import audio_args

    return audio_args(plan.settings)[1]


def _prepare(plan: RenderPlan, output: Path) -> tuple[Path, Path]:
    """Check the target and choose the temporary name (sync: these are quick local file checks)."""
    output = output.absolute()
    check_extension(plan.settings.codec, output)
    _refuse_overwriting_a_source(plan, output)
    if not output.parent.is_dir():
        raise RenderFailed(f"The folder {output.parent} does not exist; choose another place to export to.")
    return output, partial_path(output)


def _refuse_overwriting_a_source(plan: RenderPlan, output: Path) -> None:
    for source in plan.sources():
        if _same_file(source, output):
            raise RenderFailed(
                f"{output.name} is one of the clips being exported; choose a different name for the export."
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


async def _check_playable(partial: Path, output: Path, plan: RenderPlan | None = None) -> None:
    try:
        info = await asyncio.to_thread(probe, partial)
    except MediaError as exc:
        raise RenderFailed(
            f"ffmpeg finished but {output.name} does not play back ({exc}); nothing was replaced."
        ) from None
    sound_only = plan is not None and plan.settings.codec.audio_only
    if sound_only and not info.has_audio:
        raise RenderFailed(f"ffmpeg finished but {output.name} has no sound; nothing was replaced.")
    if not sound_only and not info.has_video:
        raise RenderFailed(f"ffmpeg finished but {output.name} has no picture; nothing was replaced.")
