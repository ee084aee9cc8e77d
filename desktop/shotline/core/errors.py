"""Every error Shotline raises on purpose, as one tree, so callers can catch at the level they can handle.

ShotlineError
├── ProjectError                   a project cannot be opened or saved
│   ├── ProjectNotFound
│   ├── ProjectCorrupt             project.json unreadable, truncated or invalid
│   ├── ProjectTooNew              written by a newer Shotline
│   ├── ProjectLocked              open in another Shotline
│   └── SaveFailed                 disk full, read-only folder…; the previous file is intact
├── EditError                      an edit that does not make sense for this project
│   ├── UnknownShot
│   ├── UnknownTake
│   ├── UnknownLane
│   ├── UnknownAudioClip
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
    ├── ModelRetired
    ├── AmbiguousSubmit            a create may or may not have started a billed job
    └── JobFailed                  the provider ran the job and it failed

Messages are written for the creator: they say what happened and what to do, and never carry a key.
"""

from __future__ import annotations


class ShotlineError(Exception):
    """Base of every error Shotline raises on purpose; its message is shown to the creator as is."""


class ProjectError(ShotlineError):
    pass


class ProjectNotFound(ProjectError):
    pass


class ProjectCorrupt(ProjectError):
    pass


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


class ModelRetired(BackendError):
    def __init__(self, message: str, replacement: str | None = None) -> None:
        super().__init__(message)
        self.replacement = replacement


class AmbiguousSubmit(BackendError):
    pass


class JobFailed(BackendError):
    pass
