"""What a project refers to, and the rule every reference keeps: it names a file inside the project folder.

A project names its media (takes, sound clips) and the pictures its shots start from, end on or follow, and its
cast's reference pictures, by paths
relative to its folder (DESIGN §4). Shotline only ever writes `media/<name>`; a path that leaves the folder comes
from a hand edit or from someone else's project, and following it would read, export or upload a file the creator
never gave Shotline (issue 13: a shared project's first frame named a file elsewhere on the computer, and
`generate` sent it to a provider). So a project that refers outside its folder does not open: the loader refuses
it as damaged, naming the shot and field. Quietly dropping the reference instead would change what a paid
generation asks for, and marking it missing would invite relinking a file that was never the creator's.

`check_names` is the part that needs no disk (the schema runs it on every load, so backups, autosaves and shared
archives are held to it too); `check_references` adds what only the folder can tell: a link that resolves outside
it, or something that is not a plain file (a folder, a device, a FIFO). Anything that opens a project from a
folder calls it: the bundle on every load, the archive reader after unpacking.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from shotline.core.errors import ProjectCorrupt
from shotline.core.model import Project

_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OWN = frozenset({"project.json", "jobs.sqlite", "jobs.sqlite-wal", "jobs.sqlite-shm", "cache"})
"""Shotline's own files and folders at the top of a project: never media, whatever a project says."""


@dataclass(frozen=True, slots=True)
class Reference:
    """One path a project refers to: where it is in project.json, what it is to the creator, and the path."""

    field: str
    """The field in project.json, e.g. "shots[2].generation.first_frame"."""
    what: str
    """The same in the creator's words, e.g. "the first frame of shot 3 ('Harbour')"."""
    path: str
    still: bool = False
    """It names a still picture (a frame or reference a model is sent), not a clip or a sound."""


def references(project: Project) -> Iterator[Reference]:
    """Every path the project refers to, in the order project.json holds them (a path used twice comes twice)."""
    for number, shot in enumerate(project.shots):
        name = f"shot {number + 1}" + (f" ({shot.title!r})" if shot.title else "")
        where = f"shots[{number}]"
        for index, take in enumerate(shot.takes):
            yield Reference(f"{where}.takes[{index}].media", f"take {index + 1} of {name}", take.media)
        gen = shot.generation
        if gen.first_frame is not None:
            yield Reference(f"{where}.generation.first_frame", f"the first frame of {name}", gen.first_frame, True)
        if gen.last_frame is not None:
            yield Reference(f"{where}.generation.last_frame", f"the last frame of {name}", gen.last_frame, True)
        for index, image in enumerate(gen.reference_images):
            yield Reference(
                f"{where}.generation.reference_images[{index}]", f"reference image {index + 1} of {name}", image, True
            )
    for index, clip in enumerate(project.audio):
        yield Reference(f"audio[{index}].media", f"sound clip {index + 1} on the {clip.lane!r} lane", clip.media)
    for index, take in enumerate(project.assets):
        yield Reference(f"assets[{index}].media", f"take {index + 1} in the library", take.media)
    for index, removed in enumerate(project.removed_takes):
        yield Reference(f"removed_takes[{index}].take.media", f"deleted take {index + 1}", removed.take.media)
    for number, member in enumerate(project.cast):
        for index, image in enumerate(member.images):
            yield Reference(f"cast[{number}].images[{index}]", f"picture {index + 1} of @{member.name}", image, True)


def name_problem(path: str) -> str | None:
    """Why `path` cannot name a file inside a project folder, or None if it can. Needs no disk."""
    if not path:
        return "is empty"
    if _CONTROL.search(path):
        return "holds a control character"
    if "\\" in path:
        return "uses backslashes"
    pure = PurePosixPath(path)
    if pure.is_absolute() or _DRIVE.match(path) or path.startswith("//"):
        return "is an absolute path, outside the project folder"
    parts = path.split("/")
    if ".." in parts:
        return "climbs out of the project folder with '..'"
    if any(part in ("", ".") for part in parts):
        return "is not a plain path (it has an empty or '.' part)"
    if parts[0] in _OWN or any(part.startswith(".") for part in parts):
        return "names one of Shotline's own files, not media"
    return None


