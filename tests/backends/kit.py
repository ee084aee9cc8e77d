"""Shared parts for backend and job tests: the real card renderer bound to real ffmpeg and a real font, an
in-memory job journal that keeps every phase it was given, and request/record factories."""

from __future__ import annotations

import functools
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest

from shotline.backends.registry import BackendContext
from shotline.core.model import Size, new_id
from shotline.core.ports import CardRenderer, GenerationRequest, JobPhase, JobRecord
from shotline.media.cards import render_card
from shotline.resources import resource

SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/Library/Fonts/Arial.ttf"),
    Path("C:/Windows/Fonts/arial.ttf"),
)


def card_font() -> Path:
    """The repository's font if it is there yet, else a common system TTF; skips when there is none."""
    fonts_dir = resource("fonts")
    bundled = sorted(fonts_dir.rglob("*.ttf")) if fonts_dir.is_dir() else []
    for font in [*bundled, *SYSTEM_FONTS]:
        if font.is_file():
            return font
    pytest.skip("no TrueType font available for title cards")


def real_renderer() -> CardRenderer:
    return functools.partial(render_card, ffmpeg=Path(imageio_ffmpeg.get_ffmpeg_exe()), font=card_font())


class NoSecrets:
    def get(self, backend_id: str) -> str | None:
        return None


def context(work_dir: Path, renderer: CardRenderer | None = None) -> BackendContext:
    return BackendContext(secrets=NoSecrets(), work_dir=work_dir, card_renderer=renderer or real_renderer())


def request(**changes: Any) -> GenerationRequest:
    base = GenerationRequest(
        job_id=new_id(),
        shot_id=new_id(),
        backend="animatic",
        model="card",
        prompt='A lighthouse keeper says: "100% sure" \\ at dawn',
        duration_us=1_000_000,
        size=Size(320, 180),
        fps=Fraction(24),
        label="Shot 2 · Lighthouse",
        shot_number=2,
    )
    return replace(base, **changes)


def record_for(req: GenerationRequest, **changes: Any) -> JobRecord:
    base = JobRecord(
        id=req.job_id,
        shot_id=req.shot_id,
        backend=req.backend,
        model=req.model,
        request=req.to_json(),
        created_at="2026-01-01T00:00:00Z",
    )
    return replace(base, **changes)


class MemoryJournal:
    """`core.ports.JobJournal` in memory; `phases[job_id]` lists every phase the job was put in, in order."""

    def __init__(self) -> None:
        self.rows: dict[str, JobRecord] = {}
        self.phases: dict[str, list[JobPhase]] = {}

    def add(self, record: JobRecord) -> None:
        self.rows[record.id] = record
        self.phases[record.id] = [record.phase]

    def update(self, job_id: str, **changes: Any) -> JobRecord:
        record = self.rows[job_id].with_(**changes)
        self.rows[job_id] = record
        if "phase" in changes and self.phases[job_id][-1] != record.phase:
            self.phases[job_id].append(record.phase)
        return record

    def get(self, job_id: str) -> JobRecord:
        return self.rows[job_id]

    def all(self) -> list[JobRecord]:
        return list(self.rows.values())

    def unfinished(self) -> list[JobRecord]:
        return [r for r in self.rows.values() if not r.phase.is_final]
