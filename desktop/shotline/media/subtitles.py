"""The captions as subtitle files (pysubs2): SRT and WebVTT beside a film, and the ASS file libass burns in.

Captions live on the timeline; an export renders a window of it, so each caption is moved to the export's own
time, cut to the window and left out when it falls outside. Burned-in captions are drawn by libass (ffmpeg's `ass`
filter) from an ASS file whose canvas is the export's frame in pixels: the style's letters, outline and margins are
worked out for that frame (`core.caption_style`), and a caption too long for the frame at that size is shown as
several captions one after the other, so no caption ever runs past the safe area, at any preset.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pysubs2

from shotline.core.caption_style import CaptionPlace, CaptionStyle, letter_height, safe_area
from shotline.core.captions import shares
from shotline.core.model import Caption, Size, Trim

US_PER_MS = 1000
BURN_LINES = 3
"""The most lines a burned-in caption takes; a longer one is shown as several, one after the other."""
NARROW = frozenset("fijltIJ'(),-./:;[]\\| ")
MIDDLE = frozenset('0123456789abcdeghknopqrsuvxyzEFLPSTY!"$*?_`{}')
"""DejaVu Sans' characters by advance: narrow ones at most 0.4 of the letter height, middle ones at most 0.65, every
other at most 1.0 ('@'). A line's width is reckoned with these bounds (and 1.1 for any character beyond ASCII), so a
line that fits by the reckoning fits on the frame: lines are broken here, never by libass, and counted."""
LINE_HEIGHT = 1.3
"""A line of DejaVu Sans with its outline, in letter heights (its own line height is about 1.16)."""
SIDECAR_FORMATS = {".srt": "srt", ".vtt": "vtt"}


@dataclass(frozen=True, slots=True)
class Cue:
    """A caption on the export's clock (ms, as subtitle files count)."""

    start_ms: int
    end_ms: int
    text: str


def cues(captions: Iterable[Caption], window: Trim) -> list[Cue]:
    """`captions` moved to the export's time (window start = 0), cut to the window; those outside it left out."""
    found = []
    for caption in sorted(captions, key=lambda c: (c.start_us, c.end_us)):
        start = max(caption.start_us, window.in_us) - window.in_us
        end = min(caption.end_us, window.out_us) - window.in_us
        start_ms, end_ms = round(start / US_PER_MS), round(end / US_PER_MS)
        if end_ms > start_ms and caption.text.strip():
            found.append(Cue(start_ms, end_ms, caption.text.strip()))
    return found


def subtitle_file(found: Iterable[Cue]) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in found:
        event = pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms)
        event.plaintext = cue.text
        subs.append(event)
    return subs


def write_sidecars(
    captions: Iterable[Caption], window: Trim, film: Path, suffixes: Iterable[str] = SIDECAR_FORMATS
) -> tuple[Path, ...]:
    """Write `film`.srt and `film`.vtt (or those of `suffixes`) beside the film, same name with the subtitle's
    ending, as players look for them."""
    subs = subtitle_file(cues(captions, window))
    written = []
    for suffix in suffixes:
        path = film.with_suffix(suffix)
        part = path.with_name(f".{path.name}.part")  # a player never finds half a file under the film's name
        part.write_text(subs.to_string(SIDECAR_FORMATS[suffix]), encoding="utf-8")
        part.replace(path)
        written.append(path)
    return tuple(written)


def write_srt(captions: Iterable[Caption], window: Trim, path: Path) -> Path:
    """The captions of `window` as an SRT file at `path` (what a subtitle track is made from)."""
    path.write_text(subtitle_file(cues(captions, window)).to_string("srt"), encoding="utf-8")
    return path


