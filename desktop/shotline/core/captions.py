"""Captions made from the shots' dialogue lines, timed to what speaks them (DESIGN §10, captions).

Pure. A line spoken by a voice take is timed to that take: word by word where its provider said when each word is
said, else spread over the take in proportion to the characters of each piece. A line no voice speaks is spread over
its shot, the shot's lines one after the other in proportion to their length. A line longer than one caption holds
(two lines of `LINE_CHARS`, as subtitle guidelines keep them so the eye can read them in time) becomes several
captions, cut between words. Captions the creator edited are kept as they are when the others are made again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shotline.core.dialogue import speaker_name, spoken
from shotline.core.model import Caption, DialogueLine, Project, new_id
from shotline.core.timeline import layout

LINE_CHARS = 42
"""The most characters on one line of a caption (the common broadcast and streaming guideline)."""
CAPTION_CHARS = 2 * LINE_CHARS
"""The most characters in one caption: two lines."""


@dataclass(frozen=True, slots=True)
class Word:
    """One word as a voice take says it, on the timeline (µs)."""

    text: str
    start_us: int
    end_us: int


@dataclass(frozen=True, slots=True)
class Voicing:
    """Where a dialogue line is heard on the timeline: its voice take's span, and its words where the provider gave
    their times (already placed on the timeline and inside the take's trim)."""

    line_id: str
    start_us: int
    end_us: int
    words: tuple[Word, ...] = ()


def captions_from_lines(project: Project, voicings: Mapping[str, Voicing]) -> tuple[Caption, ...]:
    """The project's captions made again from its dialogue lines, in time order: each line timed to its voicing in
    `voicings` (by line id) when it has one, else spread over its shot. A line with a caption the creator edited
    keeps its captions as they are, and so does a caption whose line is gone (the creator's words are never lost)."""
    kept = [c for c in project.captions if c.edited or not _line_exists(project, c.line_id)]
    kept_lines = {c.line_id for c in kept if c.line_id}
    made: list[Caption] = []
    for placement in layout(project):
        shot = placement.shot
        unvoiced = [line for line in spoken(shot) if line.id not in voicings]
        spread = _spread_lines(unvoiced, placement.start_us, placement.cut_us)
        for line in spoken(shot):
            if line.id in kept_lines:
                continue
            speaker = speaker_name(project, line)
            voicing = voicings.get(line.id)
            if voicing is not None and voicing.end_us > voicing.start_us:
                timed = (
                    _by_words(line.text, voicing)
                    if voicing.words
                    else spread_text(line.text, voicing.start_us, voicing.end_us)
                )
            else:
                start, end = spread[line.id]
                timed = spread_text(line.text, start, end)
            made += [Caption(new_id(), start, end, text, speaker, line.id) for start, end, text in timed]
    return tuple(sorted([*kept, *made], key=lambda c: (c.start_us, c.end_us)))


def words_at(captions: Iterable[Caption], at_us: int) -> str:
    """The words on screen at `at_us` on the timeline: each caption over [start_us, end_us) that covers it, as the
    export writes it (its text without the speaker's name, trimmed), in time order, one under the other where
    captions overlap (as a subtitle player shows overlapping cues); "" between captions."""
    covering = sorted((c for c in captions if c.start_us <= at_us < c.end_us), key=lambda c: (c.start_us, c.end_us))
    return "\n".join(text for c in covering if (text := c.text.strip()))


def _line_exists(project: Project, line_id: str | None) -> bool:
    return line_id is not None and any(line.id == line_id for shot in project.shots for line in shot.dialogue)


def pieces(text: str, limit: int = CAPTION_CHARS) -> list[str]:
    """`text` cut between words into as few pieces of at most `limit` characters as it takes, about as long as each
    other (so a long line does not end on a caption of one word); a word longer than `limit` is cut in it."""
    greedy = _filled(text, limit)
    words = text.split()
    if len(greedy) < 2 or any(len(word) > limit for word in words):
        return greedy
    result: list[str] = []
    current = ""
    for index, word in enumerate(words):
        left = len(greedy) - len(result)  # pieces still to make, this one included
        rest = len(" ".join(words[index:])) + (len(current) + 1 if current else 0)
        target = rest / left
        joined = f"{current} {word}" if current else word
        # a word joins this piece while it fits and brings the piece nearer its share of what is left
        if not current or (
            len(joined) <= limit and (left == 1 or abs(len(joined) - target) <= abs(len(current) - target))
        ):
            current = joined
        else:
            result.append(current)
            current = word
    result.append(current)
    return result if len(result) == len(greedy) and all(len(p) <= limit for p in result) else greedy


def _filled(text: str, limit: int) -> list[str]:
    """`text` cut between words into pieces filled up to `limit` characters, the last taking what is left."""
    result: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > limit:
            if current:
                result.append(current)
                current = ""
            result.append(word[:limit])
            word = word[limit:]
        joined = f"{current} {word}" if current else word
        if len(joined) <= limit:
            current = joined
        else:
            result.append(current)
            current = word
    if current:
        result.append(current)
    return result


def _spread_lines(lines: Sequence[DialogueLine], start_us: int, end_us: int) -> dict[str, tuple[int, int]]:
    """The shot's span shared by its lines one after the other, each in proportion to its characters."""
    weights = [max(len(line.text.strip()), 1) for line in lines]
    return {line.id: span for line, span in zip(lines, shares(weights, start_us, end_us), strict=True)}


def spread_text(text: str, start_us: int, end_us: int, limit: int = CAPTION_CHARS) -> list[tuple[int, int, str]]:
    """`text`'s pieces (of at most `limit` characters) over [start_us, end_us), each as long as its share of the
    characters."""
    parts = pieces(text, limit)
    spans = shares([len(p) for p in parts], start_us, end_us)
    return [(start, end, part) for (start, end), part in zip(spans, parts, strict=True)]


def _by_words(text: str, voicing: Voicing) -> list[tuple[int, int, str]]:
    """Pieces of the line timed by the words the voice said: each from its first word's start to its last one's end.

    The provider's words are what was said; the line's own words are what is shown. They are matched in order, so a
    piece takes the times of the said words at the same places (a provider that said fewer words lends its last)."""
    said = voicing.words
    timed: list[tuple[int, int, str]] = []
    index = 0
    for part in pieces(text):
        count = len(part.split())
        first = said[min(index, len(said) - 1)]
        last = said[min(index + count - 1, len(said) - 1)]
        timed.append((first.start_us, max(last.end_us, first.start_us + 1), part))
        index += count
    return timed


def shares(weights: Sequence[int], start_us: int, end_us: int) -> list[tuple[int, int]]:
    """[start_us, end_us) cut into consecutive spans in proportion to `weights`; boundaries rounded, never summed."""
    total = sum(weights) or 1
    spans: list[tuple[int, int]] = []
    seen = 0
    for weight in weights:
        begin = start_us + (end_us - start_us) * seen // total
        seen += weight
        spans.append((begin, start_us + (end_us - start_us) * seen // total))
    return spans
