"""Render an export plan: ffmpeg writes a hidden temporary file beside the target, which replaces the target only
once ffmpeg succeeded and the result probes as playable. A failed or cancelled render leaves the target as it was.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from shotline.core.errors import MediaError, RenderFailed
from shotline.core.ports import ProgressSink
from shotline.media.plan import RenderPlan, ffmpeg_argv
from shotline.media.probe import probe
from shotline.media.process import ProcessRegistry, run_ffmpeg

log = logging.getLogger(__name__)


def partial_path(output: Path) -> Path:
    """A hidden name in the same folder (so the final rename is atomic) that keeps the container extension."""
    return output.with_name(f".{output.name}.partial-{uuid.uuid4().hex[:8]}{output.suffix}")


async def render(
    plan: RenderPlan,
    output: Path,
    *,
    ffmpeg: Path,
    progress: ProgressSink | None = None,
    registry: ProcessRegistry | None = None,
) -> None:
    """Render `plan` to `output`. Raises RenderFailed (target untouched); cancelling removes every trace."""
    output, partial = _prepare(plan, output)
    try:
        await run_ffmpeg(
            ffmpeg_argv(plan, partial, ffmpeg), duration_us=plan.duration_us, progress=progress, registry=registry
        )
        await _check_playable(partial, output)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    log.info("exported %s (%d frames)", output, plan.frames)


def _prepare(plan: RenderPlan, output: Path) -> tuple[Path, Path]:
    """Check the target and choose the temporary name (sync: these are quick local file checks)."""
    output = output.absolute()
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


async def _check_playable(partial: Path, output: Path) -> None:
    try:
        info = await asyncio.to_thread(probe, partial)
    except MediaError as exc:
        raise RenderFailed(
            f"ffmpeg finished but {output.name} does not play back ({exc}); nothing was replaced."
        ) from None
    if not info.has_video:
        raise RenderFailed(f"ffmpeg finished but {output.name} has no picture; nothing was replaced.")
