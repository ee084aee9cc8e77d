"""Render an export plan to a file, in passes, and report what ran.

Pass 1 mixes the sound to a temporary WAV beside the target; when a loudness target is set, that WAV is measured;
pass 2 encodes the picture and the WAV (through the loudness filter) into a hidden temporary file beside the
target, which replaces the target only once ffmpeg succeeded and the result probes as playable. A failed or
cancelled render leaves the target as it was and no temporary file behind. Progress is one fraction over all
passes, each weighted by its expected cost. Measuring the finished file's loudness (`with_loudness`) is a separate
step after the export, so the file is there as soon as it is written. Every export carries its provenance (each
shot's prompt, backend and model) in its container tags and, once it has replaced the target, in a sidecar
`<export>.provenance.json` (see `media.provenance`). Given a signing identity, the export is written into a hidden
folder beside the target, signed with a C2PA manifest (`media.content_credentials`) into a hidden file, and only
that signed file replaces the target. A failure names the film and its clips as the creator knows them, never the
hidden files it is written through or the ids the project stores its media under.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from shotline.core.errors import MediaError, ProjectCorrupt, RenderFailed, in_creator_words, plain_reason
from shotline.core.model import Project
from shotline.core.ports import ProgressSink
from shotline.media.audio_graph import mix_argv
from shotline.media.content_credentials import SigningIdentity, mime_type, sign_copy
from shotline.media.encode import encode_argv
from shotline.media.encoders import Encoder, audio_args, check_extension, pick_encoder, software
from shotline.media.lossless import decide
from shotline.media.loudness import Loudness, fit_loudness, meter
from shotline.media.mix import build_mix
from shotline.media.plan import RenderPlan
from shotline.media.probe import probe
from shotline.media.process import ProcessRegistry, run_ffmpeg
from shotline.media.provenance import metadata_tags, provenance, write_sidecar
from shotline.media.stream_copy import render_copy

log = logging.getLogger(__name__)

Route = Literal["lossless", "re-encode"]

SIGNING_SHARE = 0.15
"""The part of the progress bar signing takes: c2pa reads the export and every take once more."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export did: where it wrote, which path ran and why, which encoder, and the result's loudness."""

    output: Path
    route: Route
    reasons: tuple[str, ...]
    encoder: str
    """The video encoder that ran (e.g. libx264, h264_nvenc), the sound encoder for sound only, or "stream copy"."""
    loudness: Loudness | None
    """The finished file's measured loudness (None until `with_loudness`, or if it could not be measured)."""
    seconds: float
    notes: tuple[str, ...] = ()
    """Things the creator should know, e.g. that the hardware encoder failed and software took over."""
    signed_by: str | None = None
    """Who signed the export's C2PA manifest (Content Credentials); None when it was not signed."""


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
        self._left = set(weights)
        self._done = 0.0

    def sink(self, name: str) -> ProgressSink | None:
        if self._progress is None:
            return None
        base, share, report = self._done, self._share[name], self._progress
        return lambda fraction: report(min(1.0, base + share * fraction))

    def finish(self, name: str) -> None:
        self._left.discard(name)
        # the last pass ends exactly on 1.0, whatever the floating-point sum of the shares says
        self._done = self._done + self._share[name] if self._left else 1.0
        if self._progress is not None:
            self._progress(min(1.0, self._done))


def _weights(plan: RenderPlan) -> dict[str, float]:
    # rough costs relative to encoding the picture: mixing and measuring sound are a small fraction of it
    picture = 0.0 if plan.settings.codec.audio_only else 1.0
    measure = 0.04 if plan.settings.loudness_lufs is not None else 0.0
    return {"mix": 0.08, "measure": measure, "encode": 0.06 + picture}


async def render(
    project: Project,
    plan: RenderPlan,
    output: Path,
    *,
    ffmpeg: Path,
    resolve: Callable[[str], Path],
    progress: ProgressSink | None = None,
    registry: ProcessRegistry | None = None,
    identity: SigningIdentity | None = None,
) -> ExportReport:
    """Render `plan` (of `project`) to `output`, signed by `identity` when given. Raises RenderFailed (target
    untouched); cancelling removes every trace. `resolve` maps the project's media paths (music, voice-over) to
    files."""
    started = time.monotonic()
    output = _prepare(plan, output)
    if identity is not None:
        mime_type(output)  # a container c2pa cannot sign is refused before any work
    registry = ProcessRegistry() if registry is None else registry
    record = provenance(project, plan)
    try:
        with _staged(output, signing=identity is not None) as work:
            route_progress = _scaled(progress, 1 - SIGNING_SHARE) if identity else progress
            lossless, reasons, encoder_name, notes = await _write(
                project, plan, work, ffmpeg, resolve, route_progress, registry, metadata_tags(record)
            )
            if identity is not None:
                await _sign_into_place(work, output, record, plan, identity)
                if progress is not None:
                    progress(1.0)
    except RenderFailed as failure:
        failure.args = (_in_clip_names(str(failure), project, resolve),)  # the same error (CannotSign stays one)
        raise
    notes += _sidecar(record, output)
    log.info("exported %s (%d frames, %s)", output, plan.frames, "lossless" if lossless else "re-encoded")
    return ExportReport(
        output,
        "lossless" if lossless else "re-encode",
        reasons,
        encoder_name,
        None,
        time.monotonic() - started,
        notes,
        signed_by=identity.signer if identity else None,
    )


