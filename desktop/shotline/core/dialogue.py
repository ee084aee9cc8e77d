"""Dialogue lines: what is said in a shot and by whom, their bounds, and the pure edits (DESIGN §3).

A line's speaker is a cast member (by id, so renaming the member renames every line's speaker and keeps its voice)
or a name the creator typed. Removing a cast member turns its lines' speaker into that name, so no line loses who
says it. Lines are in speaking order within their shot; their ids are unique in the whole project, because voice
takes and captions name the line they came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from enum import StrEnum

from shotline.core.edits import with_shot
from shotline.core.errors import EditError, UnknownCastMember
from shotline.core.model import CastMember, DialogueLine, Project, Shot

MAX_TEXT = 1_000
"""Characters in a line (or a caption made from one): a long speech, far more than a clip of seconds can say."""
MAX_SPEAKER = 80
"""Characters in a typed speaker's name."""
MAX_LINES = 50
"""Lines in one shot."""


class DialogueForm(StrEnum):
    """How a model that speaks is sent a shot's lines: in the form its provider's prompt guide asks (the catalogue's
    `dialogue` says which; `SAYS` unless it names another)."""

    SAYS = "says"
    """Each line as quoted speech after who says it, in the prompt's prose: `Mara says, "Cast off."`. Google's Veo
    and Gemini video prompt guide: "Use quotes for specific speech (A woman says, "We have to leave now.")". The
    default for every other model that speaks (Seedance, LTX, the animatic's card): their own guides were not read
    for this, and quoted speech after its speaker is the form the published examples use."""
    BLOCK = "block"
    """A `Dialogue:` block below the prose, one `- Speaker: "line"` a line: OpenAI's Sora 2 prompting guide asks
    for the lines in a block of their own, so the model tells what is seen from what is said."""
    LABELLED = "labelled"
    """Each line labelled with its speaker in brackets, `[Mara]: "Cast off."`: Kling 3.0's native audio binds a
    line to the character who says it (and lip-syncs it) by that label, as the published Kling 3.0 prompting guides
    show it (Kling's own guide is not among the reference notes; fal's examples quote speech inline)."""


def text_problem(text: str) -> str | None:
    """Why `text` cannot be a line's words, in words that follow "the line …", or None if it can."""
    if len(text) > MAX_TEXT:
        return f"is longer than {MAX_TEXT} characters"
    return None


def speaker_problem(speaker: str) -> str | None:
    if len(speaker) > MAX_SPEAKER:
        return f"is longer than {MAX_SPEAKER} characters"
    if "\n" in speaker:
        return "runs over more than one line"
    return None


def speaker_member(project: Project, line: DialogueLine) -> CastMember | None:
    """The cast member who says `line`, or None when its speaker is typed or nobody is named."""
    if line.member_id is None:
        return None
    return next((member for member in project.cast if member.id == line.member_id), None)


def speaker_name(project: Project, line: DialogueLine) -> str:
    """Who says `line` as the creator reads it: the member's name (without "@"), the typed name, or ""."""
    member = speaker_member(project, line)
    return member.name if member else line.speaker


def spoken(shot: Shot) -> tuple[DialogueLine, ...]:
    """The shot's lines that have words: an unwritten line is sent, voiced and captioned nowhere."""
    return tuple(line for line in shot.dialogue if line.text.strip())


def all_lines(project: Project) -> Iterator[tuple[Shot, DialogueLine]]:
    """Every line of every shot, in film order, with its shot."""
    for shot in project.shots:
        for line in shot.dialogue:
            yield shot, line


def find_line(project: Project, line_id: str) -> tuple[Shot, DialogueLine]:
    for shot, line in all_lines(project):
        if line.id == line_id:
            return shot, line
    raise EditError("That line is no longer in the project.")


def line_of(shot: Shot, ref: str) -> DialogueLine:
    """A line of `shot` by id or by its 1-based position among the shot's lines."""
    for line in shot.dialogue:
        if line.id == ref:
            return line
    if ref.isdigit() and 1 <= int(ref) <= len(shot.dialogue):
        return shot.dialogue[int(ref) - 1]
    count = len(shot.dialogue)
    has = f"it has {count} line{'s' if count != 1 else ''}" if count else "it has no lines yet"
    raise EditError(f"Shot {shot.title or shot.id} has no line {ref!r} ({has}).")


def _checked(project: Project, line: DialogueLine) -> DialogueLine:
    """`line` with its text's and typed speaker's outer spaces gone, or EditError saying why it cannot be."""
    text, speaker = line.text.strip(), line.speaker.strip()
    if problem := text_problem(text):
        raise EditError(f"The line {problem}; this one has {len(text)}.")
    if problem := speaker_problem(speaker):
        raise EditError(f"The speaker's name {problem}.")
    if line.member_id is not None:
        if not any(member.id == line.member_id for member in project.cast):
            raise EditError("That cast member is no longer in the project; choose another speaker.")
        speaker = ""  # the member names the speaker
    return replace(line, text=text, speaker=speaker)


def _with_lines(project: Project, shot_id: str, change: Callable[[Shot], tuple[DialogueLine, ...]]) -> Project:
    return with_shot(project, shot_id, lambda shot: replace(shot, dialogue=change(shot)))


