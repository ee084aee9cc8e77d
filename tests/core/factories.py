"""Small builders for core tests: projects with shots and takes of known lengths."""

from __future__ import annotations

from fractions import Fraction

from shotline.core.model import MediaInfo, Origin, Project, Shot, Size, Take, Trim


def take(take_id: str, seconds: float = 4.0, fps: int = 25) -> Take:
    duration = round(seconds * 1_000_000)
    info = MediaInfo(duration, has_video=True, has_audio=True, fps=Fraction(fps), size=Size(320, 240))
    return Take(take_id, f"media/{take_id}.mp4", Origin.IMPORTED, info, Trim(0, duration))


def shot(shot_id: str, *take_ids: str, seconds: float = 4.0) -> Shot:
    takes = tuple(take(t, seconds) for t in take_ids)
    return Shot(
        shot_id,
        prompt=f"prompt of {shot_id}",
        title=shot_id.upper(),
        takes=takes,
        picked_take_id=takes[0].id if takes else None,
    )


def project(*shots: Shot) -> Project:
    return Project(id="p", title="Test", shots=shots)
