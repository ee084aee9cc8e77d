"""`shotline check`: a film made as asked reports nothing and exits 0; a film with takes at another shape and frame
rate names each shot with the commands that fix it and exits 3, in words and in --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import ok, shotline
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


def test_a_film_generated_as_asked_has_nothing_to_fix(tmp_path: Path) -> None:
    ok("new", "film", "--size", "320x180", "--fps", "24", cwd=tmp_path)
    ok("add", "film", "--prompt", "a harbour at dawn", "--duration", "2", cwd=tmp_path)
    ok("add", "film", "--prompt", "gulls over the water", "--duration", "1", cwd=tmp_path)
    ok("generate", "film", "--wait", cwd=tmp_path)
    done = shotline("check", "film", cwd=tmp_path)
    assert (done.code, done.out.strip()) == (0, "Nothing to fix: every shot holds."), done.err
    assert json.loads(ok("check", "film", "--json", cwd=tmp_path)) == {"findings": []}


def test_takes_at_another_shape_and_rate_are_named_with_their_fixes(tmp_path: Path) -> None:
    ok("new", "film", "--size", "320x180", "--fps", "24", cwd=tmp_path)
    tall = make_clip(tmp_path / "phone.mp4", seconds=1, size=(180, 320), fps="24")
    fast = make_clip(tmp_path / "drone.mp4", seconds=1, size=(320, 180), fps="30")
    right = make_clip(tmp_path / "drone-24.mp4", seconds=1, size=(320, 180), fps="24")
    ok("import", "film", tall, fast, cwd=tmp_path)
    ok("import", "film", right, "--shot", "2", cwd=tmp_path)
    ok("pick", "film", "2", "1", cwd=tmp_path)

    found = shotline("check", "film", cwd=tmp_path)
    assert found.code == 3, found.err
    assert found.out.splitlines() == [
        "Shot 1 (phone): its take is 180×320 (9:16), in a 16:9 film: the export will put bars around it.",
        "  Generate a take: shotline generate film --shot 1",
        "Shot 2 (drone): its take runs at 30 fps in a 24 fps film: the export will repeat or drop frames, and "
        "motion may stutter.",
        "  Pick take 2 (1 s): shotline pick film 2 2",
        "  Generate a take: shotline generate film --shot 2",
        "2 findings.",
    ]
    as_json = shotline("check", "film", "--json", cwd=tmp_path)
    assert as_json.code == 3
    findings = json.loads(as_json.out)["findings"]
    assert [(f["problem"], f["shot"]) for f in findings] == [("aspect", 1), ("frame rate", 2)]
    assert findings[1]["fixes"][0] == {
        "fix": "re-pick",
        "label": "Pick take 2 (1 s)",
        "take": 2,
        "command": "shotline pick film 2 2",
    }

    ok("pick", "film", "2", "2", cwd=tmp_path)  # the fix it named
    assert [f["shot"] for f in json.loads(shotline("check", "film", "--json", cwd=tmp_path).out)["findings"]] == [1]


def test_a_project_that_is_not_there_fails_plainly(tmp_path: Path) -> None:
    missing = shotline("check", "nowhere", cwd=tmp_path)
    assert missing.code == 1 and "Traceback" not in missing.err and "nowhere" in missing.err
