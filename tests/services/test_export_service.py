"""services.export on a real project bundle and the app's runner: plan with the creator's choices, start the export,
get an ExportReport back; the project is captured when the export starts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import av
import pytest

from shotline.core import commands
from shotline.core.model import Codec, Fit, Size
from shotline.services.context import AppContext, open_context
from shotline.services.export import default_extension, plan, shot_range, start_export, start_metering
from shotline.services.importing import import_files
from shotline.services.presets import export_settings, preset_named
from shotline.services.session import ProjectSession
from shotline.storage.secrets import MemorySecretStore
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        clips = [
            make_clip(tmp_path / f"{name}.mp4", seconds=1, size=(320, 180), fps="24", audio=(48000, 2), gop=24)
            for name in ("dawn", "dusk")
        ]
        import_files(opened, clips)
        yield opened


def test_export_with_choices_reports_what_ran(ctx: AppContext, session: ProjectSession, tmp_path: Path) -> None:
    settings = export_settings(session.project, preset_named("1080×1080 1:1"), fit=Fit.FILL, codec=Codec.H265)
    settings = replace(settings, preset="ultrafast")  # x265 at 1080×1080 on two cores: keep the test quick
    render_plan = plan(session, settings)
    out = tmp_path / f"square{default_extension(Codec.H265)}"
    seen: list[float] = []
    # no deadline of its own: 120 s ran out with four CPU hogs on 2 cores; pytest's timeout bounds the wait
    exported = start_export(ctx, session, render_plan, out, seen.append).result()
    assert exported.loudness is not None  # measured on the encoded sound, as part of the export
    report = start_metering(ctx, exported).result()
    assert report == exported
    assert report.output == out.resolve() and report.route == "re-encode" and report.encoder == "libx265"
    assert any("H.265" in reason for reason in report.reasons)
    assert report.loudness is not None and abs(report.loudness.integrated_lufs + 14) <= 0.5
    assert report.seconds > 0 and seen and seen[-1] == 1.0
    with av.open(str(out)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("hevc", 1080, 1080)


def test_one_shot_on_keyframes_copies_losslessly(ctx: AppContext, session: ProjectSession, tmp_path: Path) -> None:
    window = shot_range(session.project, "2")
    settings = export_settings(session.project, preset_named("Source"), loudness_lufs=None, range=window)
    render_plan = plan(session, settings)
    out = tmp_path / "dusk-only.mp4"
    handle = start_export(ctx, session, render_plan, out)
    session.execute(commands.remove_shot(session.project.shots[1].id))  # an edit while it renders changes nothing
    report = handle.result()
    assert report.route == "lossless" and report.encoder == "stream copy"
    with av.open(str(out)) as container:
        assert container.streams.video[0].frames == 24
