"""Opening a hand-edited or hostile project in the window (issue 13): it is refused as damaged with the field and
shot named, never half-opened and never a traceback. A real window and a real project, edited by hand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.services.context import AppContext
from shotline.ui.main_window import MainWindow
from tests.ui.shell_fixtures import shown_window


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def _no_backups(project: Path) -> None:
    """No earlier save to offer instead (one from before the edit would open): the reason itself is shown."""
    for backup in (project / ".backups").glob("project-*.json"):
        backup.unlink()


def _edit(project: Path, change: object) -> None:
    doc = json.loads((project / "project.json").read_text())
    change(doc)  # type: ignore[operator]
    (project / "project.json").write_text(json.dumps(doc))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda doc: doc["shots"][1]["generation"].update(first_frame="/etc/passwd"), "the first frame of shot 2"),
        (lambda doc: doc["settings"].update(sample_rate=10**9), "settings.sample_rate should be at most 192000"),
        (lambda doc: doc["shots"][2].update(id=doc["shots"][0]["id"]), "shots[2].id is"),
        (lambda doc: doc["shots"][0].update(title="\udc80"), "shots[0].title is not valid text"),
    ],
)
def test_a_hostile_project_is_refused_naming_what_is_wrong(
    window: MainWindow, project_path: Path, change: object, words: str
) -> None:
    _no_backups(project_path)
    _edit(project_path, change)
    assert not window.open_project(project_path)
    assert window.document is None and window.stack.currentWidget() is window.welcome
    [(message, _count)] = window.message_bar.messages()
    assert message.startswith(f"Could not open {project_path.name}: The project file is damaged: "), message
    assert words in message, message


def test_a_take_that_links_out_of_the_project_is_refused(
    window: MainWindow, project_path: Path, tmp_path: Path
) -> None:
    _no_backups(project_path)
    doc = json.loads((project_path / "project.json").read_text())
    clip = project_path / doc["shots"][0]["takes"][0]["media"]
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(clip.read_bytes())
    clip.unlink()
    clip.symlink_to(secret)
    assert not window.open_project(project_path)
    assert window.document is None
    [(message, _count)] = window.message_bar.messages()
    assert "take 1 of shot 1" in message and "outside the project folder" in message, message
