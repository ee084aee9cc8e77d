"""`shotline export` with presets, fit, codecs, loudness, one shot or a range: the file is measured, not trusted.

Each export runs the real command in a child process; the result is decoded to check its size, codec, length and
picture, and its loudness is measured independently with ffmpeg's ebur128 filter and compared with what the
command printed. The route (copy or re-encode) and its reasons must be printed before the render.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.cli.shotline_cli import Result, frame_at, info, ok, probe_export, shotline
from tests.clips import ffmpeg_exe, make_clip
from tests.media.sound import tone

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

GREEN = (0, 200, 0)


def _fails(result: Result, code: int, *phrases: str) -> None:
    assert result.code == code, f"expected exit {code}, got {result.code}: {result.err}"
    assert "Traceback" not in result.err + result.out
    for phrase in phrases:
        assert phrase.lower() in result.err.lower(), f"{phrase!r} not in {result.err!r}"


def _export(*args: str | Path) -> Result:
    result = shotline("export", *args, timeout=240)
    assert result.code == 0, f"export failed ({result.code}):\n{result.err}"
    assert "Traceback" not in result.err
    return result


def measured_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's ebur128 filter, independent of Shotline."""
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    summary = done.stderr[done.stderr.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated[1]), float(peak[1])


def printed_loudness(out: str) -> tuple[float, float]:
    found = re.search(r"Loudness: (-?[\d.]+) LUFS, peaks at (-?[\d.]+) dB", out)
    assert found, f"no measured loudness in {out!r}"
    return float(found[1]), float(found[2])


