"""Rotated copies of project.json in `.backups/`, thinned by age so they never fill the disk.

Each save first keeps the previous project.json as `project-<UTC time>.json`. We keep the newest ten, plus the
newest of each hour for the last day, of each day for the last month, and of each month before that: the recent
past in detail, the distant past in outline.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shotline.storage import atomic
from shotline.storage.atomic import replace_with_retry, temp_name

log = logging.getLogger(__name__)

KEEP_NEWEST = 10
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"project-(\d{8}T\d{12}Z)(?:-(\d+))?\.json")


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    saved_at: datetime
    """When this version stopped being current (the moment it was backed up), UTC."""

    @property
    def label(self) -> str:
        return self.saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def list_backups(folder: Path) -> list[Backup]:
    """Backups in `folder`, newest first. Files that do not look like ours are left alone."""
    found: list[Backup] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if match:
            stamp = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
            found.append(Backup(entry, stamp + timedelta(microseconds=int(match[2] or 0))))
    found.sort(key=lambda b: (b.saved_at, b.path.name), reverse=True)
    return found


def backup_file(source: Path, folder: Path, now: datetime | None = None) -> Path:
    """Keep a copy of `source` in `folder`. A hard link costs nothing because saves replace, never rewrite."""
    folder.mkdir(exist_ok=True)
    newest = next(iter(list_backups(folder)), None)
    if newest is not None and _same_file(newest.path, source):
        # A save that crashed after its backup already kept this version; don't keep it twice.
        return newest.path
    moment = now or datetime.now(UTC)
    target = folder / f"project-{moment.strftime(_STAMP)}.json"
    counter = 0
    while target.exists():
        counter += 1
        target = folder / f"project-{moment.strftime(_STAMP)}-{counter}.json"
    try:
        os.link(source, target)
    except OSError:
        # File systems without hard links (FAT, some network shares): copy, still atomically.
        temp = temp_name(target)
        try:
            shutil.copyfile(source, temp)
            replace_with_retry(temp, target)
        finally:
            temp.unlink(missing_ok=True)
    atomic.crash_point("backed up")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b) or (a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes())
    except OSError:
        return False


def to_discard(backups: Iterable[Backup], now: datetime) -> list[Backup]:
    """Which backups thinning drops: everything not kept by the newest-ten / hourly / daily / monthly rules."""
    ordered = sorted(backups, key=lambda b: b.saved_at, reverse=True)
    keep = {b.path for b in ordered[:KEEP_NEWEST]}
    seen: set[tuple[str, int]] = set()
    for backup in ordered:
        age = now - backup.saved_at
        if age <= timedelta(days=1):
            bucket = ("hour", int(backup.saved_at.timestamp() // 3600))
        elif age <= timedelta(days=31):
            bucket = ("day", int(backup.saved_at.timestamp() // 86400))
        else:
            bucket = ("month", backup.saved_at.year * 12 + backup.saved_at.month)
        if bucket not in seen:
            seen.add(bucket)
            keep.add(backup.path)
    return [b for b in ordered if b.path not in keep]


def thin(folder: Path, now: datetime | None = None) -> int:
    """Delete the backups thinning drops; returns how many went."""
    removed = 0
    for backup in to_discard(list_backups(folder), now or datetime.now(UTC)):
        try:
            backup.path.unlink()
            removed += 1
            atomic.crash_point("old backup removed")
        except OSError as error:
            log.warning("Could not remove the old backup %s: %s", backup.path.name, error)
    return removed
