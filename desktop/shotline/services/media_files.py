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

from fractions import Fraction
from pathlib import Path, PurePosixPath

from shotline.core.errors import MediaError, MediaUnreadable
from shotline.core.model import MediaInfo, Project, Trim
from shotline.core.timecode import US_PER_SECOND, format_time
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


_SLACK_US = 50_000
"""How far a trim may run past its file's end, when the file's rate is unknown, before the file is called shorter
than the project says."""


def check_lengths(project: Project, bundle: ProjectBundle) -> None:
    """Each picked take and sound clip holds, in its file, the part the project plays (admitting each file).

    The loader keeps a trim inside its clip's length as project.json declares it (`MediaInfo.duration_us`); only
    the file can tell whether that is true. A hand-edited project declaring a 2 s clip a day long exported a day of
    black picture and silence, filling the disk (issue 13, class 3). Blocking: call it where the export renders.
    Raises MediaError naming the shot or sound clip and its file as the creator knows it."""
    names = project.media_names()
    for number, shot in enumerate(project.shots, start=1):
        take = shot.picked_take
        if take is not None:
            what = f"Shot {number}" + (f" ({shot.title!r})" if shot.title else "")
            _check_length(bundle, take.media, take.trim, take.info, what, names[take.media])
    for number, clip in enumerate(project.audio, start=1):
        _check_length(bundle, clip.media, clip.trim, clip.info, f"Sound clip {number}", names[clip.media])


def _check_length(bundle: ProjectBundle, media: str, trim: Trim, said: MediaInfo, what: str, name: str) -> None:
    try:
        real = admitted(admitted_file(bundle, media))
    except MediaError as error:  # it names the file as the project stores it (a made-up name)
        raise type(error)(str(error).replace(PurePosixPath(media).name, name)) from None
    fps = real.fps or said.fps
    slack = int(Fraction(US_PER_SECOND) / fps) if fps else _SLACK_US
    if trim.out_us > real.duration_us + slack:
        raise MediaUnreadable(
            f"{what} plays its file {name} to {format_time(trim.out_us)}, but the file holds "
            f"{format_time(real.duration_us)} (the project says it is {format_time(said.duration_us)} long: the "
            "project file was edited, or the file replaced). Relink the file or trim it again."
        )
