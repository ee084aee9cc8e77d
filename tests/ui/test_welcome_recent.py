"""Issue 14, point 17: the welcome page's recent projects show a picture of each film (its first picked take) and
when it was last saved, with its shots and length, read off the GUI thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.services.recent import RecentProject, describe_saved
from shotline.ui.bridge import Bridge
from shotline.ui.welcome import WelcomePage
from tests.ui.shell_fixtures import private_settings

pytestmark = pytest.mark.ffmpeg


def test_recent_projects_show_a_picture_and_when_they_were_saved(
    qtbot, app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    private_settings(app_context, tmp_path / "settings")
    preferences.remember_recent(app_context, project_path)
    page = WelcomePage(app_context, Bridge())
    qtbot.addWidget(page)
    page.show()
    item = page.recent.item(0)
    assert item.text().startswith(project_path.name.removesuffix(".shotline"))  # the name at once
    qtbot.waitUntil(lambda: "saved today" in page.recent.item(0).text(), timeout=20_000)
    item = page.recent.item(0)
    assert item.text().startswith("Test film\n"), item.text()  # the film's title, then its facts
    assert "3 shots" in item.text() and str(project_path.parent) in item.text()
    assert item.icon().availableSizes(), "no picture of the film"  # a poster, not the generic film icon
    assert Path(item.data(256)) == project_path.resolve()


def test_the_saved_date_reads_plainly() -> None:
    now = datetime(2026, 12, 7, 12, 30).astimezone()
    assert describe_saved(now.replace(hour=9, minute=5), now) == "saved today, 09:05"
    assert describe_saved(now - timedelta(days=1), now) == "saved yesterday, 12:30"
    assert describe_saved(now - timedelta(days=4), now) == "saved 3 Dec 2026"
    assert describe_saved(None, now) == ""
    assert RecentProject(Path("/x/a.shotline"), "a", None).poster is None
