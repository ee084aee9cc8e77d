"""Each clip's loudness is measured once, when it comes into the project, and the default export sets its sound's gain
from those measurements before encoding anything: on target and under the ceiling as an independent meter reads the
film, with the figures the report gives being the film's own. A cache that is gone is measured again by the export."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core.model import Size
from shotline.media.loudness import meter
from shotline.services import take_loudness
from shotline.services.context import AppContext, open_context
from shotline.services.export import plan, start_export
from shotline.services.importing import import_files
from shotline.services.presets import export_settings, preset_named
from shotline.services.session import ProjectSession
from shotline.storage.secrets import MemorySecretStore
from tests.clips import make_clip
from tests.media.sound import ebur128

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        clips = [
            make_clip(tmp_path / f"{name}.mp4", seconds=2, size=(320, 180), fps="24", colour=colour, audio=(48000, 2))
            for name, colour in (("dawn", "orange"), ("dusk", "navy"))
        ]
        import_files(opened, clips)
        yield opened


def _cached(session: ProjectSession) -> list[Path]:
    return sorted((session.bundle.cache_dir / "loudness").glob("*.levels"))


def _exports_on_target(ctx: AppContext, session: ProjectSession, out: Path) -> None:
    settings = export_settings(session.project, preset_named("Source"))
    assert settings.loudness_lufs == -14.0  # the default export normalises
    report = start_export(ctx, session, plan(session, settings), out).result()
    assert report.route == "copy picture"
    integrated, peak = ebur128(out)
    assert integrated == pytest.approx(-14.0, abs=0.5) and peak <= settings.true_peak_db
    assert report.loudness == asyncio.run(meter(out, ctx.ffmpeg))  # the figures given are the film's


def test_the_export_sets_its_gain_from_what_the_import_measured(
    ctx: AppContext, session: ProjectSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(_cached(session)) == 2, "each clip is measured as it comes in"

    def measured_again(path: Path, sample_rate: int, channels: int) -> None:
        raise AssertionError(f"{path.name} was measured again by the export")

    monkeypatch.setattr(take_loudness, "measure_levels", measured_again)
    _exports_on_target(ctx, session, tmp_path / "film.mp4")


def test_a_cache_that_is_gone_is_measured_by_the_export(
    ctx: AppContext, session: ProjectSession, tmp_path: Path
) -> None:
    for cached in _cached(session):
        cached.unlink()
    _exports_on_target(ctx, session, tmp_path / "film.mp4")
    assert len(_cached(session)) == 2
