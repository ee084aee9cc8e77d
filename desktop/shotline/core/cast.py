"""The cast and places: the rules for a cast member's name, how prompts mention one (`@Name`), and the pure edits.

A prompt names a cast member as `@` and its name, a name being one word (letters, digits and `_`, starting with a
letter), so a mention ends where the word does: "@Mara's boat" mentions Mara. Names are matched without regard to
case, as a creator types them; two members may not share a name in any case. An `@` right after a letter or digit
is no mention (an e-mail address in a prompt stays as it is).

Renaming a member rewrites every mention of it in every shot's prompt and negative prompt in the same edit, so one
undo step brings both back. Removing a member leaves the prompts as the creator wrote them; the lines it said
keep its name, as a typed speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from shotline.core import dialogue
from shotline.core.errors import EditError
from shotline.core.model import CastKind, CastMember, Project, Shot

MAX_NAME = 40
"""Characters in a name: enough for "Harbourmaster_Ellis", short enough to read in a prompt."""
MAX_DESCRIPTION = 2_000
"""Characters in a description: written into a prompt for a model that takes no picture, so it stays a paragraph."""
MAX_IMAGES = 16
"""Reference pictures per member: more than any model takes (the most take 7), few enough to look through."""

_NAME = re.compile(r"[^\W\d_]\w*")
_MENTION = re.compile(r"(?<![\w@])@(\w+)")
"""`@` and a word, not after a letter, digit or another `@`: the word is the name mentioned."""


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a cast member, in words that follow "the name …", or None if it can."""
    if not name:
        return "is empty"
    if len(name) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    if not _NAME.fullmatch(name):
        return "must be one word of letters, digits or _, starting with a letter (it follows @ in a prompt)"
    return None


def check_name(name: str) -> str:
    """`name` without a leading "@" and surrounding spaces, or EditError saying why it cannot name a member."""
    name = name.strip().removeprefix("@")
    problem = name_problem(name)
    if problem:
        raise EditError(f"The name {name!r} {problem}.")
    return name


def mentions(text: str) -> Iterator[re.Match[str]]:
    """Every `@word` in `text`; group 1 is the word (which may name no member)."""
    return _MENTION.finditer(text)


def mentioned(project: Project, shot: Shot) -> tuple[CastMember, ...]:
    """The cast members `shot`'s prompt mentions, each once, in the order the prompt first mentions them."""
    by_name = {member.name.casefold(): member for member in project.cast}
    found = (by_name.get(match[1].casefold()) for match in mentions(shot.prompt))
    return tuple(dict.fromkeys(member for member in found if member is not None))


def rename_mentions(text: str, old: str, new: str) -> str:
    """`text` with every mention of `old` (any case) written as `@new`."""
    old = old.casefold()
    return _MENTION.sub(lambda match: f"@{new}" if match[1].casefold() == old else match[0], text)


def _taken(project: Project, name: str, but: str | None = None) -> None:
    for member in project.cast:
        if member.id != but and member.name.casefold() == name.casefold():
            raise EditError(f"The cast already has @{member.name}; give this one another name.")


def _description(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise EditError(f"A description is at most {MAX_DESCRIPTION} characters; this one has {len(text)}.")
    return text


def _with_member(project: Project, member_id: str, change: Callable[[CastMember], CastMember]) -> Project:
    member = project.member(member_id)
    return replace(project, cast=tuple(change(m) if m.id == member.id else m for m in project.cast))


def add_member(project: Project, member: CastMember) -> Project:
    if any(m.id == member.id for m in project.cast):
        raise EditError(f"A cast member with id {member.id} is already in the project.")
    name = check_name(member.name)
    _taken(project, name)
    if len(member.images) > MAX_IMAGES:
        raise EditError(f"A cast member has at most {MAX_IMAGES} pictures.")
    added = replace(member, name=name, description=_description(member.description))
    return replace(project, cast=(*project.cast, added))


def rename_member(project: Project, member_id: str, name: str) -> Project:
    """Rename a member and every mention of it in every shot's prompt and negative prompt."""
    member = project.member(member_id)
    name = check_name(name)
    _taken(project, name, but=member.id)
    old = member.name

    def rewritten(shot: Shot) -> Shot:
        prompt, negative = rename_mentions(shot.prompt, old, name), rename_mentions(shot.negative_prompt, old, name)
        if (prompt, negative) == (shot.prompt, shot.negative_prompt):
            return shot  # unchanged shots stay the same objects, so views refresh only the shots that changed
        return replace(shot, prompt=prompt, negative_prompt=negative)

    renamed = _with_member(project, member.id, lambda m: replace(m, name=name))
    return replace(renamed, shots=tuple(rewritten(shot) for shot in renamed.shots))


def describe_member(project: Project, member_id: str, description: str) -> Project:
    return _with_member(project, member_id, lambda m: replace(m, description=_description(description)))


def set_kind(project: Project, member_id: str, kind: CastKind) -> Project:
    return _with_member(project, member_id, lambda m: replace(m, kind=kind))


def add_image(project: Project, member_id: str, image: str, index: int | None = None) -> Project:
    """Add a picture (a path in media/) at `index` among the member's pictures, else last; a picture it already has
    moves there instead."""

    def added(member: CastMember) -> CastMember:
        others = [i for i in member.images if i != image]
        if len(others) >= MAX_IMAGES:
            raise EditError(
                f"@{member.name} has {MAX_IMAGES} pictures, the most a cast member keeps; remove one first."
            )
        others.insert(len(others) if index is None else max(0, min(index, len(others))), image)
        return replace(member, images=tuple(others))

    return _with_member(project, member_id, added)


def remove_image(project: Project, member_id: str, image: str) -> Project:
    """Take a picture off a member (by its path, or its 1-based number among the member's pictures). Its file stays
    in media/: an undo brings it back."""

    def removed(member: CastMember) -> CastMember:
        path = image
        if image.isdigit() and 1 <= int(image) <= len(member.images):
            path = member.images[int(image) - 1]
        if path not in member.images:
            raise EditError(f"@{member.name} has no picture {image!r} (it has {len(member.images)}).")
        return replace(member, images=tuple(i for i in member.images if i != path))

    return _with_member(project, member_id, removed)


def remove_member(project: Project, member_id: str) -> Project:
    """Take a member out of the cast; the lines they said keep their name as a typed speaker (`dialogue`)."""
    member = project.member(member_id)
    unlinked = dialogue.without_member(project, member)
    return replace(unlinked, cast=tuple(m for m in project.cast if m.id != member.id))
