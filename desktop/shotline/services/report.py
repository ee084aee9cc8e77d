"""A plain, JSON-ready description of a project for `shotline info` and scripts."""

from __future__ import annotations

from typing import Any

from shotline.core.model import Project
from shotline.core.timecode import format_fps, format_time


def project_report(project: Project, missing_media: list[str]) -> dict[str, Any]:
    shots = []
    for position, shot in enumerate(project.shots, start=1):
        take = shot.picked_take
        shots.append(
            {
                "position": position,
                "id": shot.id,
                "title": shot.title,
                "prompt": shot.prompt,
                "backend": shot.generation.backend,
                "model": shot.generation.model,
                "takes": len(shot.takes),
                "picked_take": take.id if take else None,
                "media": take.media if take else None,
                "trim": {"in": format_time(take.trim.in_us), "out": format_time(take.trim.out_us)} if take else None,
                "trim_us": {"in": take.trim.in_us, "out": take.trim.out_us} if take else None,
                "duration": format_time(shot.duration_us),
                "duration_us": shot.duration_us,
            }
        )
    return {
        "id": project.id,
        "title": project.title,
        "size": str(project.settings.size),
        "fps": format_fps(project.settings.fps),
        "shots": shots,
        "duration": format_time(project.duration_us),
        "duration_us": project.duration_us,
        "missing_media": missing_media,
    }
