"""The cast and places: names a prompt can mention, mentions found and renamed, each edit one undo step."""

from __future__ import annotations

import pytest

from shotline.core import cast, commands
from shotline.core.errors import EditError, UnknownCastMember
from shotline.core.history import History
from shotline.core.model import CastKind, CastMember, Project, Shot


def _film() -> Project:
    return Project(
        id="p",
        title="Harbour",
        shots=(
            Shot("s1", "@Mara walks the @quay at dawn; post to crew@Mara.net", negative_prompt="no @Mara twin"),
            Shot("s2", "@Maranne waves to @Mara's boat"),
            Shot("s3", "gulls over the sea"),
        ),
        cast=(
            CastMember("c1", "Mara", CastKind.CHARACTER, "a fisherwoman", ("media/m.png",)),
            CastMember("c2", "Quay", CastKind.PLACE),
        ),
    )


def test_mentions_are_whole_words_after_an_at_sign_and_any_case() -> None:
    project = _film()
    assert [m.name for m in cast.mentioned(project, project.shots[0])] == ["Mara", "Quay"]
    assert [m.name for m in cast.mentioned(project, project.shots[1])] == ["Mara"]  # @Maranne is no one
    assert cast.mentioned(project, project.shots[2]) == ()


def test_rename_rewrites_every_mention_in_every_prompt_in_one_undo_step() -> None:
    history = History(_film())
    history.execute(commands.rename_cast_member("c1", "Ines"))
    shots = history.project.shots
    assert shots[0].prompt == "@Ines walks the @quay at dawn; post to crew@Mara.net"
    assert shots[0].negative_prompt == "no @Ines twin"
    assert shots[1].prompt == "@Maranne waves to @Ines's boat"
    assert shots[2] is _film().shots[2] or shots[2] == _film().shots[2]
    assert history.project.member("ines").name == "Ines"
    assert history.undo_label == "Rename cast member"
    history.undo()
    assert history.project == _film()
    assert not history.can_undo


def test_a_rename_to_another_members_name_or_no_word_is_refused() -> None:
    project = _film()
    with pytest.raises(EditError, match="already has @Quay"):
        cast.rename_member(project, "c1", "QUAY")
    with pytest.raises(EditError, match="one word"):
        cast.rename_member(project, "c1", "Old Mara")
    with pytest.raises(EditError, match="longer than 40"):
        cast.rename_member(project, "c1", "M" * 41)
    assert cast.rename_member(project, "c1", "MARA").cast[0].name == "MARA"  # its own name in another case


@pytest.mark.parametrize(
    ("command", "check"),
    [
        (commands.add_cast_member(CastMember("c3", "@Gull", CastKind.PROP)), lambda p: p.member("Gull").id == "c3"),
        (commands.describe_cast_member("c2", "  stone, wet  "), lambda p: p.member("c2").description == "stone, wet"),
        (commands.set_cast_kind("c2", CastKind.LOOK), lambda p: p.member("Quay").kind is CastKind.LOOK),
        (
            commands.add_cast_image("c1", "media/a.png", 0),
            lambda p: p.member("c1").images == ("media/a.png", "media/m.png"),
        ),
        (commands.remove_cast_image("c1", "1"), lambda p: p.member("c1").images == ()),
        (commands.remove_cast_member("c2"), lambda p: [m.id for m in p.cast] == ["c1"]),
    ],
)
def test_each_cast_edit_is_one_undo_step(command: commands.Command, check: object) -> None:
    history = History(_film())
    history.execute(command)
    assert check(history.project)  # type: ignore[operator]
    history.undo()
    assert history.project == _film()


def test_removing_a_member_leaves_the_prompts_as_written() -> None:
    project = cast.remove_member(_film(), "Mara")
    assert project.shots == _film().shots
    assert cast.mentioned(project, project.shots[0])[0].name == "Quay"


def test_members_are_found_by_name_id_or_id_start_and_an_unknown_one_names_the_cast() -> None:
    project = _film()
    assert project.member("@mara").id == "c1"
    assert project.member("c2").name == "Quay"
    with pytest.raises(UnknownCastMember, match=r"no cast member 'Gull' \(its cast: @Mara, @Quay\)"):
        project.member("Gull")


def test_bounds_on_names_descriptions_and_pictures() -> None:
    project = _film()
    with pytest.raises(EditError, match="already has @Mara"):
        cast.add_member(project, CastMember("c9", "mara"))
    with pytest.raises(EditError, match="at most 2000"):
        cast.describe_member(project, "c1", "x" * 2001)
    full = project
    for n in range(cast.MAX_IMAGES - 1):
        full = cast.add_image(full, "c1", f"media/{n}.png")
    with pytest.raises(EditError, match="has 16 pictures"):
        cast.add_image(full, "c1", "media/one-more.png")
    assert cast.add_image(full, "c1", "media/3.png", 0).member("c1").images[0] == "media/3.png"  # a move, not an add
    with pytest.raises(EditError, match="no picture '9'"):
        cast.remove_image(project, "c1", "9")
