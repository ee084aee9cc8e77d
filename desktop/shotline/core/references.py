"""Carrying the cast to a model: where each cast member a shot mentions goes, by what the model can take.

Every mentioned member goes into the best place the model has for it, in the order the prompt mentions them:
a reference-image slot (its first picture; the model's catalogue entry says how many slots, for which kinds, and
how its prompt names them), else — for a place — the first frame, else its description written into the prompt,
else it is dropped, with why. The shot's own first frame and reference images come first: the creator chose them
for this shot, so the cast fills only the slots they leave.

The answer is pure and cheap (the window asks on every model switch): `carry` gives the placements, the prompt as
sent and the pictures; nothing is read from disk. `services.generation.build_request` sends exactly this, and the
request (so the take's snapshot) records the placements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from shotline.core.cast import mentioned, mentions
from shotline.core.model import CastKind, CastMember, Project, Shot

if TYPE_CHECKING:
    from shotline.core.ports import ModelInfo


class How(StrEnum):
    """Where a cast member goes, in the words the shot shows."""

    IMAGE_REFERENCE = "image reference"
    FIRST_FRAME = "first frame"
    DESCRIBED = "described in words"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one mentioned cast member goes for one model."""

    member_id: str
    name: str
    how: How
    detail: str = ""
    """Why it is not sent as a picture ("only 3 references"), for DROPPED and DESCRIBED; else empty."""
    image: str = ""
    """The picture sent (a path in media/), for IMAGE_REFERENCE and FIRST_FRAME."""
    tag: str = ""
    """How the prompt as sent names its reference image ("<IMAGE_REF_1>", "@Image2"); empty where untagged."""

    def text(self) -> str:
        """ "image reference", "first frame", "described in words" or "dropped (only 3 references)"."""
        if self.how is How.DROPPED and self.detail:
            return f"{self.how.value} ({self.detail})"
        return self.how.value

    def to_json(self) -> dict[str, str]:
        found = {"member_id": self.member_id, "name": self.name, "how": self.how.value}
        found.update(
            {key: value for key, value in (("detail", self.detail), ("image", self.image), ("tag", self.tag)) if value}
        )
        return found

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Placement:
        return cls(
            member_id=str(data["member_id"]),
            name=str(data["name"]),
            how=How(str(data["how"])),
            detail=str(data.get("detail", "")),
            image=str(data.get("image", "")),
            tag=str(data.get("tag", "")),
        )


@dataclass(frozen=True, slots=True)
class Carried:
    """A shot as one model takes it: its cast placed, its prompt as sent and the pictures in their slots."""

    placements: tuple[Placement, ...]
    prompt: str
    """The prompt as sent: each `@Name` as the name (or the provider's tag for a tagged reference), the project's
    style, then the descriptions of the members described in words."""
    negative_prompt: str
    first_frame: str | None
    """The shot's own first frame where the model takes one, else a place's picture, else None (paths in media/)."""
    last_frame: str | None
    reference_images: tuple[str, ...]
    """The shot's own reference images, then the cast's, as many as the model takes (paths in media/)."""
    reference_tags: tuple[str, ...]
    """How the prompt names each of `reference_images`, in the same order; all empty where the model is untagged."""


def takes_first_frame(model: ModelInfo) -> bool:
    """A model that starts from a picture, or from a first and an end frame, takes a first frame."""
    return model.image_to_video or model.first_last_frame


def placements(project: Project, shot: Shot, model: ModelInfo) -> tuple[Placement, ...]:
    """Where each cast member `shot` mentions goes for `model`, in the order the prompt first mentions them."""
    return carry(project, shot, model).placements


