"""Hostile media at the door (issue 13, classes 2–5 and 7): every file is built here, brought in with the real
`shotline import` / `sound add` under an address-space limit, and must be refused with a message that names it and
says why — no traceback, nothing read beyond it, nothing left in media/.

- Files that name other files (an HLS playlist, an ffconcat list) pulled any local file into a take and its export.
- Headers claiming 16000×16000 (an MP4, a GIF, a PNG) cost up to a GB per decoded picture, and a PNG was refused as
  having "no length"; a WAV claiming 10^9 samples a second was taken.
- MP4s cut at 50 % and 90 % with their header first imported as full-length takes.
- A file named `file:decoy.mp4` was probed as `decoy.mp4`; a WAV with format tag 0xFFFF and a clip whose name is not
  UTF-8 ended in tracebacks, the latter with its copy left in media/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.shotline_cli import Result, info, ok, shotline
from tests.clips import make_clip
from tests.media import hostile

pytestmark = [pytest.mark.ffmpeg, pytest.mark.skipif(sys.platform == "win32", reason="address-space limits are POSIX")]

ADDRESS_SPACE = 1 << 30
"""What a command here may map: importing a normal clip takes well under half of it; decoding one picture of
16000×16000 takes 0.75–1 GB more."""
_LIMITED = (
    "import resource, runpy, sys; "
    "resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1]))); "
    "sys.argv = ['shotline', *sys.argv[2:]]; "
    "runpy.run_module('shotline', run_name='__main__', alter_sys=True)"
)
SHOWN_LIMIT = "Shotline takes pictures up to 8192×8192"


def limited(*args: str | Path, cwd: Path | None = None) -> Result:
    """`shotline ARGS` in a child that may map at most ADDRESS_SPACE bytes (fewer malloc arenas, so threads do not
    reserve it all up front)."""
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED, str(ADDRESS_SPACE), *map(str, args)],
        capture_output=True,
        text=True,
        errors="replace",  # a name that is not UTF-8 may be printed as it is
        cwd=cwd,
        timeout=120,
        check=False,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    ok("new", tmp_path / "Film", "--size", "320x240")
    return tmp_path / "Film.shotline"


def media_files(project: Path) -> list[str]:
    return sorted(entry.name for entry in (project / "media").iterdir())


def refused(result: Result, *parts: str) -> None:
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "Cannot allocate" not in result.err, result.err
    for part in parts:
        assert part in result.err, result.err


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip outside every project, which hostile files name (red, so an export that read it would show it)."""
    return make_clip(tmp_path_factory.mktemp("outside") / "secret.ts", seconds=4, colour="red", audio=(48_000, 2))


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile.moov_first_clip(tmp_path_factory.mktemp("whole") / "whole.mp4")


def test_a_playlist_naming_a_file_outside_is_refused_and_reads_nothing(
    project: Path, tmp_path: Path, secret: Path
) -> None:
    for name in ("holiday.m3u8", "holiday.mp4"):  # under its own name, and under a clip's
        playlist = hostile.hls_playlist(tmp_path / name, secret)
        refused(limited("import", project, playlist), f"{name} is a playlist that names other files")
    concat = hostile.ffconcat_list(secret.with_name("list.mp4"), secret)
    refused(limited("import", project, concat), "list.mp4 is a list that names other files")
    assert info(project)["shots"] == [] and media_files(project) == []
    clip = secret.read_bytes()[:4096]
    assert not any(clip in file.read_bytes() for file in project.rglob("*") if file.is_file())


def test_an_export_never_reads_a_file_a_hand_edited_project_names(project: Path, tmp_path: Path, secret: Path) -> None:
    """A take whose media was swapped for a playlist (media/x.m3u8) naming a file outside: the export refuses it
    instead of carrying the red clip."""
    ok("import", project, make_clip(tmp_path / "blue.mp4", seconds=2, colour="blue", size=(320, 240)))
    [kept] = media_files(project)
    hostile.hls_playlist(project / "media" / "x.m3u8", secret)
    document = project / "project.json"
    document.write_text(document.read_text().replace(f"media/{kept}", "media/x.m3u8"))
    out = tmp_path / "film.mp4"
    refused(limited("export", project, "-o", out), "x.m3u8 is a playlist that names other files")
    assert not out.exists() and not list(tmp_path.glob(".film.mp4*"))


