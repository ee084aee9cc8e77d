"""`take delete` keeps a take and its clip in the project, `take deleted` lists them, `take restore` puts one back
(issue 14, point 12: a take leaves its shot only by a deliberate delete, restorable, as in the window)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import copy_of, info, ok, shotline
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def two_shots_two_takes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("made")
    path = tmp_path / "Film.shotline"
    ok("new", path)
    ok("add", path, "--prompt", "Harbour at dawn", "--title", "Harbour")
    ok("add", path, "--prompt", "A gull", "--title", "Gull")
    for name in ("dawn.mp4", "dusk.mp4"):
        ok("import", path, make_clip(tmp_path / name, seconds=1), "--shot", "1")
    return path


@pytest.fixture
def project(tmp_path: Path, two_shots_two_takes: Path) -> Path:
    return copy_of(two_shots_two_takes, tmp_path)


def test_a_deleted_take_keeps_its_clip_and_is_restored_where_it_was_picked(project: Path) -> None:
    picked = info(project)["shots"][0]["picked_take"]
    said = ok("take", "delete", project, "1", "2")
    assert said.splitlines() == [
        'Deleted a take of shot 1 "Harbour" (imported from dusk.mp4); its clip stays in the project.',
        f"To put it back: shotline take restore {project} 1",
    ]
    shot = info(project)["shots"][0]
    assert shot["takes"] == 1 and shot["picked_take"] != picked
    [row] = json.loads(ok("take", "deleted", project, "--json"))
    assert (row["take_id"], row["was_picked"], row["source"]) == (picked, True, "imported from dusk.mp4")
    assert (project / row["media"]).is_file(), "the clip stays in the project"

    said = ok("take", "restore", project, "1")
    assert said.strip() == 'Restored take 2 of shot 1 "Harbour" and picked (imported from dusk.mp4).'
    assert info(project)["shots"][0]["picked_take"] == picked
    assert ok("take", "deleted", project).strip() == "No take has been deleted."


def test_a_take_is_restored_to_another_shot_and_a_wrong_number_is_refused_with_the_range(project: Path) -> None:
    ok("take", "delete", project, "1", "1")
    refused = shotline("take", "restore", project, "5")
    assert refused.code == 1 and "Traceback" not in refused.err
    assert "no deleted take '5'" in refused.err and "from 1 to 1" in refused.err
    said = ok("take", "restore", project, "1", "--to", "2")
    assert said.strip() == 'Restored take 1 of shot 2 "Gull" and picked (imported from dawn.mp4).'
    assert [shot["takes"] for shot in info(project)["shots"]] == [1, 1]


def test_a_removed_shots_takes_can_be_restored_onto_another_shot(project: Path) -> None:
    said = ok("remove", project, "1").splitlines()
    assert said[-1].startswith(f"To use one again: shotline take restore {project} 1 --to SHOT")
    assert [row["from"] for row in json.loads(ok("take", "deleted", project, "--json"))] == ["a shot deleted since"] * 2
    ok("take", "restore", project, "2", "--to", "1")
    [gull] = info(project)["shots"]
    assert gull["takes"] == 1 and gull["picked_take"] is not None
