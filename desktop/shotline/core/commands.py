"""Undoable edit commands: a label for the Edit menu, a pure `apply`, and an optional merge key.

Commands with the same merge key that follow each other collapse into one undo step (a trim drag, typing a
prompt). Factories build each command's new ids up front, so applying a command is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial
from typing import Any

from shotline.core import audio_edits, caption_edits, cast, dialogue, edits, markers
from shotline.core.model import (
    AudioClip,
    Caption,
    CastKind,
    CastMember,
    DialogueLine,
    GenerationSettings,
    Marker,
    Project,
    ProjectSettings,
    Shot,
    Take,
    Transition,
    Trim,
    new_id,
)


@dataclass(frozen=True, slots=True)
class Command:
    label: str
    apply: Callable[[Project], Project]
    merge_key: Hashable | None = None


def add_shot(shot: Shot, index: int | None = None) -> Command:
    return Command("Add shot", partial(edits.add_shot, shot=shot, index=index))


def duplicate_shot(shot_id: str) -> Command:
    return Command("Duplicate shot", partial(edits.duplicate_shot, shot_id=shot_id, new_shot_id=new_id()))


def remove_shot(shot_id: str) -> Command:
    return Command("Delete shot", partial(edits.remove_shot, shot_id=shot_id))


def move_shot(shot_id: str, to_index: int) -> Command:
    return Command("Move shot", partial(edits.move_shot, shot_id=shot_id, to_index=to_index), ("move", shot_id))


def trim_shot(shot_id: str, in_us: int, out_us: int, take_id: str | None = None) -> Command:
    apply = partial(edits.trim_shot, shot_id=shot_id, in_us=in_us, out_us=out_us, take_id=take_id)
    return Command("Trim shot", apply, ("trim", shot_id, take_id))


def split_shot(shot_id: str, at_us: int) -> Command:
    return Command("Split shot", partial(edits.split_shot, shot_id=shot_id, at_us=at_us, new_shot_id=new_id()))


def pick_take(shot_id: str, take_id: str) -> Command:
    return Command("Pick take", partial(edits.pick_take, shot_id=shot_id, take_id=take_id))


def attach_take(shot_id: str, take: Take, pick: bool = True) -> Command:
    """A take the creator brings in themselves (an import): undoable like any edit. A take a job made is not an
    edit and never goes through a command: it lands in every snapshot at once (`History.land`)."""
    return Command("Add take", partial(edits.attach_take, shot_id=shot_id, take=take, pick=pick))


def remove_take(shot_id: str, take_id: str) -> Command:
    """Delete a take from a shot: it moves to the project's deleted takes, its clip kept (`restore_take`)."""
    return Command("Delete take", partial(edits.remove_take, shot_id=shot_id, take_id=take_id))


def restore_take(take_id: str, shot_id: str | None = None) -> Command:
    return Command("Restore take", partial(edits.restore_take, take_id=take_id, shot_id=shot_id))


def set_prompt(shot_id: str, prompt: str, negative_prompt: str | None = None) -> Command:
    apply = partial(edits.set_prompt, shot_id=shot_id, prompt=prompt, negative_prompt=negative_prompt)
    return Command("Edit prompt", apply, ("prompt", shot_id))


def set_title(shot_id: str, title: str) -> Command:
    return Command("Rename shot", partial(edits.set_title, shot_id=shot_id, title=title), ("title", shot_id))


def set_generation(shot_id: str, settings: GenerationSettings) -> Command:
    apply = partial(edits.set_generation, shot_id=shot_id, settings=settings)
    return Command("Change generation settings", apply, ("generation", shot_id))


def set_project_settings(settings: ProjectSettings) -> Command:
    return Command("Change project settings", partial(edits.set_project_settings, settings=settings))


def add_audio_clip(clip: AudioClip) -> Command:
    return Command("Add sound", partial(audio_edits.add_audio_clip, clip=clip))


def remove_audio_clip(clip_id: str) -> Command:
    return Command("Delete sound", partial(audio_edits.remove_audio_clip, clip_id=clip_id))


def move_audio_clip(clip_id: str, start_us: int, lane_id: str | None = None) -> Command:
    apply = partial(audio_edits.move_audio_clip, clip_id=clip_id, start_us=start_us, lane_id=lane_id)
    return Command("Move sound", apply, ("move-audio", clip_id))


def trim_audio_clip(clip_id: str, in_us: int, out_us: int, *, keep_end: bool = False) -> Command:
    apply = partial(audio_edits.trim_audio_clip, clip_id=clip_id, in_us=in_us, out_us=out_us, keep_end=keep_end)
    return Command("Trim sound", apply, ("trim-audio", clip_id))


def set_audio_clip_length(clip_id: str, length_us: int, *, repeat: Trim | None = None) -> Command:
    apply = partial(audio_edits.set_audio_clip_length, clip_id=clip_id, length_us=length_us, repeat=repeat)
    return Command("Change sound length", apply, ("length-audio", clip_id))


def fit_audio_clip(clip_id: str) -> Command:
    return Command("Fit sound to the film", partial(audio_edits.fit_audio_clip, clip_id=clip_id))