async def _write(
    project: Project,
    plan: RenderPlan,
    output: Path,
    ffmpeg: Path,
    resolve: Callable[[str], Path],
    progress: ProgressSink | None,
    registry: ProcessRegistry,
    tags: dict[str, str],
) -> tuple[bool, tuple[str, ...], str, tuple[str, ...]]:
    """Write the film to `output` by the lossless copy when allowed, else by re-encoding: (lossless, reasons,
    encoder name, notes)."""
    route = await asyncio.to_thread(decide, project, plan)
    lossless, reasons = route.lossless, route.reasons
    if lossless:
        passes = _Passes(progress, {"copy": 1.0})
        try:
            await render_copy(plan, output, progress=passes.sink("copy"), metadata=tags)
            passes.finish("copy")
            return True, reasons, "stream copy", ()
        except RenderFailed as failure:
            # the copy is an optimisation: if it cannot be done after all, the film is still exported
            log.warning("lossless copy failed, re-encoding: %s", failure)
            reasons = (f"The lossless copy failed ({failure}), so the film was re-encoded",)
    passes = _Passes(progress, _weights(plan))
    partial = partial_path(output)
    encoder, notes = await _re_encode(project, plan, output, partial, ffmpeg, resolve, passes, registry, tags)
    return False, reasons, encoder.name if encoder else audio_args(plan.settings)[1], notes


@contextlib.contextmanager
def _staged(output: Path, *, signing: bool) -> Iterator[Path]:
    """Where the film is written before it replaces `output`: `output` itself, or, when it is to be signed, the same
    name in a hidden folder beside it (so messages name the file the creator chose), removed afterwards."""
    if not signing:
        yield output
        return
    folder = output.with_name(f".{output.name}.partial-{uuid.uuid4().hex[:8]}.signing")
    folder.mkdir()
    try:
        yield folder / output.name
    finally:
        # synchronous on purpose: the clean-up must finish even while the task is being cancelled
        shutil.rmtree(folder, ignore_errors=True)


def _scaled(progress: ProgressSink | None, share: float) -> ProgressSink | None:
    if progress is None:
        return None
    return lambda fraction: progress(fraction * share)


async def _sign_into_place(
    work: Path, output: Path, record: dict[str, object], plan: RenderPlan, identity: SigningIdentity
) -> None:
    """Sign `work` into a hidden file beside `output`, check that it still plays, then let it replace `output`."""
    signed = partial_path(output)
    try:
        await sign_copy(work, signed, title=output.name, record=record, plan=plan, identity=identity)
        await _check_playable(signed, output, plan)
        signed.replace(output)  # one rename in the same folder: atomic and instant
    finally:
        signed.unlink(missing_ok=True)  # synchronous on purpose: it must run even while being cancelled


async def _re_encode(
    project: Project,
    plan: RenderPlan,
    output: Path,
    partial: Path,
    ffmpeg: Path,
    resolve: Callable[[str], Path],
    passes: _Passes,
    registry: ProcessRegistry,
    tags: dict[str, str],
) -> tuple[Encoder | None, tuple[str, ...]]:
    """Mix the sound (pass 1), fit its loudness, encode picture and sound (pass 2), then replace the target."""
    mixed = mix_path(output)
    try:
        mix = build_mix(project, plan, resolve)
        await run_ffmpeg(
            mix_argv(mix, mixed, ffmpeg),
            duration_us=plan.duration_us,
            progress=passes.sink("mix"),
            registry=registry,
            writing=output,
        )
        passes.finish("mix")
        sound_filter = await _loudness_filter(plan, mixed, ffmpeg, registry)
        passes.finish("measure")
        encoder = await asyncio.to_thread(pick_encoder, plan.settings, ffmpeg)
        encoder, notes = await _encode(
            plan, partial, output, ffmpeg, encoder, (mixed, sound_filter), passes, registry, tags
        )
        await _check_playable(partial, output, plan)
        partial.replace(output)  # noqa: ASYNC240 - one rename in the same folder: atomic and instant
    finally:
        # synchronous on purpose: the clean-up must finish even while the task is being cancelled
        partial.unlink(missing_ok=True)  # noqa: ASYNC240
        mixed.unlink(missing_ok=True)
    return encoder, notes


