"""Marker edits: in time order, one to a moment, undone like any edit."""

from __future__ import annotations

import pytest

from shotline.core import commands
from shotline.core.changes import diff
from shotline.core.errors import EditError
from shotline.core.markers import add_marker, remove_marker
from shotline.core.model import Marker, Project


def test_markers_stay_in_time_order_one_to_a_moment() -> None:
    project = Project(id="p", title="Film")
    project = add_marker(project, Marker("b", 2_000_000))
    project = add_marker(project, Marker("a", 500_000, "gull"))
    assert [m.id for m in project.markers] == ["a", "b"]
    assert add_marker(project, Marker("c", 2_000_000)) is project  # a marker is there already
    with pytest.raises(EditError):
        add_marker(project, Marker("d", -1))


def test_removing_a_marker_and_the_change_it_makes() -> None:
    before = Project(id="p", title="Film", markers=(Marker("a", 500_000),))
    after = remove_marker(before, "a")
    assert after.markers == ()
    change = diff(before, after)
    assert change.markers and not change.is_empty
    with pytest.raises(EditError):
        remove_marker(after, "a")


def test_the_add_marker_command_names_itself_for_the_edit_menu() -> None:
    command = commands.add_marker(750_000)
    added = command.apply(Project(id="p", title="Film"))
    assert command.label == "Add marker" and [m.at_us for m in added.markers] == [750_000]
