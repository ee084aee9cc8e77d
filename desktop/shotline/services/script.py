"""Paste script: turn a block of text into shots, one per paragraph (paragraphs are separated by blank lines)."""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SHOT_PREFIX = re.compile(
    r"^\s*(?:(?:shot|scene)\s*\d+[a-z]?\s*[:.)\-–—]?|\d+\s*[:.)\-–—](?=\s))\s*",  # a bare "2.5 s" is not a number
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?;:,]")
TITLE_WORDS = 5


def _title(prompt: str) -> str:
    """The first few words of the first phrase: short enough for a card, recognisable in the list."""
    phrase = _SENTENCE_END.split(prompt, maxsplit=1)[0]
    words = phrase.split()[:TITLE_WORDS] or prompt.split()[:TITLE_WORDS]
    return " ".join(words).strip(" -–—\"'")


def shots_from_script(text: str) -> list[tuple[str, str]]:
    """(title, prompt) for each non-empty paragraph, in order, without "Shot 3:" style numbering.

    A paragraph's lines are joined with spaces, since a prompt is one piece of prose to the backend.
    """
    shots: list[tuple[str, str]] = []
    for paragraph in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        prompt = " ".join(_SHOT_PREFIX.sub("", paragraph, count=1).split())
        if prompt:
            shots.append((_title(prompt), prompt))
    return shots
