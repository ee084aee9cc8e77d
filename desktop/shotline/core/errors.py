"""Every error Shotline raises on purpose, as one tree, so callers can catch at the level they can handle.

ShotlineError
├── ProjectError                   a project cannot be opened or saved
│   ├── ProjectNotFound
│   ├── ProjectCorrupt             project.json unreadable, truncated or invalid
│   │   └── ArchiveDamaged         a shared .shotline.zip that is unsafe, damaged or not Share's
│   ├── ProjectTooNew              written by a newer Shotline
│   ├── ProjectLocked              open in another Shotline
│   └── SaveFailed                 disk full, read-only folder…; the previous file is intact
├── EditError                      an edit that does not make sense for this project
│   ├── UnknownShot
│   ├── UnknownTake
│   ├── UnknownLane
│   ├── UnknownAudioClip
│   ├── UnknownCastMember
│   └── InvalidTrim
├── MediaError
│   ├── MediaUnreadable            not a video/audio file, zero bytes, broken
│   ├── MediaMissing               a file the project refers to is not there
│   ├── ToolMissing                no ffmpeg could be found
│   ├── RenderFailed
│   ├── RenderCancelled
│   ├── TargetInUse                an export would write over a file the project uses, or into its folder
│   └── TargetExists               an export's file is already there and replacing it was not asked for
├── KeyStoreError                  the OS keyring refused or is not available
├── OverBudget                     new jobs would take the project past its budget
├── UnknownBackend
└── BackendError                   a generation backend said no, or could not be reached
    ├── AuthFailed                 bad or missing key
    ├── QuotaExceeded              rate limit or no credit
    ├── InputRejected              the provider refused a setting or input
    ├── ContentBlocked             a safety filter stopped the job
    ├── TransientError             worth trying again later
    │   ├── ProviderUnreachable    no answer came at all
    │   └── LinkExpired            a clip's signed link expired: ask the provider for a fresh one
    ├── ModelRetired
    ├── AmbiguousSubmit            a create may or may not have started a billed job
    └── JobFailed                  the provider ran the job and it failed

Messages are written for the creator: they say what happened and what to do, and never carry a key. Below the tree
is the one place where errors become those words (`creator_message`, used by the command line and the window):
an OS or ffmpeg error by its plain reason, never its errno number, and Shotline's hidden temporary files by the
name of the file they become, never their own.
"""

from __future__ import annotations

import re


class ShotlineError(Exception):
    """Base of every error Shotline raises on purpose; its message is shown to the creator as is."""


class ProjectError(ShotlineError):
    pass


class ProjectNotFound(ProjectError):
    pass


class ProjectCorrupt(ProjectError):
    pass


class ArchiveDamaged(ProjectCorrupt):
    """A shared archive that was refused: nothing was written, and its message names the archive and why."""


class ProjectTooNew(ProjectError):
    pass


class ProjectLocked(ProjectError):
    pass


class SaveFailed(ProjectError):
    pass


class EditError(ShotlineError):
    pass


class UnknownShot(EditError):
    pass


class UnknownTake(EditError):
    pass


class UnknownLane(EditError):
    pass


class UnknownAudioClip(EditError):
    pass


class UnknownCastMember(EditError):
    pass


class InvalidTrim(EditError):
    pass


class MediaError(ShotlineError):
    pass


class MediaUnreadable(MediaError):
    pass


class MediaMissing(MediaError):
    pass


class ToolMissing(MediaError):
    pass


class RenderFailed(MediaError):
    pass


class RenderCancelled(MediaError):
    pass


class TargetInUse(MediaError):
    pass


class TargetExists(MediaError):
    pass


class KeyStoreError(ShotlineError):
    pass


class OverBudget(ShotlineError):
    pass


class UnknownBackend(ShotlineError):
    pass


class BackendError(ShotlineError):
    pass


class AuthFailed(BackendError):
    pass


class QuotaExceeded(BackendError):
    pass


class InputRejected(BackendError):
    pass


class ContentBlocked(BackendError):
    pass


class TransientError(BackendError):
    pass


class ProviderUnreachable(TransientError):
    """No answer came from the provider at all (no connection, a failed name lookup, a timeout): nothing is known
    about the request, nor about the key it carried."""


class LinkExpired(TransientError):
    """A result link answered 403/404/410: signed links expire, so the job asks the provider for a fresh one."""


class ModelRetired(BackendError):
    def __init__(self, message: str, replacement: str | None = None) -> None:
        super().__init__(message)
        self.replacement = replacement


class AmbiguousSubmit(BackendError):
    pass


class JobFailed(BackendError):
    pass


_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")
_TEMPORARY = re.compile(
    r"(?<![^\s/\\'\"(])"  # the start of a file name: after a space, a quote, a bracket or a folder
    r"\.(?P<name>[^/\\'\"\n]+?)"  # hidden, then the name of the file it becomes (spaces and all)…
    r"\.(?:partial-[0-9a-f]{8}(?:\.\w+)*|[0-9a-f]{8}\.(?:tmp|partial)|\d+\.part)"  # …and how Shotline marks it
    r"(?:[/\\](?P=name))?"  # a hidden folder holding the file under its own name (a film being signed)
)
"""The names Shotline gives the files it writes before they replace the real one: `.film.mp4.partial-1ceef352.mp4`
(exports), `.project.json.1a2b3c4d.tmp` (saves), `.Film.shotline.zip.28806.part` (shared archives)."""


def in_creator_words(text: str) -> str:
    """`text` with each hidden temporary file named as the file it becomes, and errno numbers left out."""
    return _TEMPORARY.sub(lambda found: found["name"], _ERRNO.sub("", text))


def plain_reason(error: BaseException) -> str:
    """Why an OS or ffmpeg (PyAV) call failed, in the system's words ("No space left on device"): without the errno
    number and the file name that `str()` adds, because the sentence around it names the creator's own file."""
    reason = getattr(error, "strerror", None)
    return reason if isinstance(reason, str) and reason else in_creator_words(str(error))


def creator_message(error: BaseException) -> str | None:
    """The sentence a creator sees for an error Shotline expects: its own, or one the OS or ffmpeg raised. None for
    anything else, which is a bug (the caller logs it with its traceback)."""
    if isinstance(error, ShotlineError):
        return in_creator_words(str(error))
    if isinstance(error, OSError) or isinstance(getattr(error, "strerror", None), str):
        filename = getattr(error, "filename", None)
        where = f" ({in_creator_words(str(filename))})" if filename else ""
        return f"{plain_reason(error)}{where}"
    return None