def _sidecar(record: dict[str, object], output: Path) -> tuple[str, ...]:
    """Write the provenance sidecar beside the finished export; a failure is a note, the export still stands."""
    try:
        write_sidecar(record, output)
    except OSError as exc:
        log.warning("could not write the provenance of %s: %s", output, exc)
        return (
            f"The provenance file beside {output.name} could not be written ({plain_reason(exc)}); the film itself "
            "still names its shots' backends and models in its metadata.",
        )
    return ()


async def _loudness_filter(plan: RenderPlan, mixed: Path, ffmpeg: Path, registry: ProcessRegistry) -> str | None:
    """The second-pass filter that brings the mix to the loudness target; None when normalisation is off."""
    settings = plan.settings
    if settings.loudness_lufs is None:
        return None
    return await fit_loudness(
        mixed,
        settings.loudness_lufs,
        settings.true_peak_db,
        ffmpeg,
        sample_rate=settings.sample_rate,
        registry=registry,
    )


async def with_loudness(report: ExportReport, *, ffmpeg: Path, registry: ProcessRegistry | None = None) -> ExportReport:
    """The report with the finished file's measured loudness; unchanged if it could not be measured (the export
    still stands, and the creator is told it was not measured)."""
    try:
        return replace(report, loudness=await meter(report.output, ffmpeg, registry))
    except RenderFailed as exc:
        log.warning("could not measure the loudness of %s: %s", report.output, exc)
        return replace(report, notes=(*report.notes, "The loudness of the result could not be measured."))


async def _encode(
    plan: RenderPlan,
    partial: Path,
    output: Path,
    ffmpeg: Path,
    encoder: Encoder | None,
    sound: tuple[Path, str | None],
    passes: _Passes,
    registry: ProcessRegistry,
    tags: dict[str, str],
) -> tuple[Encoder | None, tuple[str, ...]]:
    """Pass 2: picture and sound into `partial`. A hardware encoder that fails is retried once with software."""

    async def run(chosen: Encoder | None) -> None:
        argv = encode_argv(plan, partial, ffmpeg, encoder=chosen, sound=sound[0], sound_filter=sound[1], metadata=tags)
        await run_ffmpeg(
            argv, duration_us=plan.duration_us, progress=passes.sink("encode"), registry=registry, writing=output
        )

    try:
        await run(encoder)
    except RenderFailed as failure:
        if encoder is None or not encoder.hardware:
            raise
        fallback = software(encoder.codec)
        note = (
            f"The hardware encoder {encoder.name} did not work on this computer, so the film was encoded with "
            f"{fallback.name} (software) instead."
        )
        log.warning("%s ffmpeg said: %s", note, failure)
        await asyncio.to_thread(partial.unlink, missing_ok=True)
        await run(fallback)
        passes.finish("encode")
        return fallback, (note,)
    passes.finish("encode")
    return encoder, ()


def _in_clip_names(text: str, project: Project, resolve: Callable[[str], Path]) -> str:
    """`text` (ffmpeg's words, say) with each of the project's media files, stored under an id, named as the
    creator knows it."""
    for rel, name in project.media_names().items():
        with contextlib.suppress(ProjectCorrupt):  # a path that leaves the project folder was never read
            path = str(resolve(rel))
            text = text.replace(f"file:{path}", name).replace(path, name)
    return text


def _prepare(plan: RenderPlan, output: Path) -> Path:
    """Check the target (sync: these are quick local file checks)."""
    output = output.absolute()
    check_extension(plan.settings.codec, output)
    _refuse_overwriting_a_source(plan, output)
    if not output.parent.is_dir():
        raise RenderFailed(f"The folder {output.parent} does not exist; choose another place to export to.")
    return output


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
        reason = in_creator_words(str(exc))  # it names the hidden partial file, which becomes `output`
        raise RenderFailed(
            f"ffmpeg finished but {output.name} does not play back ({reason}); nothing was replaced."
        ) from None
    sound_only = plan is not None and plan.settings.codec.audio_only
    if sound_only and not info.has_audio:
        raise RenderFailed(f"ffmpeg finished but {output.name} has no sound; nothing was replaced.")
    if not sound_only and not info.has_video:
        raise RenderFailed(f"ffmpeg finished but {output.name} has no picture; nothing was replaced.")
