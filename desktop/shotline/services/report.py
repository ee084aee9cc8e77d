"""A plain, JSON-ready description of a project for `shotline info` and scripts.

The film's length and each crossfade are counted in frames of the project's rate, as the export renders them
(`core.timeline.film_frames`), so `info` says what the export will make. `take_media` reads what a take's file
holds from the file itself: a clip's length is its picture's (`media.probe`), which a project saved earlier may
have stored as its container's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shotline.core.model import Project, Take
from shotline.core.timecode import format_fps, format_time, frame_time_us
from shotline.core.timeline import crossfades, film_frames, film_length_us
from shotline.media.probe import probe, sound_length_us
from shotline.services.take_origin import take_origin

NOTABLE_US = 100_000
"""A sound this much longer or shorter than its picture is worth saying (an encoder pads the last packet of sound
by a few tens of milliseconds)."""


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
                "picked_take_number": shot.takes.index(take) + 1 if take else None,
                "picked_take_source": take_origin(take) if take else None,
                "media": take.media if take else None,
                "trim": {"in": format_time(take.trim.in_us), "out": format_time(take.trim.out_us)} if take else None,
                "trim_us": {"in": take.trim.in_us, "out": take.trim.out_us} if take else None,
                "duration": format_time(shot.duration_us),
                "duration_us": shot.duration_us,
            }
        )
    fps = project.settings.fps
    blends = []
    for blend in crossfades(project):
        length_us = frame_time_us(blend.frames, fps)
        blends.append(
            {
                "from": project.index_of(blend.outgoing.shot.id) + 1,
                "to": project.index_of(blend.incoming.shot.id) + 1,
                "frames": blend.frames,
                "duration": format_time(length_us),
                "duration_us": length_us,
            }
        )
    return {
        "id": project.id,
        "title": project.title,
        "size": str(project.settings.size),
        "fps": format_fps(fps),
        "shots": shots,
        "crossfades": blends,
        "duration": format_time(film_length_us(project)),
        "duration_us": film_length_us(project),
        "frames": film_frames(project),
        "missing_media": missing_media,
    }


def take_media(take: Take, path: Path) -> dict[str, Any]:
    """What `take`'s file at `path` holds, read from the file now: its picture's length, size and frame rate, its
    sound's length, and how far the take's trim runs past the picture's end (the film is black there). Raises
    MediaError when the file cannot be read."""
    info = probe(path)
    sound_us = sound_length_us(path) if info.has_audio else None
    picture = None
    if info.has_video:
        size = info.display_size
        picture = {
            "duration": format_time(info.duration_us),
            "duration_us": info.duration_us,
            "size": f"{size.width}x{size.height}" if size else None,
            "fps": format_fps(info.fps) if info.fps else None,
        }
    return {
        "picture": picture,
        "sound": None if sound_us is None else {"duration": format_time(sound_us), "duration_us": sound_us},
        "past_picture_us": max(0, take.trim.out_us - info.duration_us) if info.has_video else 0,
    }


def describe_take_media(media: dict[str, Any]) -> str:
    """`take_media` in a line: "picture 00:00:30.030, 1920x1080 @ 30000/1001 fps; sound 00:00:30.527 (0.497 s
    longer)", the sound only when it differs notably from the picture."""
    picture, sound = media["picture"], media["sound"]
    parts = []
    if picture is None:
        parts.append("no picture")
    else:
        rate = f" @ {picture['fps']} fps" if picture["fps"] else ""
        parts.append(f"picture {picture['duration']}, {picture['size']}{rate}")
    if sound is None:
        parts.append("no sound")
    elif picture is None or abs(sound["duration_us"] - picture["duration_us"]) >= NOTABLE_US:
        parts.append(f"sound {sound['duration']}{_difference(sound['duration_us'], picture)}")
    if media["past_picture_us"] > 0:
        parts.append(
            f"its trim runs {media['past_picture_us'] / 1_000_000:.3f} s past the picture's end (black in the film)"
        )
    return "; ".join(parts)


def _difference(sound_us: int, picture: dict[str, Any] | None) -> str:
    if picture is None:
        return ""
    gap = (sound_us - picture["duration_us"]) / 1_000_000
    return f" ({abs(gap):.3f} s {'longer' if gap > 0 else 'shorter'})"
