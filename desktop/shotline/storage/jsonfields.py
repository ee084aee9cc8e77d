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

DAMAGED = "The project file is damaged"
_SIZE = re.compile(r"(\d{1,6})x(\d{1,6})")
_FRACTION = re.compile(r"\d{1,12}(/[1-9]\d{0,11})?")
MISSING = object()


def corrupt(where: str, problem: str) -> NoReturn:
    raise ProjectCorrupt(f"{DAMAGED}: {where} {problem}.")


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

    def whole(self, key: str, default: object = MISSING, minimum: int | None = None) -> int:
        value = self.raw(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            corrupt(self.path(key), f"should be a whole number but is {kind(value)}")
        if minimum is not None and value < minimum:
            corrupt(self.path(key), f"should be at least {minimum} but is {value}")
        return value

    def opt_whole(self, key: str) -> int | None:
        value = self.raw(key, None)
        return None if value is None else self.whole(key)

    def number(self, key: str, default: object = MISSING) -> float:
        value = self.raw(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            corrupt(self.path(key), f"should be a number but is {kind(value)}")
        return float(value)

    def flag(self, key: str, default: object = MISSING) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            corrupt(self.path(key), f"should be true or false but is {kind(value)}")
        return value

    def fraction(self, key: str, default: object = MISSING) -> Fraction:
        value = self.raw(key, default)
        if isinstance(value, Fraction):
            return value
        text = self.text(key)
        if not _FRACTION.fullmatch(text) or (result := Fraction(text)) <= 0:
            corrupt(self.path(key), f'should be a rate above zero like "30000/1001" but is {text!r}')
        return result

    def opt_fraction(self, key: str) -> Fraction | None:
        return None if self.raw(key, None) is None else self.fraction(key)

    def decimal(self, key: str) -> Decimal | None:
        value = self.raw(key, None)
        if value is None:
            return None
        text = self.text(key)
        try:
            result = Decimal(text)
        except InvalidOperation:
            corrupt(self.path(key), f'should be an amount like "1.25" but is {text!r}')
        if not result.is_finite():
            corrupt(self.path(key), f'should be an amount like "1.25" but is {text!r}')
        return result

    def size(self, key: str, default: object = MISSING) -> Size:
        value = self.raw(key, default)
        if isinstance(value, Size):
            return value
        text = self.text(key)
        match = _SIZE.fullmatch(text)
        if not match or int(match[1]) <= 0 or int(match[2]) <= 0:
            corrupt(self.path(key), f'should be a size like "1920x1080" but is {text!r}')
        return Size(int(match[1]), int(match[2]))

    def opt_size(self, key: str) -> Size | None:
        return None if self.raw(key, None) is None else self.size(key)

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


def kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"the number {value!r}"
    return names.get(type(value), type(value).__name__)
