"""`shotline line`: a shot's dialogue lines added, listed, edited, moved and removed from the command line, with a
cast member or a typed name as the speaker, and a word when the shot's model cannot speak them (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shotline.services.session import ProjectSession
from tests.cli.shotline_cli import ok, shotline


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "Film.shotline"
    ok("new", path)
    ok("add", path, "--prompt", "@Mara on the quay", "--title", "Quay")
    ok("add", path, "--prompt", "A gull over the sea")
    ok("cast", "add", path, "Mara")
    return path


def test_lines_are_added_listed_edited_moved_and_removed(project: Path) -> None:
    said = ok("line", "add", project, "1", "Cast off!", "--by", "@Mara")
    assert said.splitlines()[0] == 'Shot 1 "Quay":'
    assert said.splitlines()[1].endswith('@Mara  "Cast off!"')
    ok("line", "add", project, "1", "Tide's turning.", "--by", "Harbourmaster")
    ok("line", "add", project, "1", "Morning.", "--by", "mara", "--at", "1")  # a member's name without its @
    listed = ok("line", "list", project).splitlines()
    assert [row.strip().split("  ", 2)[-1] for row in listed[1:]] == [
        '@Mara  "Morning."',
        '@Mara  "Cast off!"',
        'Harbourmaster  "Tide\'s turning."',
    ]
    ok("line", "edit", project, "1", "2", "--text", "Cast off, now!", "--by", "Gull")
    ok("line", "move", project, "1", "3", "1")
    last = ok("line", "remove", project, "1", "2")
    assert "Morning" not in last
    [shot] = json.loads(ok("line", "list", project, "1", "--json"))
    assert [(x["speaker"], x["text"], x["member_id"] is None) for x in shot["lines"]] == [
        ("Harbourmaster", "Tide's turning.", True),
        ("Gull", "Cast off, now!", True),
    ]
    with ProjectSession.open(project) as session:
        first = session.project.shots[0]
        assert [line.text for line in first.dialogue] == ["Tide's turning.", "Cast off, now!"]
        assert session.project.shots[1].dialogue == ()
    assert "Shot 2: no lines." in ok("line", "list", project, "2")


def test_a_model_that_cannot_speak_says_so_when_a_line_is_added(project: Path) -> None:
    ok("shot", "set", project, "2", "--backend", "replicate", "--model", "kwaivgi/kling-v2.0")
    said = ok("line", "add", project, "2", "Gulls!")
    assert said.splitlines()[-1] == (
        "Kling 2.0 (5 or 10 s) cannot speak this shot's 1 line: it will not be sent "
        "(a voice can say it on the voice-over lane)."
    )
    assert "cannot speak" not in ok("line", "add", project, "1", "Cast off!")  # the animatic's card takes them


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ("add", "1", "Hi", "--by", "@Nobody"),
            "The cast has no @Nobody (its cast: @Mara); write 'Nobody' without the @",
        ),
        (("edit", "1", "4", "--text", "Hi"), "Shot Quay has no line '4' (it has no lines yet)."),
        (("edit", "1", "1"), "Say what to change: --text, --by, or both."),
        (("add", "1", "w" * 1001), "The line is longer than 1000 characters; this one has 1001."),
    ],
)
def test_a_line_that_cannot_be_is_refused_in_words(project: Path, args: tuple[str, ...], words: str) -> None:
    verb, *rest = args
    result = shotline("line", verb, project, *rest)
    assert result.code != 0 and words in result.err and "Traceback" not in result.err
