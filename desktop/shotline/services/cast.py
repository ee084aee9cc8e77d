"""The cast and places as the creator works with them: members by name, their pictures brought into the project.

A reference picture comes in like any media (DESIGN §4): checked whole before anything is copied, copied into
media/ under its content's name, and taken out again if the edit fails. The checks are issue 13's for a still: one
regular file, not too large to read (`MAX_PICTURE_BYTES`), a PNG, JPEG or WebP that FFmpeg's image readers alone
open and that decodes, no larger than MAX_SIDE a side (`media.intake.check_still`). A picture taken from a take's
frame is made by Shotline from media already inside the project (`ProjectBundle.resolve` refuses a path that leads
out of it). Every change is one undoable step.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from shotline.core import commands
from shotline.core.cast import mentioned
from shotline.core.errors import MediaUnreadable
from shotline.core.model import CastKind, CastMember, Project, Take, new_id
from shotline.media.intake import Refused, check_still
from shotline.media.thumbnails import thumbnail
from shotline.services.intake import NewMedia, shown, source
from shotline.services.session import ProjectSession
from shotline.storage.bundle import ProjectBundle

PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
MAX_PICTURE_BYTES = 50 * 1024 * 1024
"""No reference picture needs more (an 8192×8192 PNG of a photograph is some 150 MB only uncompressed); a larger
file is refused before a byte of it is read, so a hostile one cannot stall the import hashing it."""
FRAME_WIDTH = 1280
"""How wide a picture taken from a take's frame is made at most: what reference slots take, and light to send."""


def check_picture(path: Path) -> Path:
    """`path` made absolute once it is known to be a picture Shotline takes as a reference; raises MediaUnreadable
    (or its `Refused`) naming the file as the creator knows it."""
    path = source(path)
    name = shown(path.name)
    if path.suffix.lower() not in PICTURE_SUFFIXES:
        raise Refused(f"{name} is not a picture Shotline takes; choose a PNG, JPEG or WebP image.")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise MediaUnreadable(f"Shotline could not read {name} ({error.strerror or error}).") from None
    if size > MAX_PICTURE_BYTES:
        raise Refused(
            f"{name} is {size // 2**20} MB; a reference picture may be up to {MAX_PICTURE_BYTES // 2**20} MB."
        )
    try:
        check_still(path)
    except MediaUnreadable as error:
        raise type(error)(shown(str(error))) from None
    return path


def shown_picture(bundle: ProjectBundle, image: str) -> Path:
    """The file of a member's picture, once it is known to lie inside the project and to be a picture Shotline takes
    (`check_picture`), for the window to read: a hand-made project folder may hold anything under a picture's name,
    and the window shows only what an import would have let in (as issue 13 has it for every picture it shows)."""
    return check_picture(bundle.resolve(image))


def import_pictures(bundle: ProjectBundle, files: Sequence[Path], new_media: NewMedia) -> list[str]:
    """Check every file, then copy each into media/; returns their paths in the project. One refused file stops the
    import before anything is copied. May run off the GUI thread (it touches no project)."""
    checked = [check_picture(Path(file)) for file in files]
    return [new_media.add(bundle.import_media(path)) for path in checked]


def frame_picture(bundle: ProjectBundle, take: Take, at_us: int | None = None) -> str:
    """Save the frame a take shows at `at_us` (on its own clock; default the middle of its trim) into media/ as a
    picture; returns its path in the project. Decodes video: call it off the GUI thread."""
    info = take.info
    if not info.has_video:
        raise MediaUnreadable(f"{take.source_name or 'This take'} has no picture to take a frame from.")
    at = (take.trim.in_us + take.trim.out_us) // 2 if at_us is None else max(take.trim.in_us, at_us)
    width = min(info.display_size.width if info.display_size else FRAME_WIDTH, FRAME_WIDTH)
    width -= width % 2
    with tempfile.TemporaryDirectory(dir=bundle.cache_dir if bundle.cache_dir.is_dir() else None) as scratch:
        still = thumbnail(bundle.resolve(take.media), at, Path(scratch) / "frame.jpg", width)
        return bundle.import_media(still)


def add_member(
    session: ProjectSession,
    name: str,
    kind: CastKind = CastKind.CHARACTER,
    description: str = "",
    pictures: Sequence[Path] = (),
) -> CastMember:
    """A new cast member with its pictures, as one undoable step; a refused picture adds nothing and copies nothing."""
    new_media = NewMedia(session.bundle)
    with new_media.removed_on_failure():
        images = tuple(dict.fromkeys(import_pictures(session.bundle, pictures, new_media)))
        member = CastMember(new_id(), name, kind, description, images)
        session.execute(commands.add_cast_member(member))
    return session.project.member(member.id)


def add_pictures(session: ProjectSession, member_ref: str, pictures: Sequence[Path]) -> CastMember:
    """Add pictures to a member, after its others, as one undoable step."""
    member = session.project.member(member_ref)
    new_media = NewMedia(session.bundle)
    with new_media.removed_on_failure():
        images = import_pictures(session.bundle, pictures, new_media)
        with session.history.transaction("Add reference picture" if len(images) == 1 else "Add reference pictures"):
            for image in images:
                session.execute(commands.add_cast_image(member.id, image))
    return session.project.member(member.id)


def add_frame(session: ProjectSession, member_ref: str, shot_ref: str, take_ref: str, at_us: int | None) -> CastMember:
    """Add a take's frame to a member's pictures as one undoable step (decodes on the calling thread: the window
    makes the picture with `frame_picture` on a worker and adds it with `commands.add_cast_image`)."""
    member = session.project.member(member_ref)
    take = session.project.shot(shot_ref).take(take_ref)
    new_media = NewMedia(session.bundle)
    with new_media.removed_on_failure():
        session.execute(commands.add_cast_image(member.id, new_media.add(frame_picture(session.bundle, take, at_us))))
    return session.project.member(member.id)


def rename(session: ProjectSession, member_ref: str, name: str) -> CastMember:
    member = session.project.member(member_ref)
    session.execute(commands.rename_cast_member(member.id, name))
    return session.project.member(member.id)


def describe(session: ProjectSession, member_ref: str, description: str) -> CastMember:
    member = session.project.member(member_ref)
    session.execute(commands.describe_cast_member(member.id, description))
    session.history.seal()
    return session.project.member(member.id)


def set_kind(session: ProjectSession, member_ref: str, kind: CastKind) -> CastMember:
    member = session.project.member(member_ref)
    session.execute(commands.set_cast_kind(member.id, kind))
    return session.project.member(member.id)


def remove_picture(session: ProjectSession, member_ref: str, picture: str) -> CastMember:
    member = session.project.member(member_ref)
    session.execute(commands.remove_cast_image(member.id, picture))
    return session.project.member(member.id)


def remove(session: ProjectSession, member_ref: str) -> CastMember:
    member = session.project.member(member_ref)
    session.execute(commands.remove_cast_member(member.id))
    return member


def shots_mentioning(project: Project, member: CastMember) -> list[int]:
    """The 1-based numbers of the shots whose prompts mention `member`."""
    return [n for n, shot in enumerate(project.shots, start=1) if member in mentioned(project, shot)]