def set_audio_clip(clip_id: str, **changes: Any) -> Command:
    apply = partial(audio_edits.set_audio_clip, clip_id=clip_id, **changes)
    return Command("Change sound", apply, ("audio", clip_id, tuple(sorted(changes))))


def set_lane(lane_id: str, **changes: Any) -> Command:
    apply = partial(audio_edits.set_lane, lane_id=lane_id, **changes)
    return Command("Change audio lane", apply, ("lane", lane_id, tuple(sorted(changes))))


def set_shot_sound(shot_id: str, **changes: Any) -> Command:
    apply = partial(audio_edits.set_shot_sound, shot_id=shot_id, **changes)
    return Command("Change shot sound", apply, ("shot-sound", shot_id, tuple(sorted(changes))))


def set_transition(shot_id: str, transition: Transition) -> Command:
    return Command("Change transition", partial(audio_edits.set_transition, shot_id=shot_id, transition=transition))


def add_marker(at_us: int, name: str = "") -> Command:
    return Command("Add marker", partial(markers.add_marker, marker=Marker(new_id(), at_us, name)))


def remove_marker(marker_id: str) -> Command:
    return Command("Delete marker", partial(markers.remove_marker, marker_id=marker_id))


def add_cast_member(member: CastMember) -> Command:
    return Command(f"Add @{member.name}", partial(cast.add_member, member=member))


def rename_cast_member(member_id: str, name: str) -> Command:
    """One step: the member's new name and every prompt's mention of it."""
    return Command("Rename cast member", partial(cast.rename_member, member_id=member_id, name=name))


def describe_cast_member(member_id: str, description: str) -> Command:
    apply = partial(cast.describe_member, member_id=member_id, description=description)
    return Command("Describe cast member", apply, ("describe-cast", member_id))


def set_cast_kind(member_id: str, kind: CastKind) -> Command:
    return Command("Change cast member's kind", partial(cast.set_kind, member_id=member_id, kind=kind))


def add_cast_image(member_id: str, image: str, index: int | None = None) -> Command:
    return Command("Add reference picture", partial(cast.add_image, member_id=member_id, image=image, index=index))


def remove_cast_image(member_id: str, image: str) -> Command:
    return Command("Remove reference picture", partial(cast.remove_image, member_id=member_id, image=image))


def remove_cast_member(member_id: str) -> Command:
    return Command("Remove cast member", partial(cast.remove_member, member_id=member_id))


def add_line(
    shot_id: str, text: str = "", *, speaker: str = "", member_id: str | None = None, index: int | None = None
) -> Command:
    """A line said in the shot, by a cast member (`member_id`) or a typed speaker, at `index` among its lines."""
    line = DialogueLine(new_id(), text, speaker, member_id)
    return Command("Add line", partial(dialogue.add_line, shot_id=shot_id, line=line, index=index))


def edit_line(
    shot_id: str, line_id: str, *, text: str | None = None, speaker: str | None = None, member_id: str | None = None
) -> Command:
    """Change a line's words or speaker; typing in one field is one undo step (`merge_key`)."""
    apply = partial(
        dialogue.edit_line, shot_id=shot_id, line_id=line_id, text=text, speaker=speaker, member_id=member_id
    )
    field = "text" if text is not None else "speaker"
    return Command("Edit line", apply, ("line", line_id, field))


def remove_line(shot_id: str, line_id: str) -> Command:
    return Command("Delete line", partial(dialogue.remove_line, shot_id=shot_id, line_id=line_id))


def move_line(shot_id: str, line_id: str, to_index: int) -> Command:
    return Command("Move line", partial(dialogue.move_line, shot_id=shot_id, line_id=line_id, to_index=to_index))


def set_captions(captions: tuple[Caption, ...], label: str = "Captions") -> Command:
    return Command(label, partial(caption_edits.set_captions, captions=captions))


def add_caption(start_us: int, end_us: int, text: str) -> Command:
    """A caption the creator adds by hand: it is theirs (edited), so making captions from the lines keeps it."""
    caption = Caption(new_id(), start_us, end_us, text.strip(), edited=True)
    return Command("Add caption", partial(caption_edits.add_caption, caption=caption))


def remove_caption(caption_id: str) -> Command:
    return Command("Delete caption", partial(caption_edits.remove_caption, caption_id=caption_id))


def move_caption(caption_id: str, start_us: int) -> Command:
    apply = partial(caption_edits.move_caption, caption_id=caption_id, start_us=start_us)
    return Command("Move caption", apply, ("move caption", caption_id))


def trim_caption(caption_id: str, start_us: int, end_us: int) -> Command:
    apply = partial(caption_edits.trim_caption, caption_id=caption_id, start_us=start_us, end_us=end_us)
    return Command("Trim caption", apply, ("trim caption", caption_id))


def split_caption(caption_id: str, at_us: int) -> Command:
    apply = partial(caption_edits.split_caption, caption_id=caption_id, at_us=at_us, new_caption_id=new_id())
    return Command("Split caption", apply)


def set_caption_text(caption_id: str, text: str) -> Command:
    apply = partial(caption_edits.set_caption_text, caption_id=caption_id, text=text)
    return Command("Edit caption", apply, ("caption text", caption_id))
