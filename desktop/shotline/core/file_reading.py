"""How any part of Shotline hands a file to FFmpeg (the binary or PyAV): the rules that need no FFmpeg to state.

`media.intake` holds a take's or a sound's media to these and more; a backend that decodes a still picture (a first
frame it must fit to the model's frame) holds it to `STILL_OPEN_OPTIONS`, since backends cannot reach `media`.
"""

from __future__ import annotations

from pathlib import Path

from shotline.core.model import MAX_SIDE

MAX_PIXELS = MAX_SIDE * MAX_SIDE
"""The largest picture any decoder may make (FFmpeg's `max_pixels`), so a picture claiming more is refused by the
decoder before it is allocated, even when its container says less."""
DECODER_OPTIONS = {"max_pixels": str(MAX_PIXELS)}
"""Options for every decoder that reads a file Shotline did not make (PyAV sets them on each stream it decodes)."""
STILL_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe")
"""FFmpeg's names for the still pictures a first frame may be: one image each (see `pattern_type` below)."""
STILL_OPEN_OPTIONS = {
    "protocol_whitelist": "file",
    "format_whitelist": ",".join(STILL_FORMATS),
    "pattern_type": "none",  # image2 otherwise reads `frame%d.png` as a sequence of other files
}
"""PyAV's open options for a still picture: one local file, an image format (a playlist named .png is refused)."""


def file_url(path: Path) -> str:
    """How FFmpeg is told which file to read: `file:` and the absolute path, so no part of the name is read as a
    protocol (a relative `file:decoy.mp4` is otherwise `decoy.mp4`, and `C:` a drive only by luck)."""
    return f"file:{path.absolute()}"
