"""A shot or sound clip is found by the start of its id the command line shows, and never by a guess."""

from __future__ import annotations

import pytest

from shotline.core.errors import EditError, UnknownShot
from shotline.core.model import Project, Shot


def _project(*ids: str) -> Project:
    return Project(id="p", title="Film", shots=tuple(Shot(id=shot_id, prompt="p") for shot_id in ids))


def test_the_shown_start_of_an_id_finds_its_shot() -> None:
    project = _project("4875052716aa", "99990000bbbb")
    assert project.shot("48750527").id == "4875052716aa"


def test_a_start_two_ids_share_is_refused_not_guessed() -> None:
    project = _project("48750527aaaa", "48750527bbbb")
    with pytest.raises(EditError, match="more than one shot"):
        project.shot("48750527")
    assert project.shot("48750527bbbb").id == "48750527bbbb"


def test_a_start_shorter_than_shown_finds_nothing() -> None:
    with pytest.raises(UnknownShot):
        _project("4875052716aa").shot("4875")
