"""Marker edits: pure functions from a project to a project, like every edit (DESIGN §3).

Markers stay in time order, one to a moment: marking where a marker already is changes nothing.
"""

from __future__ import annotations

from dataclasses import replace

from shotline.core.errors import EditError
from shotline.core.model import Marker, Project


def add_marker(project: Project, marker: Marker) -> Project:
    if marker.at_us < 0:
        raise EditError("A marker cannot go before the start of the film.")
    if any(existing.at_us == marker.at_us for existing in project.markers):
        return project
    return replace(project, markers=tuple(sorted((*project.markers, marker), key=lambda m: m.at_us)))


def remove_marker(project: Project, marker_id: str) -> Project:
    kept = tuple(marker for marker in project.markers if marker.id != marker_id)
    if len(kept) == len(project.markers):
        raise EditError("That marker is no longer on the timeline.")
    return replace(project, markers=kept)
