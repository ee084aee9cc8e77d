"""What the welcome page shows of a recent project: its title, when it was last saved, how many shots and how
long, and a picture (the first shot's picked take, from the project's thumbnail cache).

Read without the project's lock (another Shotline may have it open) and off the GUI thread; a project that cannot
be read is shown by its name only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from shotline.core.errors import ShotlineError
from shotline.core.model import Project
from shotline.core.timeline import film_length_us
from shotline.media.thumbnails import thumbnail
from shotline.services.media_files import admitted_file
from shotline.services.thumbnails import thumbnail_path
from shotline.storage.bundle import PROJECT_FILE, ProjectBundle, cached

log = logging.getLogger(__name__)

POSTER_WIDTH = 160


@dataclass(frozen=True, slots=True)
class RecentProject:
    path: Path
    title: str
    saved: datetime | None
    """When project.json was last written, in local time."""
    shots: int = 0
    length_us: int = 0
    poster: Path | None = None
    """A JPEG of the first shot's picked take, when there is one."""


def read_recent(path: Path) -> RecentProject:
    """The facts about the project at `path`; never raises (a project that cannot be read gives its name only)."""
    name = path.name.removesuffix(".shotline")
    try:
        saved = datetime.fromtimestamp((path / PROJECT_FILE).stat().st_mtime).astimezone()
    except OSError:
        saved = None
    try:
        with ProjectBundle.open(path, read_only=True) as bundle:
            project = bundle.load()
            poster = _poster(bundle, project)
    except (ShotlineError, OSError, ValueError) as error:
        log.info("Recent project %s could not be read: %s", path, error)
        return RecentProject(path, name, saved)
    return RecentProject(
        path, project.title.strip() or name, saved, len(project.shots), film_length_us(project), poster
    )


def _poster(bundle: ProjectBundle, project: Project) -> Path | None:
    take = next((shot.picked_take for shot in project.shots if shot.picked_take is not None), None)
    if take is None or not take.info.has_video:
        return None
    at_us = take.trim.in_us + take.trim.duration_us // 2
    dest = thumbnail_path(bundle, take, at_us, POSTER_WIDTH)
    if cached(dest):
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        return thumbnail(admitted_file(bundle, take.media), at_us, dest, POSTER_WIDTH)
    except (ShotlineError, OSError) as error:
        log.info("No picture for recent project %s: %s", bundle.path, error)
        return None


def describe_saved(saved: datetime | None, now: datetime) -> str:
    """ "saved today, 11:43", "saved yesterday, 18:02", "saved 3 Dec 2026"; "" when unknown."""
    if saved is None:
        return ""
    day = saved.date()
    if day == now.date():
        return f"saved today, {saved:%H:%M}"
    if day == (now - timedelta(days=1)).date():
        return f"saved yesterday, {saved:%H:%M}"
    return f"saved {saved.day} {saved:%b %Y}"


def describe_recent(recent: RecentProject, now: datetime) -> str:
    """The line under a recent project's title: when it was saved, its shots and length, its folder."""
    seconds = round(recent.length_us / 1e6)
    minutes, secs = divmod(seconds, 60)
    parts = [describe_saved(recent.saved, now)]
    if recent.shots:
        parts.append(f"{recent.shots} shot{'s' if recent.shots != 1 else ''}, {minutes}:{secs:02d}")
    parts.append(str(recent.path.parent))
    return " · ".join(part for part in parts if part)
