"""Keys out of text: every form in which a provider may quote a key back is found and replaced.

Providers put the key they were sent into their error text: whole, cut short at their own length limit, masked in
the middle (`sk-proj-abc…xyz`), percent-encoded, base64-encoded inside an `Authorization: Basic …` value they
echo, or written as JSON escapes inside a JSON text a gateway passes on as a string. `hide_keys` removes all of
these. It runs where provider text enters Shotline (`backends.http`, before anything is read, cut, logged, stored
in the journal or shown) and again on every log line (`storage.secrets`).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable

REDACTED = "<redacted>"
SHORTEST_KEY = 6
"""Shorter than this is a word, not a key: hiding it would mangle ordinary text (and ids) a provider sends."""
SHORTEST_PIECE = 10
"""A run of this many characters that also appears in a key (or an encoding of it) is taken for part of the key.
Ten random characters are as good as never in honest text or in a provider's ids."""
SHORTEST_END = 8
"""A key cut short keeps its start or its end: a run this long that starts or ends like the key is hidden too."""

_ESCAPE = re.compile(r"%[0-9A-F]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_GRAM = 4
_STRIDE = SHORTEST_END - _GRAM + 1
"""Every run of SHORTEST_END characters holds a whole _GRAM-gram starting at a multiple of _STRIDE, so looking only
there finds every piece while reading a long text (a clip sent inline) a few characters at a time."""


def hide_keys(text: str, keys: Iterable[str]) -> str:
    """`text` with every key, in every form below and every long enough piece of one, replaced by REDACTED."""
    forms = key_forms(tuple(sorted({key for key in keys if len(key) >= SHORTEST_KEY})))
    if not forms or not text:
        return text
    for form in forms:  # longest first, so a key is not half-replaced by a shorter form inside it
        text = text.replace(form, REDACTED)
    spans = _pieces(text, _index(forms))
    if not spans:
        return text
    kept, last = [], 0
    for start, end in spans:
        kept.append(text[last:start])
        kept.append(REDACTED)
        last = end
    kept.append(text[last:])
    return "".join(kept)


@functools.lru_cache(maxsize=32)
def key_forms(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Each key as a provider might echo it: plain and base64 (standard and URL-safe, at each of the three places
    it can sit in a 3-byte group: `user:key` in a Basic header shifts it), each also percent-encoded."""
    forms: set[str] = set()
    for key in keys:
        for form in (key, *_base64_forms(key.encode("utf-8"))):
            forms |= _percent_forms(form) | _json_forms(form)
        forms |= {_escaped(key, "x"), _escaped(key, "X")}
    return tuple(sorted((form for form in forms if len(form) >= SHORTEST_KEY), key=len, reverse=True))


def _json_forms(text: str) -> set[str]:
    """`text` as a JSON writer may escape it inside a string (PHP's writes "/" as "\\/"): what a JSON reader undoes
    only when the JSON is read, and a provider's error holding JSON as text (a gateway's) never is."""
    return {text.replace("/", "\\/")} if "/" in text else set()


def _escaped(text: str, case: str) -> str:
    """Every character as a JSON escape, `\\u0073\\u006b…`: any reader of the message turns it back at sight."""
    return "".join(f"\\u{ord(char):04{case}}" for char in text)


def _percent_forms(text: str) -> set[str]:
    """`text` as is and percent-encoded (with "/" escaped or kept, hex digits in either case)."""
    encoded = {text, _percent(text, keep=""), _percent(text, keep="/")}
    return encoded | {_ESCAPE.sub(lambda escape: escape[0].lower(), form) for form in encoded}


def _percent(text: str, keep: str) -> str:
    # what urllib.parse.quote does (core imports nothing that could reach the network, urllib included)
    return "".join(
        char if char in _UNRESERVED or char in keep else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in text
    )


def _base64_forms(data: bytes) -> Iterable[str]:
    for before in range(3):
        encoded = base64.b64encode(bytes(before) + data).decode("ascii").rstrip("=")
        # drop the characters that mix in the unknown bytes before and after the key: they are not the key's own
        head = (0, 2, 3)[before]
        tail = len(encoded) if (before + len(data)) % 3 == 0 else len(encoded) - 1
        own = encoded[head:tail]
        yield own
        yield own.replace("+", "-").replace("/", "_")


@functools.lru_cache(maxsize=32)
def _index(forms: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    index: dict[str, list[tuple[str, int]]] = {}
    for form in forms:
        for at in range(len(form) - _GRAM + 1):
            index.setdefault(form[at : at + _GRAM], []).append((form, at))
    return index


def _pieces(text: str, index: dict[str, list[tuple[str, int]]]) -> list[tuple[int, int]]:
    """The stretches of `text` that are long pieces of a key form, merged, in order."""
    found: list[tuple[int, int]] = []
    size = len(text)
    for i in range(0, size - _GRAM + 1, _STRIDE):
        for form, at in index.get(text[i : i + _GRAM], ()):
            start, begin = i, at
            while start > 0 and begin > 0 and text[start - 1] == form[begin - 1]:
                start, begin = start - 1, begin - 1
            end, finish = i + _GRAM, at + _GRAM
            while end < size and finish < len(form) and text[end] == form[finish]:
                end, finish = end + 1, finish + 1
            length = end - start
            at_an_end = begin == 0 or finish == len(form)
            if length >= SHORTEST_PIECE or (at_an_end and length >= min(SHORTEST_END, len(form))):
                found.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