def audio_stream(path: Path) -> tuple[str, float, bool]:
    """(codec, seconds of sound, whether there is a picture) of an export."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return stream.codec_context.name, samples / stream.rate, bool(container.streams.video)


def green_share(frame: np.ndarray) -> float:
    """The share of the frame's pixels that show the clip (green) rather than black bars."""
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    return float(np.mean((g > 120) & (r < 80) & (b < 80)))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two green 2 s shots, 320x180 at 24 fps, with a tone; keyframes every 0.5 s (so cuts there can be copied)."""
    folder = tmp_path_factory.mktemp("export")
    clips = [
        make_clip(folder / f"{n}.mp4", seconds=2, size=(320, 180), fps="24", colour=c, audio=(48_000, 2), gop=12)
        for n, c in enumerate(("0x00c800", "0x00d200"))
    ]
    path = folder / "film.shotline"
    ok("new", path, "--size", "320x180", "--fps", "24")
    ok("import", path, *clips)
    return path


def test_default_export_is_h264_normalised_to_web_loudness(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "film.mp4"
    result = _export(project, "-o", out)
    assert "Route: picture copied, sound mixed and encoded" in result.err, "the route and why come first"
    assert "loudness" in result.err.lower()

    measured = probe_export(out)
    film = info(project)["duration_us"] / 1e6
    assert (measured.video_codec, measured.audio_codec) == ("h264", "aac")
    assert (measured.width, measured.height, measured.fps) == (320, 180, Fraction(24))
    assert abs(measured.video_seconds - film) <= 1 / 24 and abs(measured.audio_seconds - film) <= 1 / 24

    lufs, peak = printed_loudness(result.out)
    real_lufs, real_peak = measured_loudness(out)
    assert abs(lufs - real_lufs) <= 0.5, "the printed loudness is the file's"
    assert abs(real_lufs - -14.0) <= 0.5 and real_peak <= -1.0 + 0.3
    assert peak <= -1.0 + 0.1


@pytest.mark.parametrize(
    ("fit", "expected_share"),
    [("pad", (320 * 180) / (1080 * 1080)), ("fit", (1080 * 608) / (1080 * 1080)), ("fill", 1.0)],
)
def test_square_preset_fits_pads_or_fills_one_shot(
    project: Path, tmp_path: Path, fit: str, expected_share: float
) -> None:
    out = tmp_path / f"{fit}.mp4"
    result = _export(project, "-o", out, "--preset", "1:1", "--fit", fit, "--shot", "2", "--loudness", "off")
    assert "levels as mixed" in result.out
    lufs, _ = printed_loudness(result.out)
    real_lufs, real_peak = measured_loudness(out)
    assert abs(lufs - real_lufs) <= 0.5, "the printed loudness is the file's"
    assert abs(real_peak - 20 * np.log10(0.2)) <= 0.5, "off leaves the tone (peak 0.2) as it was"

    measured = probe_export(out)
    assert (measured.width, measured.height) == (1080, 1080)
    assert abs(measured.video_seconds - 2.0) <= 1 / 24, "one shot, whole"
    assert green_share(frame_at(out, 1.0)) == pytest.approx(expected_share, abs=0.02)


def test_vertical_range_export_in_h265(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "range.mp4"
    _export(project, "-o", out, "--codec", "h265", "--preset", "9:16", "--fit", "fill", "--from", "1.5", "--to", "2.5")
    measured = probe_export(out)
    assert (measured.video_codec, measured.width, measured.height) == ("hevc", 1080, 1920)
    assert abs(measured.video_seconds - 1.0) <= 1 / 24 and abs(measured.audio_seconds - 1.0) <= 1 / 24
    assert green_share(frame_at(out, 0.5)) > 0.98, "fill crops the sides instead of adding bars"


def test_prores_mov(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "master.mov"
    _export(project, "-o", out, "--codec", "prores", "--shot", "1", "--loudness", "-23")
    measured = probe_export(out)
    assert (measured.video_codec, measured.audio_codec) == ("prores", "pcm_s16le")
    assert abs(measured.video_seconds - 2.0) <= 1 / 24


@pytest.mark.parametrize(("name", "codec"), [("mix.wav", "pcm_s24le"), ("mix.m4a", "aac")])
def test_sound_only_exports_take_their_codec_from_the_file_name(
    project: Path, tmp_path: Path, name: str, codec: str
) -> None:
    out = tmp_path / name
    result = _export(project, "-o", out, "--loudness", "-23")
    assert "sound only" in result.err
    found_codec, seconds, has_picture = audio_stream(out)
    assert (found_codec, has_picture) == (codec, False)
    assert abs(seconds - info(project)["duration_us"] / 1e6) <= 1 / 24
    lufs, _ = printed_loudness(result.out)
    real_lufs, real_peak = measured_loudness(out)
    assert abs(real_lufs - -23.0) <= 0.5 and abs(lufs - real_lufs) <= 0.5 and real_peak <= -0.7


def test_keyframe_cuts_copy_and_no_lossless_re_encodes(project: Path, tmp_path: Path) -> None:
    copied = _export(project, "-o", tmp_path / "copy.mp4", "--loudness", "off")
    assert "Route: lossless" in copied.err and "(copied losslessly)" in copied.out

    forced = _export(project, "-o", tmp_path / "encoded.mp4", "--loudness", "off", "--no-lossless")
    assert "Route: re-encode" in forced.err and "turned off" in forced.err
    # the result says what was made as a creator reads it: the format, not ffmpeg's encoder; peaks in dB, not dBTP
    assert "(encoded as H.264)" in forced.out and "libx264" not in forced.out, forced.out
    assert "peaks at" in forced.out and "dBTP" not in forced.out, forced.out
    for name in ("copy.mp4", "encoded.mp4"):
        measured = probe_export(tmp_path / name)
        assert (measured.width, measured.height, measured.frames) == (320, 180, 96)


def test_bad_export_options_say_what_to_do_and_write_nothing(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.mp4"
    _fails(shotline("export", project, "-o", out, "--preset", "8k"), 2, "no single preset", "1080p 16:9")
    _fails(shotline("export", project, "-o", tmp_path / "x.avi"), 2, "must end in one of", ".mp4")
    _fails(shotline("export", project, "-o", out, "--codec", "prores"), 2, "prores", ".mov")
    _fails(shotline("export", project, "-o", out, "--codec", "wav"), 2, ".wav")
    _fails(shotline("export", project, "-o", out, "--loudness", "loud"), 2, "-14", "-23", "off")
    _fails(shotline("export", project, "-o", out, "--loudness", "-3"), 2, "out of range")
    _fails(shotline("export", project, "-o", out, "--fit", "stretch"), 2, "--fit")
    _fails(shotline("export", project, "-o", out, "--shot", "1", "--from", "1"), 2, "either --shot or --from")
    _fails(shotline("export", project, "-o", out, "--from", "3", "--to", "2"), 2, "is not before")
    _fails(shotline("export", project, "-o", out, "--shot", "9"), 1, "no shot '9'")
    _fails(shotline("export", project, "-o", out, "--from", "10", "--to", "12"), 1, "holds no picture")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_replaced_only_with_overwrite_and_never_one_the_project_uses(
    project: Path, tmp_path: Path
) -> None:
    source = project.parent / "0.mp4"  # the creator's own clip, imported into the project
    before = source.read_bytes()
    refused = shotline("export", project, "-o", source, "--shot", "1")
    _fails(refused, 1, f"{source} already exists", "--overwrite")
    assert "Exporting" not in refused.err, "refused before the plan is shown"
    assert source.read_bytes() == before

    out = tmp_path / "film.mp4"
    out.write_bytes(b"last week's export")
    _export(project, "-o", out, "--shot", "1", "--loudness", "off", "--overwrite")
    assert probe_export(out).frames == 48

    media = sorted((project / "media").iterdir())
    linked, aliased = tmp_path / "linked.mp4", tmp_path / "aliased.mp4"
    os.link(media[0], linked)  # the project's own file under another name: replacing it would empty the take
    aliased.symlink_to(media[1])
    kept = {path: path.read_bytes() for path in media}
    for target in (linked, aliased):
        _fails(shotline("export", project, "-o", target, "--overwrite"), 1, "which this project uses")
    for target in (media[0], project / "media" / "new.mp4", project / "film.mp4"):
        _fails(shotline("export", project, "-o", target, "--overwrite"), 1, "inside the project")
    assert {path: path.read_bytes() for path in media} == kept
    assert sorted((project / "media").iterdir()) == media and not (project / "film.mp4").exists()


def test_missing_media_is_named_by_its_own_name_before_anything_is_planned(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.shotline"
    shutil.copytree(project, copy)
    ok("sound", "add", copy, tone(tmp_path / "theme.wav", hz=440, seconds=1))
    stored = {clip["source_name"]: clip["media"] for clip in json.loads(ok("sound", "list", copy, "--json"))["clips"]}
    (copy / stored["theme.wav"]).unlink()
    out = tmp_path / "film.mp4"

    gone_sound = shotline("export", copy, "-o", out)
    _fails(gone_sound, 1, "The sound theme.wav on the Music lane", "missing", "remove it from its lane")
    assert "Exporting" not in gone_sound.err and "Route" not in gone_sound.err and "ffmpeg" not in gone_sound.err
    assert Path(stored["theme.wav"]).name not in gone_sound.err, "the file as the creator named it, not its hash"

    ok("sound", "remove", copy, "1")
    media = info(copy)["shots"][1]["media"]
    (copy / media).unlink()
    gone_take = shotline("export", copy, "-o", out)
    _fails(gone_take, 1, "Shot 2", "its clip 1.mp4 is missing", "Relink")
    assert "Exporting" not in gone_take.err and Path(media).name not in gone_take.err
    assert not out.exists()