def add_line(project: Project, shot_id: str, line: DialogueLine, index: int | None = None) -> Project:
    """Add `line` to a shot at `index` (0-based) among its lines, else last."""
    if any(existing.id == line.id for _, existing in all_lines(project)):
        raise EditError(f"A line with id {line.id} is already in the project.")
    line = _checked(project, line)

    def added(shot: Shot) -> tuple[DialogueLine, ...]:
        if len(shot.dialogue) >= MAX_LINES:
            raise EditError(f"Shot {shot.title or shot.id} has {MAX_LINES} lines, the most a shot keeps.")
        lines = list(shot.dialogue)
        lines.insert(len(lines) if index is None else max(0, min(index, len(lines))), line)
        return tuple(lines)

    return _with_lines(project, shot_id, added)


def edit_line(
    project: Project,
    shot_id: str,
    line_id: str,
    *,
    text: str | None = None,
    speaker: str | None = None,
    member_id: str | None = None,
) -> Project:
    """Change a line's words and/or its speaker: `member_id` makes a cast member say it, `speaker` a typed name
    ("" for nobody named); giving either replaces the other."""
    if speaker is not None and member_id is not None:
        raise EditError("A line has one speaker: choose a cast member or type a name, not both.")

    def edited(shot: Shot) -> tuple[DialogueLine, ...]:
        line = line_of(shot, line_id)
        changed = line if text is None else replace(line, text=text)
        if member_id is not None:
            changed = replace(changed, member_id=member_id, speaker="")
        elif speaker is not None:
            changed = replace(changed, member_id=None, speaker=speaker)
        changed = _checked(project, changed)
        return tuple(changed if existing.id == line.id else existing for existing in shot.dialogue)

    return _with_lines(project, shot_id, edited)


def remove_line(project: Project, shot_id: str, line_id: str) -> Project:
    def removed(shot: Shot) -> tuple[DialogueLine, ...]:
        line = line_of(shot, line_id)
        return tuple(existing for existing in shot.dialogue if existing.id != line.id)

    return _with_lines(project, shot_id, removed)


def move_line(project: Project, shot_id: str, line_id: str, to_index: int) -> Project:
    """Move a line to a 0-based position among its shot's lines (clamped to them)."""

    def moved(shot: Shot) -> tuple[DialogueLine, ...]:
        line = line_of(shot, line_id)
        lines = [existing for existing in shot.dialogue if existing.id != line.id]
        lines.insert(max(0, min(to_index, len(lines))), line)
        return tuple(lines)

    return _with_lines(project, shot_id, moved)


def without_member(project: Project, member: CastMember) -> Project:
    """Every line `member` said now names them as typed text, so removing a member leaves no line without who says
    it (and an undo of the removal brings back the link with the rest)."""

    def unlinked(shot: Shot) -> Shot:
        if not any(line.member_id == member.id for line in shot.dialogue):
            return shot
        lines = tuple(
            replace(line, member_id=None, speaker=member.name) if line.member_id == member.id else line
            for line in shot.dialogue
        )
        return replace(shot, dialogue=lines)

    return replace(project, shots=tuple(unlinked(shot) for shot in project.shots))


def _quoted(text: str) -> str:
    # a straight double quote inside the words would close the quotation early for the model
    return '"' + " ".join(text.replace('"', "”").split()) + '"'


def written(project: Project, shot: Shot, form: DialogueForm) -> str:
    """The shot's lines with words, as `form` writes them for a model; "" when it has none."""
    said = [(speaker_name(project, line), _quoted(line.text)) for line in spoken(shot)]
    if not said:
        return ""
    if form is DialogueForm.BLOCK:
        return "Dialogue:\n" + "\n".join(f"- {who}: {words}" if who else f"- {words}" for who, words in said)
    if form is DialogueForm.LABELLED:
        return "\n".join(f"[{who or 'Voice'}]: {words}" for who, words in said)
    return " ".join(f"{who or 'A voice'} says, {words}" for who, words in said)


def with_lines(prompt: str, project: Project, shot: Shot, form: DialogueForm) -> str:
    """`prompt` with the shot's lines after it, as their own paragraph in `form`."""
    lines = written(project, shot, form)
    return f"{prompt.rstrip()}\n\n{lines}" if lines else prompt


def said_by(project: Project, who: str) -> tuple[str, str | None]:
    """(typed speaker, member id) for a speaker as the creator writes one: "@Mara" is the cast member (EditError when
    the cast has none of that name); "Mara" is the member when the cast has one, else a typed name; "" nobody."""
    who = who.strip()
    if who.startswith("@"):
        try:
            return "", project.member(who).id
        except UnknownCastMember:
            known = ", ".join(f"@{m.name}" for m in project.cast) or "none yet"
            raise UnknownCastMember(
                f"The cast has no {who} (its cast: {known}); write {who[1:]!r} without the @ for a speaker "
                "who is not in the cast."
            ) from None
    named = next((member for member in project.cast if member.name.casefold() == who.casefold()), None)
    return ("", named.id) if named is not None and who else (who, None)
