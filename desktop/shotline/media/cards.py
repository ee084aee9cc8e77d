"""Render an animatic title card: the shot's prompt on a solid colour, exactly as long as the shot, with a soft tone.

It is an honest placeholder: it shows the shot's title (if it has one), what was asked for, how long and how big,
and a running timecode, so a creator can cut a whole film from cards before paying for a single generated clip. It
never shows the shot's number: the card is a take, and the shot may be moved after it was made.
Everything is drawn by ffmpeg from lavfi sources; user text reaches drawtext only through files, never through the
filter graph, so quotes, colons, percent signs, backslashes and emoji cannot break the command.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import tempfile
import textwrap
from fractions import Fraction
from pathlib import Path

from shotline.core.cleanup import clean_up_on_thread
from shotline.core.errors import MediaMissing
from shotline.core.partial import partial_path, temp_prefix
from shotline.core.ports import ProgressSink, TitleCard
from shotline.core.timecode import US_PER_SECOND, format_fps
from shotline.media.leftovers import sweep_beside
from shotline.media.process import ProcessRegistry, run_ffmpeg

log = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
TONE_VOLUME = 0.5
"""Gain on lavfi's sine (itself at 1/8 of full scale): a peak near -24 dBFS, quiet enough to sit under a scratch
voice-over, loud enough to show the clip has a sound track."""
_COLOUR = re.compile(r"#?([0-9a-fA-F]{6})")
_MARGIN = 0.08
_GLYPH_WIDTH = 0.56
"""Average advance of a sans-serif glyph as a share of the font size; used to wrap before ffmpeg draws."""
_LABEL_GLYPH_WIDTH = 0.62
"""Upper-case glyphs are wider."""


def frame_count(card: TitleCard) -> int:
    """Whole frames in the card (at least one); the clip lasts exactly this many frames."""
    return max(1, round(Fraction(card.duration_us) * card.fps / US_PER_SECOND))


def exact_duration(card: TitleCard) -> Fraction:
    """The card's length in seconds once snapped to whole frames."""
    return frame_count(card) / card.fps


def wrap_prompt(prompt: str, width_chars: int, max_lines: int) -> list[str]:
    """Wrap the prompt's paragraphs to `width_chars`; lines beyond `max_lines` are cut and marked with an ellipsis."""
    lines: list[str] = []
    for paragraph in prompt.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        cleaned = "".join(ch if ch.isprintable() else " " for ch in paragraph).strip()
        lines.extend(textwrap.wrap(cleaned, width=max(8, width_chars)) or [""])
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        lines = ["(no prompt yet)"]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, width_chars - 1)].rstrip() + "…"
    return lines


async def render_card(
    card: TitleCard,
    dest: Path,
    progress: ProgressSink,
    *,
    ffmpeg: Path,
    font: Path,
    registry: ProcessRegistry | None = None,
) -> None:
    """Render `card` to an H.264/AAC MP4 at `dest` (a PNG for a still card), written under a temporary name, then
    renamed into place."""
    if not await asyncio.to_thread(font.is_file):
        raise MediaMissing(f"The title-card font {font} is missing; reinstall Shotline to restore it.")
    text_dir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=temp_prefix("card")))
    # named with its owner, so one a Shotline killed while rendering left is swept by the next render beside it
    await asyncio.to_thread(sweep_beside, dest)
    partial = partial_path(dest, "rendering", ".png" if card.still else ".mp4")
    try:
        texts = card_texts(card)
        await asyncio.to_thread(_write_texts, text_dir, texts)
        argv = card_argv(card, partial, ffmpeg=ffmpeg, font=font, text_dir=text_dir)
        duration_us = round(exact_duration(card) * US_PER_SECOND)
        await run_ffmpeg(argv, duration_us=duration_us, progress=progress, registry=registry)
        await asyncio.to_thread(os.replace, partial, dest)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        await clean_up_on_thread(shutil.rmtree, text_dir, True)
    log.info("Rendered title card %r to %s", card.label, dest)
    progress(1.0)


def card_argv(card: TitleCard, output: Path, *, ffmpeg: Path, font: Path, text_dir: Path) -> list[str]:
    """The ffmpeg command line (without reporting flags) that draws the card from the text files in `text_dir`."""
    if card.still:
        # one picture of the card, silent, as a provider's still comes back: a PNG
        graph = f"{_picture(card, font, text_dir)}[v]"
        picture = ["-map", "[v]", "-frames:v", "1", "-c:v", "png", "-f", "image2", "-update", "1"]
        return [str(ffmpeg), "-y", "-filter_complex", graph, *picture, f"file:{output}"]
    frames = frame_count(card)
    return [
        str(ffmpeg),
        "-y",
        "-filter_complex",
        _graph(card, font, text_dir),
        "-map",
        "[v]",
        "-map",
        "[a]",
        "-frames:v",
        str(frames),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ar",
        str(SAMPLE_RATE),
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        f"file:{output}",
    ]


# ---------------------------------------------------------------------------------------------- layout