@pytest.mark.parametrize("kind", ["mp4", "gif", "png"])
def test_a_picture_claiming_16000_by_16000_is_refused_by_its_header(project: Path, tmp_path: Path, kind: str) -> None:
    if kind == "mp4":
        small = make_clip(tmp_path / "small.mp4", seconds=2, audio=(48_000, 2))
        claim = hostile.claiming_size(small, tmp_path / "claim.mp4", 16_000)
        expected = f"claim.mp4 is 16000×16000; {SHOWN_LIMIT}"
    elif kind == "gif":
        claim = hostile.gif_claiming_size(hostile.small_gif(tmp_path / "small.gif"), tmp_path / "claim.gif", 16_000)
        expected = f"claim.gif is 16000×16000; {SHOWN_LIMIT}"
    else:
        claim = hostile.png_claiming_size(tmp_path / "claim.png", 16_000)
        expected = "claim.png is a still picture, not a single video or audio file"
    refused(limited("import", project, claim), expected)
    assert media_files(project) == []


def test_sound_claiming_a_billion_samples_a_second_or_an_unknown_format_is_refused(
    project: Path, tmp_path: Path
) -> None:
    tone = make_clip(tmp_path / "tone.wav", seconds=2, audio=(48_000, 2), video=False)
    fast = hostile.wav_with(tone, tmp_path / "fast.wav", rate=1_000_000_000)
    refused(limited("sound", "add", project, fast), "fast.wav has sound sampled at 1000000000 Hz")
    unknown = hostile.wav_with(tone, tmp_path / "unknown.wav", format_tag=0xFFFF)
    refused(limited("sound", "add", project, unknown), "unknown.wav holds its sound in a form Shotline cannot decode")
    refused(limited("import", project, unknown), "unknown.wav holds its sound in a form Shotline cannot decode")
    assert media_files(project) == [] and info(project)["shots"] == []


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_an_mp4_cut_short_with_its_header_first_is_refused(
    project: Path, tmp_path: Path, whole: Path, fraction: float
) -> None:
    part = hostile.cut(whole, tmp_path / "part.mp4", fraction)
    refused(limited("import", project, part), "part.mp4 is incomplete", "not downloaded or copied completely")
    fitted = hostile.cut_to_fit(whole, tmp_path / "fitted.mp4", fraction)
    refused(limited("import", project, fitted), "fitted.mp4 is incomplete: it holds", "frames its header lists")
    assert media_files(project) == [] and info(project)["shots"] == []
    ok("import", project, whole)  # the whole file comes in
    assert info(project)["shots"][0]["duration_us"] == 4_000_000


def test_one_bad_file_among_several_copies_none(project: Path, tmp_path: Path, whole: Path) -> None:
    part = hostile.cut(whole, tmp_path / "part.mp4", 0.5)
    refused(limited("import", project, whole, part), "part.mp4 is incomplete")
    assert media_files(project) == []


