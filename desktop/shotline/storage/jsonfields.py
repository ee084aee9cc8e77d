"""Reads typed values out of parsed JSON, naming the exact field path ("shots[2].takes[0].trim") in every complaint.

Generic on purpose: `schema` knows the project's shape and uses these readers, so each damaged field becomes a
`ProjectCorrupt` a creator (or a support thread) can act on, never a KeyError or TypeError.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, NoReturn

from shotline.core.errors import ProjectCorrupt
from shotline.core.model import Size
from shotline.core.timecode import format_fps

DAMAGED = "The project file is damaged"
_SIZE = re.compile(r"(\d{1,6})x(\d{1,6})")
_FRACTION = re.compile(r"\d{1,12}(/[1-9]\d{0,11})?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_INDEX = re.compile(r"(\w+)\[(\d+)\]")
_PLACES = {
    "shots": "shot",
    "takes": "take",
    "dialogue": "line",
    "audio": "sound clip",
    "assets": "library take",
    "lanes": "audio lane",
    "captions": "caption",
}
MISSING = object()
MAX_DEPTH = 32
"""How deeply a project's JSON may nest: a project needs 8 levels below its request snapshots; thousands of levels
would only exhaust the stack of whatever reads them next."""
LARGEST_WHOLE = 2**64
"""No whole number in a project reaches this (a 64-bit seed is the largest); far larger ones cannot become floats."""


def corrupt(where: str, problem: str) -> NoReturn:
    shown = where if len(where) <= 120 else f"{where[:100]}…"  # a field 32 levels deep need not be spelled out
    raise ProjectCorrupt(f"{DAMAGED}: {shown} {problem}{in_creator_words(where)}.")


def in_creator_words(where: str) -> str:
    """The shot and take a field belongs to, counted as `shotline info` and the window count them: for
    "shots[2].takes[0].trim", " (shot 3, take 1)"."""
    named = [f"{_PLACES[name]} {int(index) + 1}" for name, index in _INDEX.findall(where) if name in _PLACES]
    return f" ({', '.join(named)})" if named else ""


def check_plain(data: object) -> None:
    """Refuse, anywhere in a parsed document, what JSON can carry but no project holds: text that is not valid
    Unicode (a lone surrogate) or holds a zero character, numbers that are infinite (`1e400` parses as one) or too
    large to become floats, and nesting deeper than MAX_DEPTH. Walks with its own stack, so depth cannot overflow it.
    """
    pending: list[tuple[object, str, int]] = [(data, "the top level", 0)]
    while pending:
        value, where, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                corrupt(where, f"is nested more than {MAX_DEPTH} levels deep, far more than a project needs")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key, f"a name in {where}")
                inner = f"{where}[{key}]" if isinstance(key, int) else _member(where, key)
                pending.append((item, inner, depth + 1))
        elif isinstance(value, str):
            _check_text(value, where)
        elif isinstance(value, float) and not math.isfinite(value):
            corrupt(where, "should be a number but is infinite")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= LARGEST_WHOLE:
            corrupt(where, f"is {kind(value)}, larger than any number a project holds")


def _member(where: str, key: str) -> str:
    if where == "the top level":
        return key if key.isidentifier() else repr(key)
    return f"{where}.{key}" if key.isidentifier() else f"{where}[{key!r}]"


def _check_text(text: str, where: str) -> None:
    if "\x00" in text:
        corrupt(where, "holds a zero character, which no text or file name in a project may hold")
    broken = _SURROGATE.search(text)
    if broken:
        corrupt(where, f"is not valid text: it holds half of a character ({broken[0]!r} at position {broken.start()})")


class Fields:
    """Reads one JSON object, naming the exact field path in every complaint."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            corrupt(where, f"should be an object but is {kind(data)}")
        self.data: dict[str, Any] = data
        self.where = where

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str, default: object = MISSING) -> object:
        if key in self.data:
            return self.data[key]
        if default is MISSING:
            corrupt(self.path(key), "is missing")
        return default

    def text(self, key: str, default: object = MISSING) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str):
            corrupt(self.path(key), f"should be text but is {kind(value)}")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.raw(key, None)
        return None if value is None else self.text(key)

    def whole(self, key: str, default: object = MISSING, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            corrupt(self.path(key), f"should be a whole number but is {kind(value)}")
        if minimum is not None and value < minimum:
            corrupt(self.path(key), f"should be at least {minimum} but is {kind(value, bare=True)}")
        if maximum is not None and value > maximum:
            corrupt(self.path(key), f"should be at most {maximum} but is {kind(value, bare=True)}")
        return value

    def opt_whole(self, key: str) -> int | None:
        value = self.raw(key, None)
        return None if value is None else self.whole(key)

    def number(self, key: str, default: object = MISSING, *, between: tuple[float, float]) -> float:
        value = self.raw(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool):
            corrupt(self.path(key), f"should be a number but is {kind(value)}")
        low, high = between
        # Compared before float(): an int beyond float range would raise OverflowError there.
        if not low <= value <= high:
            corrupt(self.path(key), f"should be between {low:g} and {high:g} but is {kind(value, bare=True)}")
        return float(value)

    def flag(self, key: str, default: object = MISSING) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            corrupt(self.path(key), f"should be true or false but is {kind(value)}")
        return value

    def fraction(self, key: str, default: object = MISSING, *, between: tuple[Fraction, Fraction]) -> Fraction:
        value = self.raw(key, default)
        if isinstance(value, Fraction):
            return value
        text = self.text(key)
        if not _FRACTION.fullmatch(text) or (result := Fraction(text)) <= 0:
            corrupt(self.path(key), f'should be a rate above zero like "30000/1001" but is {text!r}')
        low, high = between
        if not low <= result <= high:
            corrupt(
                self.path(key),
                f"should be a rate from {format_fps(low)} to {format_fps(high)} per second but is {text!r}",
            )
        return result

    def opt_fraction(self, key: str, *, between: tuple[Fraction, Fraction]) -> Fraction | None:
        return None if self.raw(key, None) is None else self.fraction(key, between=between)

    def decimal(self, key: str) -> Decimal | None:
        value = self.raw(key, None)
        if value is None:
            return None
        text = self.text(key)
        try:
            result = Decimal(text)
        except InvalidOperation:
            corrupt(self.path(key), f'should be an amount like "1.25" but is {text!r}')
        if not _plain_amount(result):
            corrupt(self.path(key), f'should be an amount like "1.25" but is {text!r}')
        return result

    def size(self, key: str, default: object = MISSING, *, sides: tuple[int, int]) -> Size:
        value = self.raw(key, default)
        if isinstance(value, Size):
            return value
        text = self.text(key)
        match = _SIZE.fullmatch(text)
        if not match or int(match[1]) <= 0 or int(match[2]) <= 0:
            corrupt(self.path(key), f'should be a size like "1920x1080" but is {text!r}')
        low, high = sides
        if not (low <= int(match[1]) <= high and low <= int(match[2]) <= high):
            corrupt(self.path(key), f"should be {low} to {high} pixels wide and high but is {text!r}")
        return Size(int(match[1]), int(match[2]))

    def opt_size(self, key: str, *, sides: tuple[int, int]) -> Size | None:
        return None if self.raw(key, None) is None else self.size(key, sides=sides)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.raw(key, {})
        if not isinstance(value, dict):
            corrupt(self.path(key), f"should be an object but is {kind(value)}")
        return value

    def items(self, key: str, default: object = MISSING) -> list[Any]:
        value = self.raw(key, default)
        if not isinstance(value, list):
            corrupt(self.path(key), f"should be a list but is {kind(value)}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.items(key, [])
        for index, item in enumerate(values):
            if not isinstance(item, str):
                corrupt(f"{self.path(key)}[{index}]", f"should be text but is {kind(item)}")
        return tuple(values)

    def nested(self, key: str) -> Fields:
        return Fields(self.raw(key), self.path(key))


def kind(value: object, *, bare: bool = False) -> str:
    """What a JSON value is, in words ("the number 5"); a number is shown whole only if it is short."""
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    if isinstance(value, int | float) and not isinstance(value, bool):
        long = isinstance(value, int) and abs(value) >= 10**30
        shown = f"a {len(str(abs(value)))}-digit number" if long else repr(value)
        return shown if bare or shown.startswith("a ") else f"the number {shown}"
    return names.get(type(value), type(value).__name__)


def _plain_amount(value: Decimal) -> bool:
    """Finite, under 10^13, to at most 12 places; counted without arithmetic, because abs(Decimal("1E+999999999"))
    overflows, and printing that amount to cents would write a billion digits."""
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -12 and value.adjusted() < 13
