"""render(): the target is replaced only by a finished, playable export; failure and cancel leave no trace."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from shotline.core.errors import RenderFailed
from shotline.core.model import ExportSettings, Project, Size
from shotline.media.plan import RenderPlan, plan_export
from shotline.media.process import ProcessRegistry
from shotline.media.render import ExportReport, render
from tests.clips import ffmpeg_exe, make_clip
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg


def _plan(tmp_path: Path, settings: ExportSettings, seconds: float = 1.0) -> tuple[Project, RenderPlan]:
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    clip = make_clip(media / "a.mp4", seconds=seconds, size=(160, 120), audio=(48000, 2))
    project = project_of([(clip, None)], tmp_path)
    return project, plan_export(project, settings, lambda rel: tmp_path / rel)


def _render(project: Project, plan: RenderPlan, out: Path, **options: Any) -> Coroutine[Any, Any, ExportReport]:
    root = plan.segments[0].source.parent.parent
    return render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath, **options)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial-" in p.name)


def test_cancel_leaves_nothing_behind(tmp_path: Path) -> None:
    # a big, slow encode so the cancel lands mid-render
    project, plan = _plan(tmp_path, ExportSettings(Size(1920, 1080), Fraction(60), preset="veryslow"), seconds=3)
    out = tmp_path / "export.mp4"
    registry = ProcessRegistry()
    pids: list[int] = []

    async def scenario() -> None:
        task = asyncio.create_task(_render(project, plan, out, registry=registry))
        while not len(registry):
            await asyncio.sleep(0.02)
        pids.extend(registry.pids())
        for _ in range(3000):  # until ffmpeg writes the temporary file (at most a minute on a very busy machine)
            if _leftovers(tmp_path) or task.done():
                break
            await asyncio.sleep(0.02)
        assert not task.done(), "render finished before it could be cancelled; make it slower"
        assert _leftovers(tmp_path), "ffmpeg did not start writing the temporary file within a minute"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert not out.exists()
    assert _leftovers(tmp_path) == []
    assert pids and not Path(f"/proc/{pids[0]}").exists()
    assert len(registry) == 0


def test_failing_render_keeps_the_old_export(tmp_path: Path) -> None:
    project, plan = _plan(tmp_path, ExportSettings(Size(160, 120), Fraction(25), preset="ultrafast"))
    out = tmp_path / "export.mp4"
    out.write_bytes(b"last week's export")
    source = plan.segments[0].source
    source.write_bytes(b"\x00garbage" * 1000)  # the clip broke after it was planned
    with pytest.raises(RenderFailed, match="exit code"):
        asyncio.run(_render(project, plan, out))
    assert out.read_bytes() == b"last week's export"
    assert _leftovers(tmp_path) == []


def test_render_replaces_an_old_export(tmp_path: Path) -> None:
    project, plan = _plan(tmp_path, ExportSettings(Size(160, 120), Fraction(25), preset="ultrafast"))
    out = tmp_path / "export.mp4"
    out.write_bytes(b"old")
    asyncio.run(_render(project, plan, out))
    assert out.read_bytes()[4:8] == b"ftyp"
    assert _leftovers(tmp_path) == []


def test_refuses_to_overwrite_a_source(tmp_path: Path) -> None:
    project, plan = _plan(tmp_path, ExportSettings(Size(160, 120), Fraction(25), preset="ultrafast"))
    source = plan.segments[0].source
    before = source.read_bytes()
    with pytest.raises(RenderFailed, match="one of the clips"):
        asyncio.run(_render(project, plan, source))
    assert source.read_bytes() == before