def test_a_pipe_named_as_a_clip_is_refused_at_once(project: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "clip.mp4"
    os.mkfifo(pipe)
    refused(limited("import", project, pipe), "clip.mp4 is not a regular file")
    assert media_files(project) == []


def test_a_file_named_like_a_protocol_is_read_as_itself(project: Path, tmp_path: Path) -> None:
    """`file:decoy.mp4` is the file of that name, not `decoy.mp4` (which FFmpeg read for it)."""
    make_clip(tmp_path / "file:decoy.mp4", seconds=2, size=(320, 240), audio=(48_000, 2))
    make_clip(tmp_path / "decoy.mp4", seconds=3, size=(160, 120), audio=(48_000, 2))
    ok("import", project, "file:decoy.mp4", cwd=tmp_path)
    ok("sound", "add", project, "file:decoy.mp4", cwd=tmp_path)
    [shot] = info(project)["shots"]
    assert shot["duration_us"] == 2_000_000 and shot["picked_take_media"]["picture"]["size"] == "320x240"
    [clip] = json.loads(ok("sound", "list", project, "--json"))["clips"]
    assert clip["duration_us"] == 2_000_000 and clip["source_name"] == "file:decoy.mp4"


def test_a_name_that_is_not_utf8_imports_and_shows_what_it_can(project: Path, tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9")
    clip = make_clip(tmp_path / f"{name}.mp4", seconds=2, audio=(48_000, 2))
    sound = make_clip(tmp_path / f"{name}.wav", seconds=2, audio=(48_000, 2), video=False)
    imported = limited("import", project, clip)
    assert imported.code == 0 and "Traceback" not in imported.err, imported.err
    assert "caf\ufffd.mp4 → shot 1" in imported.out
    added = limited("sound", "add", project, sound)
    assert added.code == 0 and "Traceback" not in added.err, added.err
    [shot] = info(project)["shots"]
    assert shot["title"] == "caf\ufffd" and shot["picked_take_source"] == "imported from caf\ufffd.mp4"
    [clip] = json.loads(ok("sound", "list", project, "--json"))["clips"]
    assert clip["source_name"] == "caf\ufffd.wav" and len(media_files(project)) == 2
    still = hostile.png_claiming_size(tmp_path / f"{name}.png", 64)
    refused(limited("import", project, still), "caf\ufffd.png is a still picture")


def test_an_import_or_sound_add_whose_save_fails_leaves_no_copy(project: Path, tmp_path: Path, whole: Path) -> None:
    backups = project / ".backups"  # a file where the folder of earlier saves goes: the save after the copy fails
    for entry in backups.iterdir():
        entry.unlink()
    backups.rmdir()
    backups.write_text("in the way")
    failed = shotline("import", project, whole)
    assert failed.code == 1 and "Traceback" not in failed.err and "save" in failed.err.lower()
    tone = make_clip(tmp_path / "tone.wav", seconds=1, audio=(48_000, 2), video=False)
    failed = shotline("sound", "add", project, tone)
    assert failed.code == 1 and "Traceback" not in failed.err
    assert media_files(project) == []


@pytest.mark.parametrize("part", ["take", "sound"])
def test_a_clip_declared_longer_than_its_file_is_refused_before_rendering(
    project: Path, tmp_path: Path, part: str
) -> None:
    """A hand-edited project.json saying a 2 s clip is a day long, trimmed to all of it: the loader keeps the trim
    inside the length declared, and the export rendered a day of black and silence (820 MB of hidden mix in 20 s)
    until the disk was full. The file is asked how long it is before anything is rendered."""
    ok("import", project, make_clip(tmp_path / "harbour.mp4", seconds=2, size=(320, 240), audio=(48_000, 2)))
    ok("sound", "add", project, make_clip(tmp_path / "gulls.wav", seconds=2, video=False, audio=(48_000, 2)))
    document = project / "project.json"
    doc = json.loads(document.read_text())
    clip = doc["shots"][0]["takes"][0] if part == "take" else doc["audio"][0]
    clip["info"]["duration_us"] = clip["trim"]["out_us"] = 86_400_000_000
    document.write_text(json.dumps(doc))
    out = tmp_path / "film.mp4"
    named = "Shot 1 ('harbour')" if part == "take" else "Sound clip 1"
    file = "harbour.mp4" if part == "take" else "gulls.wav"
    refused(
        limited("export", project, "-o", out),
        f"film.mp4 was not made: {named} plays its file {file} to 24:00:00.000, but the file holds 00:00:02.000",
    )
    assert not out.exists() and not list(tmp_path.glob(".film.mp4*"))