def carry(project: Project, shot: Shot, model: ModelInfo) -> Carried:
    """`shot` as `model` takes it, with its cast placed (pure: nothing is read or changed)."""
    settings = shot.generation
    first_frame = settings.first_frame if takes_first_frame(model) else None
    last_frame = settings.last_frame if model.first_last_frame else None
    # a provider that takes references or frames, never both: the shot's own frames win (services.shot_fit says so)
    framed = bool(first_frame or last_frame) and not model.references_with_frames
    own = () if framed else settings.reference_images[: model.reference_images]
    images: list[str] = list(own)
    tags: list[str] = [_tag(model, index, "") for index in range(len(own))]
    placed: list[Placement] = []
    for member in mentioned(project, shot):
        why = _no_slot(model, member, len(images), framed=bool(first_frame or last_frame))
        if not why:
            tag = _tag(model, len(images), member.name)
            images.append(member.images[0])
            tags.append(tag)
            placed.append(Placement(member.id, member.name, How.IMAGE_REFERENCE, image=member.images[0], tag=tag))
        elif _first_frame_for(model, member, first_frame, images):
            first_frame = member.images[0]
            placed.append(Placement(member.id, member.name, How.FIRST_FRAME, image=first_frame))
        elif member.description.strip():
            placed.append(Placement(member.id, member.name, How.DESCRIBED, detail=why))
        else:
            placed.append(Placement(member.id, member.name, How.DROPPED, detail=_dropped(why, member)))
    by_id = {placement.member_id: placement for placement in placed}
    return Carried(
        placements=tuple(placed),
        prompt=_prompt(project, shot, by_id),
        negative_prompt=_named(project, shot.negative_prompt, {}),
        first_frame=first_frame,
        last_frame=last_frame,
        reference_images=tuple(images),
        reference_tags=tuple(tags) if model.reference_tag else ("",) * len(images),
    )


def _no_slot(model: ModelInfo, member: CastMember, used: int, *, framed: bool) -> str:
    """Why `member` gets no reference slot of `model` ("only 3 references"), or "" when it gets one."""
    if not member.images:
        return "no picture"
    if model.reference_images == 0:
        return f"{model.label} takes no reference images"
    if member.kind not in model.reference_kinds:
        return f"{model.label} takes no {member.kind.value} references"
    if framed and not model.references_with_frames:
        return f"{model.label} takes no references beside a first or last frame"
    if used >= model.reference_images:
        return f"only {model.reference_images} reference{'s' if model.reference_images > 1 else ''}"
    return ""


def _first_frame_for(model: ModelInfo, member: CastMember, first_frame: str | None, images: list[str]) -> bool:
    """A place's picture opens the shot where the model takes a first frame and the shot has none: the clip starts
    there. A character's portrait never does (the clip would start on a portrait), nor a look (it is a style)."""
    return (
        member.kind is CastKind.PLACE
        and bool(member.images)
        and takes_first_frame(model)
        and first_frame is None
        and (model.references_with_frames or not images)
    )


def _dropped(why: str, member: CastMember) -> str:
    return "no picture or description" if not member.images else why


def _tag(model: ModelInfo, index: int, name: str) -> str:
    return model.reference_tag.format(index=index, number=index + 1, name=name) if model.reference_tag else ""


def _named(project: Project, text: str, placed: Mapping[str, Placement]) -> str:
    """`text` with each mention of a cast member written as its name, or as its tag where it has one."""
    by_name = {member.name.casefold(): member for member in project.cast}
    pieces: list[str] = []
    end = 0
    for match in mentions(text):
        member = by_name.get(match[1].casefold())
        if member is None:
            continue  # an @word that names no member stays as written
        placement = placed.get(member.id)
        pieces.append(text[end : match.start()])
        pieces.append(placement.tag if placement is not None and placement.tag else member.name)
        end = match.end()
    pieces.append(text[end:])
    return "".join(pieces)


def _prompt(project: Project, shot: Shot, placed: Mapping[str, Placement]) -> str:
    prompt = _named(project, shot.prompt, placed).strip()
    style = project.settings.style.strip()
    if style:
        prompt = f"{prompt}, {style}"
    described = [project.member(p.member_id) for p in placed.values() if p.how is How.DESCRIBED]
    for member in described:
        # a description may mention another member ("@Mara's son"): written the way the prompt writes it
        words = _named(project, member.description, placed).strip()
        prompt = f"{_sentence(prompt)} {member.name}: {_sentence(words)}"
    return prompt


def _sentence(text: str) -> str:
    return text if not text or text[-1] in ".!?" else f"{text}."


def cast_text(placed: tuple[Placement, ...]) -> str:
    """ "@Mara → image reference · @Harbour → dropped (only 3 references)": what is sent of each member, in one
    line for `shotline generate` (empty when the shot mentions no one)."""
    return " · ".join(f"@{placement.name} → {placement.text()}" for placement in placed)
