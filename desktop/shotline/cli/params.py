"""Click parameter types for the creator's units: times, sizes, frame rates and project folders."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from shotline.core.model import Size
from shotline.core.timecode import parse_fps, parse_time

SUFFIX = ".shotline"


class TimeType(click.ParamType[int]):
    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_time(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class SizeType(click.ParamType[Size]):
    name = "WxH"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Size:
        if isinstance(value, Size):
            return value
        try:
            return Size.parse(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class FpsType(click.ParamType[Fraction]):
    name = "FPS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Fraction:
        try:
            return parse_fps(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


TIME = TimeType()
SIZE = SizeType()
FPS = FpsType()


def new_project_path(text: str) -> Path:
    """`film` and `film.shotline` both name the folder `film.shotline`."""
    path = Path(text).expanduser()
    return path if path.name.endswith(SUFFIX) else path.with_name(path.name + SUFFIX)


def existing_project_path(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.exists() and not path.name.endswith(SUFFIX) and path.with_name(path.name + SUFFIX).exists():
        return path.with_name(path.name + SUFFIX)
    return path