def burn_in_file(captions: Iterable[Caption], window: Trim, size: Size, style: CaptionStyle) -> pysubs2.SSAFile:
    """The ASS file that draws the captions into a `size` frame in `style`, inside the frame's safe area."""
    subs = pysubs2.SSAFile()
    # the canvas is the frame itself, so every size below is in the export's pixels; WrapStyle 2: libass breaks a
    # line only where the text says (`wrap` broke them to fit)
    subs.info.update(
        {"PlayResX": str(size.width), "PlayResY": str(size.height), "WrapStyle": "2", "ScaledBorderAndShadow": "yes"}
    )
    safe = safe_area(size.width, size.height)
    # a small frame (a project's own, at the Source preset) takes smaller letters: its burned lines must fit too
    room_above = size.height - safe.top - safe.bottom
    letters = max(1, min(letter_height(size.width, size.height, style), int(room_above / (BURN_LINES * LINE_HEIGHT))))
    outline = max(1.0, round(letters * style.outline / 100, 1))
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=style.font,
        fontsize=letters,
        primarycolor=pysubs2.Color(255, 255, 255),
        outlinecolor=pysubs2.Color(0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=outline,
        shadow=0,
        alignment=_ALIGNMENT[style.place],
        # the outline is drawn outside the letters: the margins hold it too
        marginl=safe.left + round(outline),
        marginr=safe.right + round(outline),
        marginv=(safe.bottom if style.place is CaptionPlace.BOTTOM else safe.top) + round(outline),
    )
    room = (size.width - safe.left - safe.right - 2 * round(outline)) / letters
    for cue in cues_for_burning(cues([*captions], window), room):
        event = pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms, style="Default")
        event.text = _ass_text(cue.text)
        subs.append(event)
    return subs


def cues_for_burning(found: Iterable[Cue], room: float) -> list[Cue]:
    """Each cue broken into lines at most `room` letter heights wide, shown `BURN_LINES` lines at a time: a longer
    one becomes several cues one after the other, sharing its time by their characters."""
    result = []
    for cue in found:
        lines = wrap(cue.text, room)
        count = -(-len(lines) // BURN_LINES)  # as few cues as it takes, their lines shared evenly
        bounds = [len(lines) * k // count for k in range(count + 1)]
        groups = ["\n".join(lines[a:b]) for a, b in pairwise(bounds)]
        spans = shares([len(group) for group in groups], cue.start_ms, cue.end_ms)
        result += [Cue(start, end, group) for (start, end), group in zip(spans, groups, strict=True) if end > start]
    return result


def wrap(text: str, room: float) -> list[str]:
    """`text` broken between words into lines at most `room` letter heights wide (a word wider than a line is cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while width(word) > room and len(word) > 1:
            cut = next(i for i in range(len(word), 0, -1) if width(word[:i]) <= room or i == 1)
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        joined = f"{current} {word}" if current else word
        if width(joined) <= room:
            current = joined
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def width(text: str) -> float:
    """How wide `text` may be in DejaVu Sans, in letter heights (an upper bound: see `NARROW`)."""
    return sum(0.4 if c in NARROW else 0.65 if c in MIDDLE else 1.0 if c.isascii() else 1.1 for c in text)


def _ass_text(text: str) -> str:
    """Plain words as ASS event text: braces and backslashes would be read as ASS's own commands."""
    plain = text.replace("\\", "\u29f5").replace("{", "(").replace("}", ")")
    return plain.replace("\n", r"\N")


def write_burn_in(captions: Iterable[Caption], window: Trim, size: Size, style: CaptionStyle, path: Path) -> Path:
    burn_in_file(captions, window, size, style).save(str(path), format_="ass", encoding="utf-8")
    return path


def burn(stream: Any, ass: Path) -> Any:
    """`stream` (ffmpeg-python) with the captions of the ASS file `ass` drawn into it by libass. ffmpeg-python
    escapes the path for the filter graph (a folder name with a colon or a quote is no harm)."""
    return stream.filter("ass", filename=str(ass))


_ALIGNMENT = {
    CaptionPlace.BOTTOM: pysubs2.Alignment.BOTTOM_CENTER,
    CaptionPlace.MIDDLE: pysubs2.Alignment.MIDDLE_CENTER,
    CaptionPlace.TOP: pysubs2.Alignment.TOP_CENTER,
}