OWN_ENTRIES = (
    "project.json",
    ".lock",
    "jobs.sqlite",
    "jobs.sqlite-wal",
    "jobs.sqlite-shm",
    "jobs.sqlite-journal",
    "media",
    "cache",
    ".backups",
    ".recovery",
    ".partial",
    "cache/thumbnails",
    "cache/waveforms",
    "cache/previews",
    "cache/loudness",
)
"""The files and folders of a project folder that Shotline itself reads and writes (a file in the cache is read back
only if it is no link: `storage.bundle.cached`)."""


_LINK_TAGS = frozenset({0xA000000C, 0xA0000003})
"""Windows' reparse tags for a symbolic link and a junction (stat.IO_REPARSE_TAG_SYMLINK and _MOUNT_POINT, which
the stat module defines on Windows only)."""


def is_link(path: Path) -> bool:
    """A symbolic link, or on Windows a junction too: a folder link anyone can make without rights, which
    Path.is_symlink does not see before Python 3.12. Other reparse points (a OneDrive file kept online) are files."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISLNK(found.st_mode) or getattr(found, "st_reparse_tag", 0) in _LINK_TAGS


def check_own_entries(root: Path) -> None:
    """The rule for the project folder's own files and folders (`OWN_ENTRIES`): none is a link. Shotline writes into
    them (the lock's holder record, the job journal, imported media, backups, the cache) and reads them back, so a
    link would have it write, truncate or read a file elsewhere: a project folder whose .lock was a link to another
    file had that file overwritten, one whose media folder was a link had imports copied out of the project.

    Raises ProjectCorrupt naming the first link; call it before anything in the folder is opened."""
    for name in OWN_ENTRIES:
        entry = Path(root) / name
        try:
            if not is_link(entry):
                continue
            target = str(entry.readlink())
        except OSError:
            continue  # not there, or not readable: each reader says so in its own words
        raise ProjectCorrupt(
            f"The project folder is damaged: its {name} is a link to {target!r}. Shotline only writes a project's "
            f"own files inside its folder, so it does not open it; replace the link with the {name} it points to, "
            "or remove it."
        )


class _Outside(Exception):
    """Why a path does not lead to a file inside the folder, in words that follow "which"."""


def _follow(folder: Path, path: str) -> Path:
    """`path` in the (resolved) `folder`, its links followed; raises _Outside if it does not stay inside."""
    problem = name_problem(path)
    if problem:
        raise _Outside(problem)
    try:
        full = (folder / path).resolve()
    except (OSError, RuntimeError) as error:  # a loop of links, or a name the system refuses
        raise _Outside(f"cannot be followed ({error})") from error
    if not full.is_relative_to(folder):
        raise _Outside(f"is a link to {str(full)!r}, outside the project folder")
    return full


def _refuse(reference: Reference, problem: str) -> ProjectCorrupt:
    return ProjectCorrupt(
        f"The project file is damaged: {reference.what} ({reference.field}) is {reference.path!r}, which {problem}. "
        "Shotline only reads media inside the project folder; import the file into the project again."
    )


def check_names(project: Project) -> None:
    """Raise ProjectCorrupt naming the first reference that cannot lie inside the project folder."""
    for reference in references(project):
        problem = name_problem(reference.path)
        if problem:
            raise _refuse(reference, problem)


def inside(root: Path, path: str) -> Path:
    """The file `path` names in the project at `root`, resolved (links followed); raises ProjectCorrupt if the path
    or a link on the way leads outside the folder. Whether the file exists is the caller's question."""
    try:
        return _follow(Path(root).resolve(), path)
    except _Outside as outside:
        raise ProjectCorrupt(
            f"The project refers to {path!r}, which {outside}. Shotline only reads media inside the project; "
            "import the file again."
        ) from None


def check_references(project: Project, root: Path) -> None:
    """The rule for a project opened from the folder `root`: every reference names a path inside the folder, is
    not a link leading out of it, and is a plain file if it is there at all (a missing one is for relinking).

    Raises ProjectCorrupt naming the shot and field of the first that breaks it. Call it wherever a project is
    opened from a folder: on load, and after unpacking a shared archive (whose warnings must never let such a
    project through)."""
    folder = Path(root).resolve()
    for reference in references(project):
        try:
            mode = _follow(folder, reference.path).stat().st_mode
        except _Outside as outside:
            raise _refuse(reference, str(outside)) from None
        except (FileNotFoundError, NotADirectoryError):
            continue  # missing media: the window offers to relink it
        except OSError as error:
            raise _refuse(reference, f"cannot be read ({error.strerror or error})") from error
        if not stat.S_ISREG(mode):
            raise _refuse(reference, "is not a plain file (a folder, device or pipe)")
