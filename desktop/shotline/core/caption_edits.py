"""Caption edits on the captions lane: pure functions from a project to a project, like every edit (DESIGN §3).

Captions stay in time order. Any change the creator makes to a caption's words or times marks it edited, so making
captions from the lines again keeps it as the creator left it (`core.captions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from shotline.core.errors import EditError
from shotline.core.model import MAX_LENGTH_US, Caption, Project

MIN_CAPTION_US = 100_000
"""The shortest a caption may be made by a trim or a split: shorter, no one can read it."""


def set_captions(project: Project, captions: Iterable[Caption]) -> Project:
    """The project with `captions` as all its captions (e.g. made again from the lines)."""
    return replace(project, captions=_in_order(captions))


def add_caption(project: Project, caption: Caption) -> Project:
    _check_span(caption.start_us, caption.end_us)
    return replace(project, captions=_in_order((*project.captions, caption)))


def remove_caption(project: Project, caption_id: str) -> Project:
    caption_of(project, caption_id)
    return replace(project, captions=tuple(c for c in project.captions if c.id != caption_id))


def move_caption(project: Project, caption_id: str, start_us: int) -> Project:
    """The caption at `start_us` (not before the film's start), as long as it was."""
    return _with(project, caption_id, lambda c: _timed(c, max(0, start_us), max(0, start_us) + c.duration_us))


def trim_caption(project: Project, caption_id: str, start_us: int, end_us: int) -> Project:
    """The caption over [start_us, end_us): at least `MIN_CAPTION_US` long, not before the film's start."""
    return _with(project, caption_id, lambda c: _timed(c, start_us, end_us))


def set_caption_text(project: Project, caption_id: str, text: str) -> Project:
    if not text.strip():
        raise EditError("A caption needs words; delete the caption to leave that moment without one.")
    return _with(project, caption_id, lambda c: replace(c, text=text.strip(), edited=True))


def split_caption(project: Project, caption_id: str, at_us: int, new_caption_id: str) -> Project:
    """The caption cut in two at `at_us`: its words shared between the two as the time is (cut between words), the
    second half a new caption. Both halves must be readable (`MIN_CAPTION_US`)."""
    caption = caption_of(project, caption_id)
    if not caption.start_us + MIN_CAPTION_US <= at_us <= caption.end_us - MIN_CAPTION_US:
        raise EditError("Split a caption inside it, at least a tenth of a second from either end.")
    words = caption.text.split()
    if len(words) < 2:
        raise EditError(f"The caption {caption.text!r} is one word; it cannot be split between words.")
    share = (at_us - caption.start_us) / caption.duration_us
    cut = min(max(int(len(words) * share + 0.5), 1), len(words) - 1)  # half a word up, not to the even
    first = replace(caption, end_us=at_us, text=" ".join(words[:cut]), edited=True)
    second = replace(first, id=new_caption_id, start_us=at_us, end_us=caption.end_us, text=" ".join(words[cut:]))
    others = (c for c in project.captions if c.id != caption_id)
    return replace(project, captions=_in_order((*others, first, second)))


def caption_of(project: Project, caption_id: str) -> Caption:
    for caption in project.captions:
        if caption.id == caption_id:
            return caption
    raise EditError("That caption is no longer on the timeline.")


def _with(project: Project, caption_id: str, change: Callable[[Caption], Caption]) -> Project:
    changed = change(caption_of(project, caption_id))
    return replace(project, captions=_in_order(changed if c.id == caption_id else c for c in project.captions))


def _timed(caption: Caption, start_us: int, end_us: int) -> Caption:
    start_us = max(0, start_us)
    end_us = max(end_us, start_us + MIN_CAPTION_US)
    _check_span(start_us, end_us)
    return replace(caption, start_us=start_us, end_us=end_us, edited=True)


def _check_span(start_us: int, end_us: int) -> None:
    if start_us < 0 or end_us <= start_us or end_us > MAX_LENGTH_US:
        raise EditError("A caption must start at or after the film's start, end after it starts, and within a day.")


def _in_order(captions: Iterable[Caption]) -> tuple[Caption, ...]:
    return tuple(sorted(captions, key=lambda c: (c.start_us, c.end_us, c.id)))
