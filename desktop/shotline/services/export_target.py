"""Where an export may write: never over a file the project uses or into its folder, and over an existing file only
when the creator said so.

One rule for the command line (`export --overwrite`), the demo and the window (which asks before replacing). Files
are compared as the file system sees them (`os.path.samefile`), so a symlink, a hard link or a differently cased
name on a case-insensitive disk is the same file as the one it names.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from shotline.core.errors import ProjectCorrupt, TargetExists, TargetInUse
from shotline.media.provenance import recorded
from shotline.services.session import ProjectSession

__all__ = ["check_target", "is_earlier_export"]


def check_target(session: ProjectSession, output: Path, *, replace: bool) -> None:
    """Refuse `output` with TargetInUse when it is in the project's folder or is a file the project uses (even when
    `replace` is given), and with TargetExists when something is already there and `replace` is False."""
    output = output.absolute()
    folder = session.bundle.path
    if any(_same_file(place, folder) for place in (output, *output.parents)):
        raise TargetInUse(
            f"{output.name} would be written inside the project {folder.name}, where Shotline keeps the project's "
            "own files; export to a folder outside it."
        )
    if not os.path.lexists(output):
        return
    names = session.project.media_names()
    for rel in session.project.media_paths():
        with contextlib.suppress(ProjectCorrupt):  # a path that leaves the folder names no file of the project
            if _same_file(output, session.bundle.resolve(rel)):
                name = names.get(rel, "one of the project's own pictures")
                raise TargetInUse(
                    f"{output.name} is the same file as {name}, which this project uses; exporting over it would "
                    "destroy it. Choose another name for the export."
                )
    if not replace:
        raise TargetExists(f"{output} already exists.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:  # one of them is not there (or cannot be looked at), so they are not one file
        return False


def is_earlier_export(session: ProjectSession, output: Path) -> bool:
    """Whether `output` is a film Shotline exported from this project before, as its own provenance tags say (the
    demo replaces its earlier film this way; a creator's other files carry no such tags)."""
    record = recorded(output) if output.is_file() else None
    return record is not None and record.get("project") == session.project.title
