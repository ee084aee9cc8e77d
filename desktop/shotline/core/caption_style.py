"""What an export does with the captions, and how burned-in captions look (pure; `media.subtitles` writes them).

Sizes are shares of the frame, not pixels, so one style reads the same at every preset: the letters are a share of
the frame's shorter side (a 9:16 frame is as wide as a 16:9 one is tall), and the margins keep the words inside the
frame's safe area. A vertical frame's safe area is larger at the bottom and sides: the apps it is made for
(Reels, Shorts, TikTok) lay their buttons and the post's text over those parts of the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CaptionPlace(StrEnum):
    BOTTOM = "bottom"
    MIDDLE = "middle"
    TOP = "top"


@dataclass(frozen=True, slots=True)
class CaptionStyle:
    """How burned-in captions look. `size` is the letters' height in percent of the frame's shorter side,
    `outline` the dark edge around them in percent of that height."""

    font: str = "DejaVu Sans"
    size: float = 5.5
    outline: float = 8.0
    place: CaptionPlace = CaptionPlace.BOTTOM


MIN_SIZE = 2.0
MAX_SIZE = 12.0
"""Letter sizes a style may ask for (percent of the shorter side): below, unreadable; above, a word per line."""


@dataclass(frozen=True, slots=True)
class CaptionExport:
    """Which of the captions' forms an export writes: SRT and WebVTT files beside the film, a subtitle track inside
    it (players turn it on and off), and the words drawn into the picture."""

    sidecars: bool = False
    soft: bool = False
    burn: bool = False
    style: CaptionStyle = CaptionStyle()

    @property
    def any(self) -> bool:
        return self.sidecars or self.soft or self.burn


NO_CAPTIONS = CaptionExport()


@dataclass(frozen=True, slots=True)
class SafeArea:
    """The part of a frame that captions stay inside, as margins in pixels."""

    left: int
    right: int
    top: int
    bottom: int


def safe_area(width: int, height: int) -> SafeArea:
    """The caption-safe margins of a `width`×`height` frame: the broadcast title-safe area (a tenth of the width at
    the sides, a twentieth of the height above and below), and for a vertical frame the parts the short-video apps
    cover: an eighth of the width at the sides, a tenth at the top and a fifth at the bottom."""
    if height > width:
        return SafeArea(width // 8, width // 8, height // 10, height // 5)
    return SafeArea(width // 10, width // 10, height // 20, height // 20)


def letter_height(width: int, height: int, style: CaptionStyle) -> int:
    """The font size in pixels for `style` on a `width`×`height` frame."""
    size = min(max(style.size, MIN_SIZE), MAX_SIZE)
    return max(8, round(min(width, height) * size / 100))
