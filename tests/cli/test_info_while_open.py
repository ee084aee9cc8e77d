"""`shotline info` only looks, so it works while the window has the project open: it shows the last save and says so.
Commands that change the project are still refused then (one Shotline edits a project at a time)."""

from __future__ import annotations

from pathlib import Path

from shotline.core import commands
from shotline.services.session import ProjectSession
from tests.cli.shotline_cli import info, ok, shotline


def test_info_shows_the_last_save_of_a_project_open_elsewhere_and_editing_is_still_refused(tmp_path: Path) -> None:
    project = tmp_path / "Open.shotline"
    ok("new", project)
    ok("add", project, "--prompt", "Harbour at dawn", "--title", "Saved title")
    with ProjectSession.open(project) as window:  # holds the lock, as the window does
        window.execute(commands.set_title(window.project.shots[0].id, "Not saved yet"))
        window.bundle.write_recovery(window.project)

        looked = shotline("info", project)
        assert looked.code == 0, looked.err
        assert "Saved title" in looked.out and "Not saved yet" not in looked.out
        assert "open in another Shotline" in looked.err and "last saved" in looked.err
        assert "Traceback" not in looked.err

        edit = shotline("add", project, "--prompt", "Gulls")
        assert edit.code != 0 and "open in another Shotline" in edit.err
        assert "pid" in (project / ".lock").read_text()  # looking left the holder's name for that message
    assert [shot["title"] for shot in info(project)["shots"]] == ["Saved title"]
