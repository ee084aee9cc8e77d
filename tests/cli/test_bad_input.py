"""Bad input gets one clear line and the right exit code — never a traceback — and changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.shotline_cli import Result, info, ok, shotline
from tests.clips import make_clip


def _fails(result: Result, code: int, *phrases: str) -> None:
    assert result.code == code, f"expected exit {code}, got {result.code}: {result.err}"
    assert "Traceback" not in result.err + result.out
    for phrase in phrases:
        assert phrase.lower() in result.err.lower(), f"{phrase!r} not in {result.err!r}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "film.shotline"
    ok("new", path, "--size", "320x180")
    return path


@pytest.fixture
def clip_project(project: Path, tmp_path: Path) -> Path:
    ok("import", project, make_clip(tmp_path / "clip.mp4", seconds=2, audio=(48_000, 2)))
    return project


def test_missing_project(tmp_path: Path) -> None:
    _fails(shotline("info", tmp_path / "nowhere.shotline"), 1, "no project at", "nowhere")


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "empty"),
        (b'{"format_version": 1, "id": "x", "title": "t", "sho', "line 1"),
        (b"\x00" * 64, "zero bytes"),
        (b'["a list"]', "should be an object"),
    ],
)
def test_corrupt_project_json(project: Path, content: bytes, phrase: str) -> None:
    (project / "project.json").write_bytes(content)
    _fails(shotline("info", project), 1, phrase)
    _fails(shotline("add", project, "--prompt", "x"), 1)
    assert (project / "project.json").read_bytes() == content, "a failed open must not rewrite the file"


def test_newer_format(project: Path) -> None:
    data = json.loads((project / "project.json").read_text())
    data["format_version"] = 99
    (project / "project.json").write_text(json.dumps(data))
    _fails(shotline("info", project), 1, "newer shotline", "format 99")


def test_zero_byte_and_non_video_imports(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 50)
    sound = make_clip(tmp_path / "tone.wav", seconds=1, audio=(48_000, 2), video=False)
    _fails(shotline("import", project, empty), 1, "empty.mp4")
    _fails(shotline("import", project, text), 1, "notes.mp4")
    _fails(shotline("import", project, sound), 1, "tone.wav", "no picture")
    _fails(shotline("import", project, tmp_path / "absent.mp4"), 1, "absent.mp4")
    assert info(project)["shots"] == []
    assert not any((project / "media").iterdir())


def test_missing_media_is_reported_not_fatal(clip_project: Path, tmp_path: Path) -> None:
    for clip in (clip_project / "media").iterdir():
        clip.unlink()
    report = info(clip_project)
    assert len(report["missing_media"]) == 1 and len(report["shots"]) == 1
    _fails(shotline("export", clip_project, "-o", tmp_path / "out.mp4"), 1, "missing")
    assert not (tmp_path / "out.mp4").exists()


def test_trim_outside_the_clip(clip_project: Path) -> None:
    before = (clip_project / "project.json").read_bytes()
    _fails(shotline("trim", clip_project, "1", "--in", "0.5", "--out", "5"), 1, "outside the clip")
    _fails(shotline("split", clip_project, "1", "--at", "2.5"), 1, "not inside the shot")
    assert (clip_project / "project.json").read_bytes() == before


def test_unknown_shot_and_take(clip_project: Path) -> None:
    _fails(shotline("trim", clip_project, "7", "--in", "0", "--out", "1"), 1, "no shot '7'", "from 1 to 1")
    _fails(shotline("remove", clip_project, "not-an-id"), 1, "no shot")
    _fails(shotline("pick", clip_project, "1", "9"), 1, "no take")


def test_usage_errors_exit_2(project: Path) -> None:
    _fails(shotline("trim", project, "1", "--in", "soon", "--out", "1"), 2, "not a time")
    _fails(shotline("add", project), 2, "--prompt")
    _fails(shotline("new", project / "x", "--size", "huge"), 2, "widthxheight")
    _fails(shotline("frobnicate"), 2)
    _fails(shotline("generate", project, "--shot", "1", "--all"), 2, "either")


def test_unknown_backend_and_model(project: Path) -> None:
    _fails(shotline("add", project, "--prompt", "A door opens", "--backend", "nonesuch"), 2, "'nonesuch'", "animatic")
    ok("add", project, "--prompt", "A door opens")
    _fails(shotline("generate", project, "--backend", "nonesuch"), 1, "no backend called 'nonesuch'", "animatic")
    _fails(shotline("generate", project, "--backend", "animatic", "--model", "sora-9"), 1, "no model 'sora-9'")
    assert shotline("jobs", project).out.strip() == "No jobs yet."


def test_project_open_elsewhere(clip_project: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from shotline.storage.bundle import ProjectBundle;"
            "b = ProjectBundle.open(sys.argv[1]); print('open', flush=True); time.sleep(60)",
            str(clip_project),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        _fails(shotline("trim", clip_project, "1", "--in", "0", "--out", "1"), 1, "open in another shotline")
    finally:
        holder.kill()
        holder.wait()
    ok("trim", clip_project, "1", "--in", "0", "--out", "1")  # the lock went with the process


def test_every_command_module_lists_exactly_the_commands_the_entry_point_names() -> None:
    import importlib

    from shotline.cli.main import COMMAND_MODULES

    for module_name, names in COMMAND_MODULES.items():
        assert tuple(command.name for command in importlib.import_module(module_name).COMMANDS) == names
