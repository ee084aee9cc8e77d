"""Hostile media, built on the spot (issue 13): files that name other files, headers that claim more than their
file holds, files cut short, and formats no decoder reads. Each starts from a real clip (`tests.clips`) or is
written byte by byte, so a test shows exactly what makes it hostile.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from tests.clips import make_clip, run


def moov_first_clip(path: Path, *, seconds: float = 4, colour: str | None = None) -> Path:
    """An MP4 with picture and sound whose header (moov) comes before its samples, as for the web (faststart)."""
    plain = make_clip(path.with_name(f"{path.stem}.plain.mp4"), seconds=seconds, colour=colour, audio=(48_000, 2))
    run(["-i", str(plain), "-c", "copy", "-movflags", "+faststart", str(path)])
    plain.unlink()
    return path


def hls_playlist(path: Path, names: Path, seconds: float = 4) -> Path:
    """An HLS playlist whose one segment is `names` (absolute: any file on the computer)."""
    path.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:{seconds:g}\n#EXTINF:{seconds:g},\n{names}\n#EXT-X-ENDLIST\n")
    return path


def ffconcat_list(path: Path, names: Path) -> Path:
    """An ffconcat list naming `names` (relative to the list, as FFmpeg's safe mode allows)."""
    path.write_text(f"ffconcat version 1.0\nfile {names.name}\n")
    return path


def cut(source: Path, dest: Path, fraction: float) -> Path:
    """The first `fraction` of `source`'s bytes, as a download or copy that stopped part way leaves it."""
    data = source.read_bytes()
    dest.write_bytes(data[: int(len(data) * fraction)])
    return dest


def cut_to_fit(source: Path, dest: Path, fraction: float) -> Path:
    """`cut`, with the MP4's last box (its samples, mdat) shortened to end where the file now does: the file's
    structure looks whole, and only the sample table tells that samples are missing."""
    cut(source, dest, fraction)
    data = bytearray(dest.read_bytes())
    at = data.rindex(b"mdat") - 4
    struct.pack_into(">I", data, at, len(data) - at)
    dest.write_bytes(data)
    return dest


def claiming_size(source: Path, dest: Path, side: int) -> Path:
    """`source` (an H.264 MP4) with its track header and sample description claiming a `side`×`side` picture."""
    data = bytearray(source.read_bytes())
    entry = data.index(b"avc1") - 4
    struct.pack_into(">HH", data, entry + 32, side, side)  # VisualSampleEntry: width, height after 24 bytes
    tkhd = data.index(b"tkhd") - 4
    (length,) = struct.unpack_from(">I", data, tkhd)
    struct.pack_into(">II", data, tkhd + length - 8, side << 16, side << 16)  # 16.16 fixed point, closing the box
    dest.write_bytes(data)
    return dest


def small_gif(path: Path, seconds: float = 2) -> Path:
    """An animated GIF of 64×48 pictures."""
    run(["-f", "lavfi", "-i", f"testsrc2=size=64x48:rate=10:duration={seconds}", str(path)])
    return path


def gif_claiming_size(source: Path, dest: Path, side: int) -> Path:
    """A GIF whose screen is `side`×`side` while its pictures stay small: each frame decodes at the screen's size."""
    data = bytearray(source.read_bytes())
    struct.pack_into("<HH", data, 6, side, side)  # logical screen descriptor
    dest.write_bytes(data)
    return dest


def png_claiming_size(path: Path, side: int) -> Path:
    """A PNG of a few KB whose header says `side`×`side` RGB, with a few rows of pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = zlib.compress(b"\0" * (side * 3 + 1) * 4)
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    return path


def wav_with(source: Path, dest: Path, *, format_tag: int | None = None, rate: int | None = None) -> Path:
    """A copy of the WAV `source` with its format chunk changed: the format tag (0xFFFF: none any decoder reads),
    or the sample rate."""
    data = bytearray(source.read_bytes())
    fmt = data.index(b"fmt ") + 8
    if format_tag is not None:
        struct.pack_into("<H", data, fmt, format_tag)
    if rate is not None:
        struct.pack_into("<I", data, fmt + 4, rate)
    dest.write_bytes(data)
    return dest
