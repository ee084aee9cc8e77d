"""Render an export plan to a file and report what ran.

`media.export_routes` writes the film (copying what it can, mixing and encoding the rest) through hidden files
beside the target, which is replaced only once the result probes as playable; a failed or cancelled render leaves
the target as it was and no temporary file behind. The sound's loudness is measured on the encoded sound; a lossless
copy's is measured afterwards (`with_loudness`), so the file is there as soon as it is written. Every export
carries its provenance (each shot's prompt, backend and model) in its container tags and, once it has replaced the
target, in a sidecar `<export>.provenance.json` (see `media.provenance`). Given a signing identity, the export is
written into a hidden folder beside the target, signed with a C2PA manifest (`media.content_credentials`) into a
hidden file, and only that signed file replaces the target. A failure names the film and its clips as the creator
knows them, never the hidden files it is written through or the ids the project stores its media under.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from shotline.core.errors import ProjectCorrupt, RenderFailed, plain_reason
from shotline.core.model import Project
from shotline.core.partial import partial_path
from shotline.core.ports import ProgressSink
from shotline.media import leftovers
from shotline.media.content_credentials import SigningIdentity, mime_type, sign_copy
from shotline.media.encoders import check_extension
from shotline.media.export_routes import LevelsOf, check_playable, write_film
from shotline.media.lossless import Route
from shotline.media.loudness import Loudness, meter
from shotline.media.plan import RenderPlan
from shotline.media.process import ProcessRegistry
from shotline.media.provenance import metadata_tags, provenance, write_sidecar
from shotline.media.subtitles import write_sidecars

log = logging.getLogger(__name__)

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
    levels: LevelsOf | None = None,
) -> ExportReport:
    """Render `plan` (of `project`) to `output`, signed by `identity` when given. Raises RenderFailed (target
    untouched); cancelling removes every trace. `resolve` maps the project's media paths (music, voice-over) to
    files; `levels` gives their measured loudness cells (see `export_routes.write_film`)."""
    started = time.monotonic()
    output = _prepare(plan, output)
    await asyncio.to_thread(_sweep_leftovers, output)
    if identity is not None:
        mime_type(output)  # a container c2pa cannot sign is refused before any work
    registry = ProcessRegistry() if registry is None else registry
    record = provenance(project, plan)
    try:
        with _staged(output, signing=identity is not None) as work:
            route_progress = _scaled(progress, 1 - SIGNING_SHARE) if identity else progress
            written = await write_film(
                project,
                plan,
                work,
                ffmpeg=ffmpeg,
                resolve=resolve,
                progress=route_progress,
                registry=registry,
                tags=metadata_tags(record),
                levels=levels,
            )
            if identity is not None:
                await _sign_into_place(work, output, record, plan, identity)
                if progress is not None:
                    progress(1.0)
    except RenderFailed as failure:
        failure.args = (_in_clip_names(str(failure), project, resolve),)  # the same error (CannotSign stays one)
        raise
    notes = written.notes + _sidecar(record, output) + _caption_files(project, plan, output)
    log.info("exported %s (%d frames, %s)", output, plan.frames, written.route)
    return ExportReport(
        output,
        written.route,
        written.reasons,
        written.encoder,
        written.loudness,
        time.monotonic() - started,
        notes,
        signed_by=identity.signer if identity else None,
    )


@contextlib.contextmanager
def _staged(output: Path, *, signing: bool) -> Iterator[Path]:
    """Where the film is written before it replaces `output`: `output` itself, or, when it is to be signed, the same
    name in a hidden folder beside it (so messages name the file the creator chose), removed afterwards."""
    if not signing:
        yield output
        return
    folder = partial_path(output, "signing", "")
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
        await check_playable(signed, output, plan)
        signed.replace(output)  # one rename in the same folder: atomic and instant
    finally:
        signed.unlink(missing_ok=True)  # synchronous on purpose: it must run even while being cancelled


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


def _caption_files(project: Project, plan: RenderPlan, output: Path) -> tuple[str, ...]:
    """Write the captions as SRT and WebVTT beside the finished export when asked; a failure is a note."""
    if not plan.settings.captions.sidecars or not project.captions:
        return ()
    try:
        write_sidecars(project.captions, plan.window, output)
    except OSError as exc:
        log.warning("could not write the captions beside %s: %s", output, exc)
        return (f"The captions could not be written beside {output.name} ({plain_reason(exc)}).",)
    return ()


async def with_loudness(report: ExportReport, *, ffmpeg: Path, registry: ProcessRegistry | None = None) -> ExportReport:
    """The report with the finished file's measured loudness: as the export measured its encoded sound, else (a
    lossless copy) measured now; unchanged if it could not be measured (the export still stands, and the creator is
    told it was not measured)."""
    if report.loudness is not None:
        return report
    try:
        return replace(report, loudness=await meter(report.output, ffmpeg, registry))
    except RenderFailed as exc:
        log.warning("could not measure the loudness of %s: %s", report.output, exc)
        return replace(report, notes=(*report.notes, "The loudness of the result could not be measured."))


def _in_clip_names(text: str, project: Project, resolve: Callable[[str], Path]) -> str:
    """`text` (ffmpeg's words, say) with each of the project's media files, stored under an id, named as the
    creator knows it."""
    for rel, name in project.media_names().items():
        with contextlib.suppress(ProjectCorrupt):  # a path that leaves the project folder was never read
            path = str(resolve(rel))
            text = text.replace(f"file:{path}", name).replace(path, name)
    return text


def _sweep_leftovers(output: Path) -> None:
    """Remove what Shotlines killed during earlier exports left: hidden files beside this target, temporary folders
    (never another running Shotline's)."""
    leftovers.sweep_beside(output)
    leftovers.sweep_temp()


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
