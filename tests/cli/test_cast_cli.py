"""`shotline cast`: add members with pictures, list them with the shots that mention them, rename (rewriting every
@Name in every prompt), take a picture from a take's frame, remove pictures and members (issue 16, cast and places).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import copy_of, info, ok, shotline
from tests.clips import make_clip, run

pytestmark = pytest.mark.ffmpeg


def picture(path: Path, colour: str = "yellow", size: str = "64x48") -> Path:
    run(["-f", "lavfi", "-i", f"color=c={colour}:size={size}", "-frames:v", "1", str(path)])
    return path


@pytest.fixture(scope="module")
def three_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("made") / "Film.shotline"
    ok("new", path)
    ok("add", path, "--prompt", "@Mara mends a net on the @Quay", "--title", "Nets")
    ok("add", path, "--prompt", "A gull over the sea", "--title", "Gull")
    ok("add", path, "--prompt", "@mara's boat leaves; write to crew@Mara.net", "--title", "Leaving")
    return path


@pytest.fixture
def project(tmp_path: Path, three_shots: Path) -> Path:
    return copy_of(three_shots, tmp_path)


def test_add_list_rename_and_remove_a_member(project: Path, tmp_path: Path) -> None:
    face = picture(tmp_path / "mara.png")
    said = ok("cast", "add", project, "Mara", "--description", "A fisherwoman in yellow", "--image", face)
    assert said.strip() == "@Mara  (character, 1 picture, in shots 1, 3) — A fisherwoman in yellow"
    ok("cast", "add", project, "@Quay", "--kind", "place")
    [mara, quay] = json.loads(ok("cast", "list", project, "--json"))
    assert (mara["name"], mara["kind"], mara["shots"]) == ("Mara", "character", [1, 3])
    assert (project / mara["images"][0]).read_bytes() == face.read_bytes()
    assert (quay["name"], quay["kind"], quay["images"], quay["shots"]) == ("Quay", "place", [], [1])

    said = ok("cast", "rename", project, "mara", "Ines").splitlines()
    assert said == [
        "@Ines  (character, 1 picture, in shots 1, 3) — A fisherwoman in yellow",
        "Rewrote the mentions in shots 1, 3.",
    ]
    prompts = [shot["prompt"] for shot in info(project)["shots"]]
    assert prompts == [
        "@Ines mends a net on the @Quay",
        "A gull over the sea",
        "@Ines's boat leaves; write to crew@Mara.net",
    ]

    assert ok("cast", "remove", project, "Quay").startswith("Removed @Quay from the cast")
    assert [m["name"] for m in json.loads(ok("cast", "list", project, "--json"))] == ["Ines"]
    assert info(project)["shots"][0]["prompt"] == "@Ines mends a net on the @Quay"  # the creator's words stay


def test_a_rename_onto_another_name_or_two_words_is_refused_and_changes_nothing(project: Path) -> None:
    ok("cast", "add", project, "Mara")
    ok("cast", "add", project, "Quay")
    for name, words in (("QUAY", "The cast already has @Quay"), ("Old Mara", "must be one word")):
        refused = shotline("cast", "rename", project, "Mara", name)
        assert refused.code == 1 and "Traceback" not in refused.err
        assert words in refused.err
    assert info(project)["shots"][0]["prompt"] == "@Mara mends a net on the @Quay"
    unknown = shotline("cast", "rename", project, "Gull", "Gulls")
    assert unknown.code == 1 and "no cast member 'Gull' (its cast: @Mara, @Quay)" in unknown.err


def test_pictures_are_added_in_order_taken_from_a_take_and_removed(project: Path, tmp_path: Path) -> None:
    ok("cast", "add", project, "Quay", "--kind", "place")
    ok("import", project, make_clip(tmp_path / "quay.mp4", seconds=1, colour="blue"), "--shot", "1")
    said = ok(
        "cast",
        "image",
        "add",
        project,
        "Quay",
        picture(tmp_path / "a.png", "red"),
        picture(tmp_path / "b.jpg", "green"),
    )
    assert "2 pictures" in said
    said = ok("cast", "image", "frame", project, "Quay", "1", "--at", "0.5")
    assert "3 pictures" in said
    [quay] = json.loads(ok("cast", "list", project, "--json"))
    frame = project / quay["images"][2]
    assert frame.suffix == ".jpg" and frame.stat().st_size > 0
    ok("cast", "image", "remove", project, "Quay", "1")
    [quay_after] = json.loads(ok("cast", "list", project, "--json"))
    assert quay_after["images"] == quay["images"][1:]
    none = shotline("cast", "image", "frame", project, "Quay", "2")
    assert none.code == 2 and "Shot 2 has no take yet" in none.err
