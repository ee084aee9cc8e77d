"""Encoder choice: hardware only when it really encodes here, software otherwise, and a hardware encoder that fails
mid-export is replaced by software with a note. This machine's ffmpeg lists NVENC/QSV/VAAPI but has no device."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from pathlib import Path

import av
import pytest

from shotline.core.errors import RenderFailed
from shotline.core.model import Codec, ExportSettings, Size
from shotline.media.encoders import (
    FORCE_ENCODER_ENV,
    candidates,
    check_extension,
    encoder_works,
    listed_encoders,
    pick_encoder,
)
from shotline.media.plan import plan_export
from shotline.media.render import render
from tests.clips import ffmpeg_exe, make_clip
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

SETTINGS = ExportSettings(Size(320, 180), Fraction(25), preset="ultrafast", loudness_lufs=None, lossless=False)


def test_candidates_by_platform() -> None:
    assert candidates(Codec.H264, hardware=False) == ("libx264",)
    assert candidates(Codec.H264, hardware=True, platform="linux") == (
        "h264_nvenc",
        "h264_qsv",
        "h264_vaapi",
        "libx264",
    )
    assert candidates(Codec.H265, hardware=True, platform="win32")[-1] == "libx265"
    assert candidates(Codec.H265, hardware=True, platform="darwin") == ("hevc_videotoolbox", "libx265")
    assert candidates(Codec.PRORES, hardware=True, platform="linux") == ("prores_ks",)
    assert candidates(Codec.WAV, hardware=True) == ()


def test_a_listed_encoder_without_a_device_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORCE_ENCODER_ENV, raising=False)
    ffmpeg = ffmpeg_exe()
    listed = listed_encoders(ffmpeg)
    assert {"libx264", "libx265", "prores_ks", "h264_nvenc", "aac"} <= listed
    works = {name: encoder_works(ffmpeg, name, Codec.H264) for name in ("h264_nvenc", "h264_qsv", "h264_vaapi")}
    assert encoder_works(ffmpeg, "libx264", Codec.H264)  # the probe itself can succeed
    assert not encoder_works(ffmpeg, "no_such_encoder", Codec.H264)
    chosen = pick_encoder(ExportSettings(Size(320, 180), Fraction(25), hardware=True), Path(ffmpeg))
    assert chosen is not None
    usable = [name for name, ok in works.items() if ok]
    assert chosen.name == (usable[0] if usable else "libx264")
    assert pick_encoder(ExportSettings(Size(320, 180), Fraction(25), codec=Codec.M4A), Path(ffmpeg)) is None


def test_the_answer_is_remembered_per_ffmpeg() -> None:
    ffmpeg = ffmpeg_exe()
    encoder_works(ffmpeg, "h264_vaapi", Codec.H264)
    before = encoder_works.cache_info().hits
    encoder_works(ffmpeg, "h264_vaapi", Codec.H264)
    assert encoder_works.cache_info().hits == before + 1


def test_hardware_export_here_falls_back_to_software(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORCE_ENCODER_ENV, raising=False)
    media = tmp_path / "media"
    media.mkdir()
    clip = make_clip(media / "a.mp4", seconds=0.6, size=(320, 180), audio=(48000, 2))
    project = project_of([(clip, None)], tmp_path)
    plan = plan_export(
        project,
        ExportSettings(Size(320, 180), Fraction(25), loudness_lufs=None, hardware=True, lossless=False),
        tmp_path.joinpath,
    )
    out = tmp_path / "film.mp4"
    report = asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=tmp_path.joinpath))
    if not any(encoder_works(ffmpeg_exe(), n, Codec.H264) for n in ("h264_nvenc", "h264_qsv", "h264_vaapi")):
        assert report.encoder == "libx264" and report.notes == ()  # the probe ruled hardware out up front
    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.name == "h264" and container.streams.video[0].frames == 15


def test_a_hardware_encoder_failing_mid_export_is_retried_in_software(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ffmpeg = ffmpeg_exe()
    if encoder_works(ffmpeg, "h264_nvenc", Codec.H264):
        pytest.skip("this machine really has NVENC")
    monkeypatch.setenv(FORCE_ENCODER_ENV, "h264_nvenc")  # used without the probe, so it fails in the export itself
    media = tmp_path / "media"
    media.mkdir()
    clip = make_clip(media / "a.mp4", seconds=0.6, size=(320, 180), audio=(48000, 2))
    project = project_of([(clip, None)], tmp_path)
    plan = plan_export(project, SETTINGS, tmp_path.joinpath)
    out = tmp_path / "film.mp4"
    report = asyncio.run(render(project, plan, out, ffmpeg=Path(ffmpeg), resolve=tmp_path.joinpath))
    assert report.encoder == "libx264"
    assert report.notes and "h264_nvenc did not work" in report.notes[0] and "libx264" in report.notes[0]
    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.name == "h264" and container.streams.video[0].frames == 15
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.mp4", "film.mp4.provenance.json", "media"]


def test_a_software_encoder_failing_is_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORCE_ENCODER_ENV, "libx264")
    media = tmp_path / "media"
    media.mkdir()
    clip = make_clip(media / "a.mp4", seconds=0.6, size=(320, 180), audio=(48000, 2))
    project = project_of([(clip, None)], tmp_path)
    plan = plan_export(
        project,
        ExportSettings(Size(320, 180), Fraction(25), preset="no-such-preset", loudness_lufs=None, lossless=False),
        tmp_path.joinpath,
    )
    with pytest.raises(RenderFailed, match="exit code"):
        asyncio.run(render(project, plan, tmp_path / "film.mp4", ffmpeg=Path(ffmpeg_exe()), resolve=tmp_path.joinpath))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


@pytest.mark.parametrize(
    ("codec", "name", "ok"),
    [
        (Codec.H264, "a.MP4", True),
        (Codec.H264, "a.m4v", True),
        (Codec.H265, "a.mov", True),
        (Codec.H265, "a.m4v", False),
        (Codec.PRORES, "a.mp4", False),
        (Codec.WAV, "a.m4a", False),
        (Codec.M4A, "a.m4a", True),
    ],
)
def test_file_endings_must_suit_the_codec(codec: Codec, name: str, ok: bool) -> None:
    if ok:
        check_extension(codec, Path(name))
    else:
        with pytest.raises(RenderFailed, match=rf"{name} cannot hold .*: use a file ending in {codec.extensions[0]}"):
            check_extension(codec, Path(name))
