"""The gate every use of a project's media passes: the file lies inside the project and is media the import would
take (`media.probe.admitted`), checked again when it is used, not only when it came in.

A project's files can change after they came in: a take's clip swapped for an HLS playlist naming files anywhere on
the computer, for an ffconcat list, or for a link out of the project (issue 13, class 2). The PyAV and ffmpeg
readers hold every file to `media.intake`'s allow-lists, but Qt Multimedia's own FFmpeg, which plays the viewer's
picture and the players' sound, follows a playlist wherever it points. So whatever hands a file to a player, a
thumbnail, a waveform or an export asks here first. Blocking (a file is read whole the first time it is seen as it
is on disk): call it off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from shotline.core.errors import MediaUnreadable
from shotline.media.probe import admitted
from shotline.storage.bundle import ProjectBundle


def admitted_file(bundle: ProjectBundle, media: str) -> Path:
    """The file `media` (a path as the project stores it) names, resolved, once it is known to lie inside the
    project and to be media Shotline takes. Raises ProjectCorrupt for a path or link that leads out, MediaError
    naming the file otherwise."""
    path = bundle.resolve(media)
    admitted(path)
    return path


def admitted_path(bundle: ProjectBundle, path: Path) -> Path:
    """`path` (a file in the project's folder: a take's as `admitted_file` gave it, or a preview Shotline rendered
    into its cache) resolved, once it is known to still lie inside the project, with no link leading out, and to be
    media Shotline takes. Hand a reader the path this returns: a link swapped in on the way after the check
    changes nothing."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as error:  # a loop of links
        raise MediaUnreadable(f"{path.name} cannot be followed ({error}).") from None
    if not resolved.is_relative_to(bundle.path.resolve()):
        raise MediaUnreadable(
            f"{path.name} is now a link to {str(resolved)!r}, outside the project folder; Shotline only reads media "
            "inside the project. Import the file again."
        )
    admitted(resolved)
    return resolved
