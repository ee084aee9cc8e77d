"""Helpers for media tests: a project whose shots play given clips, built with the real probe."""

from __future__ import annotations

from pathlib import Path

from shotline.core.model import Origin, Project, Shot, Take, Trim, new_id
from shotline.media.probe import probe


def project_of(clips: list[tuple[Path, Trim | None]], root: Path) -> Project:
    """One shot per clip, its take picked and trimmed (None = the whole clip); media paths relative to `root`."""
    shots = []
    for number, (path, trim) in enumerate(clips, start=1):
        info = probe(path)
        take = Take(
            id=new_id(),
            media=path.relative_to(root).as_posix(),
            origin=Origin.IMPORTED,
            info=info,
            trim=trim or Trim(0, info.duration_us),
        )
        shots.append(Shot(id=new_id(), prompt=f"clip {number}", title=path.stem, takes=(take,), picked_take_id=take.id))
    return Project(id=new_id(), title="test", shots=tuple(shots))