def card_texts(card: TitleCard) -> dict[str, str]:
    """Everything the card writes on the picture, by the name of the file drawtext reads it from."""
    width, height = card.size.width, card.size.height
    prompt_size = _prompt_font_size(card)
    usable = width * (1 - 2 * _MARGIN)
    width_chars = int(usable / (prompt_size * _GLYPH_WIDTH))
    max_lines = max(1, int(height * 0.5 / (prompt_size * 1.35)))
    label = _label_text(card)
    label_chars = max(4, int(usable / (_label_font_size(card) * _LABEL_GLYPH_WIDTH)))
    if len(label) > label_chars:
        label = label[: label_chars - 1].rstrip() + "…"
    seconds = exact_duration(card)
    corner = f"{float(seconds):.2f} s · {width}x{height} · {format_fps(card.fps)} fps"
    if card.still:
        corner = f"still · {width}x{height}"
    return {
        "label.txt": label,
        "prompt.txt": "\n".join(wrap_prompt(card.prompt, width_chars, max_lines)),
        "corner.txt": corner,
    }


def _label_text(card: TitleCard) -> str:
    return " ".join(card.label.split()).upper()


def _label_font_size(card: TitleCard) -> int:
    """Large, but shrunk (down to two thirds) so that a longer label still fits on one line."""
    largest = max(14, card.size.height // 9)
    usable = card.size.width * (1 - 2 * _MARGIN)
    fitting = int(usable / (max(1, len(_label_text(card))) * _LABEL_GLYPH_WIDTH))
    return max(largest * 2 // 3, min(largest, fitting))


def _prompt_font_size(card: TitleCard) -> int:
    return max(10, min(card.size.height // 20, card.size.width // 28))


def _small_font_size(card: TitleCard) -> int:
    return max(9, card.size.height // 28)


def _write_texts(text_dir: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        # no trailing newline: drawtext would draw it as an extra empty line
        (text_dir / name).write_text(text, encoding="utf-8")


def _graph(card: TitleCard, font: Path, text_dir: Path) -> str:
    return f"{_picture(card, font, text_dir)}[v];{_audio_chain(card, frame_count(card))}[a]"


def _picture(card: TitleCard, font: Path, text_dir: Path) -> str:
    width, height = card.size.width, card.size.height
    margin = round(min(width, height) * 0.05)
    font_opt = f"fontfile={_quote(str(font))}"
    small = _small_font_size(card)
    prompt_size = _prompt_font_size(card)
    drawings = [
        _drawtext(
            font_opt,
            f"textfile={_quote(str(text_dir / 'label.txt'))}",
            "expansion=none",
            f"fontsize={_label_font_size(card)}",
            "fontcolor=white",
            "x=(w-text_w)/2",
            f"y={round(height * 0.16)}",
        ),
        _drawtext(
            font_opt,
            f"textfile={_quote(str(text_dir / 'prompt.txt'))}",
            "expansion=none",
            f"fontsize={prompt_size}",
            f"line_spacing={round(prompt_size * 0.35)}",
            "fontcolor=white@0.92",
            "x=(w-text_w)/2",
            f"y={round(height * 0.38)}",
        ),
        _drawtext(
            font_opt,
            f"textfile={_quote(str(text_dir / 'corner.txt'))}",
            "expansion=none",
            f"fontsize={small}",
            "fontcolor=white@0.75",
            f"x=w-text_w-{margin}",
            f"y=h-text_h-{margin}",
        ),
    ]
    if not card.still:  # a running timecode, which a still has no use for
        drawings.append(
            _drawtext(
                font_opt,
                f"text={_quote('%{pts:hms}')}",
                f"fontsize={small}",
                "fontcolor=white@0.75",
                f"x={margin}",
                f"y=h-text_h-{margin}",
            )
        )
    return ",".join(
        [
            f"color=c=0x{_hex_colour(card.background)}:s={width}x{height}:r={format_fps(card.fps)}",
            *drawings,
            "format=rgb24" if card.still else "format=yuv420p",
        ]
    )


def _audio_chain(card: TitleCard, frames: int) -> str:
    seconds = frames / card.fps
    samples = round(seconds * SAMPLE_RATE)
    if card.tone_hz is None:
        return f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=end_sample={samples}"
    fade = min(Fraction(1, 4), seconds / 4)
    fade_out_start = seconds - fade
    return ",".join(
        [
            f"sine=frequency={int(card.tone_hz)}:sample_rate={SAMPLE_RATE}",
            f"atrim=end_sample={samples}",
            f"volume={TONE_VOLUME}",
            f"afade=t=in:st=0:d={float(fade):.6f}",
            f"afade=t=out:st={float(fade_out_start):.6f}:d={float(fade):.6f}",
            "aformat=sample_fmts=fltp:channel_layouts=stereo",
        ]
    )


def _drawtext(*options: str) -> str:
    return "drawtext=" + ":".join(options)


def _hex_colour(colour: str) -> str:
    match = _COLOUR.fullmatch(colour.strip())
    if not match:
        raise ValueError(f"{colour!r} is not a colour; write it as #RRGGBB")
    return match[1].lower()


def _quote(value: str) -> str:
    """Escape an option value for a filter graph: quoted for the option parser, then escaped for the graph parser.

    ffmpeg unescapes filter arguments twice (graph level, then option level), so both layers are applied here.
    """
    option_level = "'" + value.replace("'", "'\\''") + "'"
    return re.sub(r"([\\'\[\],;])", r"\\\1", option_level)
