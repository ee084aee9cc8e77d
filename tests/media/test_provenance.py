"""Provenance: every export names each shot's backend, model and prompt, in its container tags and in a sidecar,
on the re-encode and the lossless route alike, and a cancelled export leaves no sidecar."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest

from shotline import __version__
from shotline.core.model import Codec, ExportSettings, GenerationRecord, Origin, Project, Size
from shotline.media.plan import plan_export
from shotline.media.process import ProcessRegistry
from shotline.media.provenance import COMMENT_LIMIT, compact, provenance, sidecar_path
from shotline.media.render import ExportReport, render
from tests.clips import ffmpeg_exe, make_clip
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

SECRET = "sk-live-do-not-leak"
SMALL = ExportSettings(Size(160, 120), Fraction(25), preset="ultrafast", loudness_lufs=None)


def generated(project: Project) -> Project:
    """The first shot's take generated (runway), the second's by another backend, any further ones imported."""
    backends = [("runway", "gen4_turbo", 7), ("veo", "veo-3.0-fast", None)]
    shots = []
    for number, shot in enumerate(project.shots):
        take = shot.takes[0]
        if number < len(backends):
            backend, model, seed = backends[number]
            request: dict[str, Any] = {"prompt": shot.prompt, "api_key": SECRET}
            if seed is not None:
                request["seed"] = seed
            record = GenerationRecord(
                job_id=f"job-{number}",
                backend=backend,
                model=model,
                request=request,
                provider_job_id=f"provider-{number}",
                created_at="2026-01-02T03:04:05+00:00",
            )
            take = replace(take, origin=Origin.GENERATED, generation=record)
        prompt = f"Shot {number + 1}: fishing boats leave the harbour — “quoted” ✓"
        shots.append(replace(shot, prompt=prompt, takes=(take,)))
    return replace(project, shots=tuple(shots))


def film(tmp_path: Path, clips: int = 2, seconds: float = 1.0) -> Project:
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    paths = [
        make_clip(media / f"{n}.mp4", seconds=seconds, size=(160, 120), audio=(48000, 2), gop=25) for n in range(clips)
    ]
    return generated(project_of([(path, None) for path in paths], tmp_path))


def export(project: Project, settings: ExportSettings, out: Path, **options: Any) -> ExportReport:
    root = out.parent
    plan = plan_export(project, settings, root.joinpath)
    return asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=root.joinpath, **options))


def tags(path: Path) -> dict[str, str]:
    with av.open(str(path)) as container:
        return dict(container.metadata)


def check_names_each_shot(record: dict[str, Any], project: Project) -> None:
    assert record["app"] == f"Shotline {__version__}"
    assert record["ai_generated"] is True
    shots = record["shots"]
    assert [entry["shot"] for entry in shots] == [1, 2]
    assert [entry["prompt"] for entry in shots] == [shot.prompt for shot in project.shots]
    assert [entry["backend"] for entry in shots] == ["runway", "veo"]
    assert [entry["model"] for entry in shots] == ["gen4_turbo", "veo-3.0-fast"]
    assert [entry["provider_job_id"] for entry in shots] == ["provider-0", "provider-1"]
    assert shots[0]["seed"] == 7 and "seed" not in shots[1]
    assert all(entry["origin"] == "generated" for entry in shots)
    assert all(entry["source_in_us"] == 0 and entry["source_out_us"] > 0 for entry in shots)


@pytest.mark.parametrize("suffix", [".mp4", ".mov"])
def test_a_re_encoded_export_names_each_shot_in_its_tags_and_sidecar(tmp_path: Path, suffix: str) -> None:
    project = film(tmp_path)
    out = tmp_path / f"film{suffix}"
    report = export(project, replace(SMALL, lossless=False), out)
    assert report.route == "re-encode"

    check_names_each_shot(json.loads(tags(out)["comment"]), project)
    sidecar = sidecar_path(out)
    assert sidecar.name == f"film{suffix}.provenance.json"
    check_names_each_shot(json.loads(sidecar.read_text(encoding="utf-8")), project)
    assert SECRET not in sidecar.read_text(encoding="utf-8")
    assert SECRET not in out.read_bytes().decode("latin-1")
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


def test_the_lossless_route_carries_the_same_provenance(tmp_path: Path) -> None:
    project = film(tmp_path)
    out = tmp_path / "film.mp4"
    report = export(project, SMALL, out)
    assert report.route == "lossless", report.reasons

    check_names_each_shot(json.loads(tags(out)["comment"]), project)
    check_names_each_shot(json.loads(sidecar_path(out).read_text(encoding="utf-8")), project)


@pytest.mark.parametrize("codec", [Codec.WAV, Codec.M4A])
def test_sound_only_exports_carry_it_too(tmp_path: Path, codec: Codec) -> None:
    project = film(tmp_path)
    out = tmp_path / f"film{codec.extensions[0]}"
    export(project, replace(SMALL, codec=codec), out)
    check_names_each_shot(json.loads(tags(out)["comment"]), project)
    check_names_each_shot(json.loads(sidecar_path(out).read_text(encoding="utf-8")), project)


def test_an_imported_only_film_is_not_marked_ai_generated(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    clip = make_clip(media / "own.mp4", seconds=0.5, size=(160, 120), audio=(48000, 2))
    project = project_of([(clip, None)], tmp_path)
    plan = plan_export(project, SMALL, tmp_path.joinpath)
    record = provenance(project, plan)
    assert record["ai_generated"] is False
    assert record["shots"][0]["origin"] == "imported" and "backend" not in record["shots"][0]


def test_the_container_copy_stays_short_and_says_when_it_was_cut(tmp_path: Path) -> None:
    record: dict[str, Any] = {"app": "Shotline", "exported_at": "now", "ai_generated": True}
    record["shots"] = [{"shot": n, "prompt": "long " * 2000, "backend": "runway", "model": "m"} for n in range(5)]
    text = compact(record)
    assert len(text) <= COMMENT_LIMIT
    cut = json.loads(text)
    assert cut["truncated"] is True
    assert [entry["backend"] for entry in cut["shots"]] == ["runway"] * 5


def cancel_mid_render(
    tmp_path: Path, out: Path, *, while_running: Callable[[], None] = lambda: None, **render_options: Any
) -> None:
    """Start a big, slow encode of one clip to `out`, call `while_running` once ffmpeg runs, then cancel it."""
    project = film(tmp_path, clips=1, seconds=3)
    settings = ExportSettings(Size(1920, 1080), Fraction(60), preset="veryslow", lossless=False)
    plan = plan_export(project, settings, tmp_path.joinpath)
    registry = ProcessRegistry()

    async def scenario() -> None:
        task = asyncio.create_task(
            render(
                project,
                plan,
                out,
                ffmpeg=Path(ffmpeg_exe()),
                resolve=tmp_path.joinpath,
                registry=registry,
                **render_options,
            )
        )
        while not len(registry):
            await asyncio.sleep(0.02)
        while_running()
        await asyncio.sleep(0.3)
        assert not task.done(), "render finished before it could be cancelled; make it slower"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())


def test_a_cancelled_export_leaves_no_sidecar(tmp_path: Path) -> None:
    out = tmp_path / "film.mp4"
    cancel_mid_render(tmp_path, out)
    assert not out.exists()
    assert not sidecar_path(out).exists()
    assert [p.name for p in tmp_path.iterdir() if "provenance" in p.name or ".partial-" in p.name] == []
