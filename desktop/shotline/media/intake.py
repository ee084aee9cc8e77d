"""What Shotline lets in as media, and how every reader hands a file to FFmpeg.

A take's or a sound's media is **one regular file, in a container on an allow-list, read through FFmpeg's `file`
protocol alone**, whatever reads it: PyAV in process (`probe.open_media`) or the ffmpeg binary in an export
(`TAKE_INPUT`). Each rule closes a way a hostile file once got further than it should:

- Containers that name other files — HLS playlists, ffconcat lists, DASH manifests, image sequences — would read any
  file on the computer into a take (an export once carried a file an `.m3u8` named). FFmpeg refuses every container
  not on `FORMATS` (its `format_whitelist`) once it has recognised the file and before it reads anything further.
- A path reaches FFmpeg as an absolute `file:` URL (`url`): a file named `file:decoy.mp4`, or any `name:…`, is
  otherwise read as a protocol and its own name, and another file was probed in its place.
- A picture's declared size, a sound's rate and channels and a file's length are checked before anything is
  decoded (`check_declared`), and no decoder may make a picture bigger than Shotline takes (`max_pixels`): a 65 KB
  file claiming 16000×16000 once took 1.6 GB to import.
- A file is whole (`check_layout` here, `probe.admit` for what only reading every packet tells): an MP4 cut at half
  its length imported as a full-length take and froze mid-export.
"""

from __future__ import annotations

import stat
import struct
from pathlib import Path
from typing import BinaryIO

import av
import av.container

from shotline.core.errors import MediaMissing, MediaUnreadable
from shotline.core.file_reading import DECODER_OPTIONS, STILL_OPEN_OPTIONS, file_url
from shotline.core.model import MAX_LENGTH_US, MAX_SAMPLE_RATE, MAX_SIDE, MediaInfo, Size
from shotline.core.timecode import format_time

FORMATS = (
    "mov",  # MP4, MOV, M4A, 3GP (reads only its own file: its data references are off unless asked for)
    "matroska",  # MKV, WebM, MKA
    "avi",
    "mpeg",  # MPEG-PS (.mpg, .vob)
    "mpegts",  # .ts, .m2ts
    "flv",
    "asf",  # WMV, WMA
    "h264",  # raw H.264, HEVC and MPEG video streams (.h264, .hevc, .m2v)
    "hevc",
    "mpegvideo",
    "gif",
    "wav",
    "w64",
    "aiff",
    "caf",
    "mp3",
    "aac",
    "ac3",
    "ogg",  # Ogg Vorbis, Opus, Theora
    "flac",
)
"""FFmpeg's names for the containers Shotline takes: each holds its pictures and sound in itself. Still pictures
are not takes (a shot's first frame is chosen elsewhere), so their formats are refused here too."""
SHOWN_FORMATS = "MP4, MOV, MKV, WebM, AVI, MPEG, FLV, WMV or GIF clips and WAV, AIFF, MP3, M4A, AAC, OGG or FLAC sound"
MAX_CHANNELS = 32
"""More than any real recording carries (22.2 surround is 24); each channel is decoded and mixed down."""
MAX_FRAME_RATE = 1000
"""Frames a second a clip may pack (slow-motion footage runs to 960): beyond it each frame is only decoded to be
dropped, as the export takes the film's rate, and a small file claiming a million a second ran an export for hours."""

OPEN_OPTIONS = {"protocol_whitelist": "file", "format_whitelist": ",".join(FORMATS)}
"""PyAV's open options for a take's or a sound's media."""
TAKE_INPUT = {**OPEN_OPTIONS, **DECODER_OPTIONS}
"""ffmpeg input options (before `-i url(path)`) for a take's or sound's media: what `open_media` holds PyAV to."""
FILE_ONLY = {"protocol_whitelist": "file"}
"""ffmpeg input options for a file Shotline wrote itself in an export (a mix, an encoded picture): local files only."""
url = file_url
"""The `file:` URL every reader hands FFmpeg (see `core.file_reading.file_url`)."""


class Refused(MediaUnreadable):
    """A file Shotline does not take as media (not one regular file, a container not on the list, more than it takes,
    incomplete): never handed to ffmpeg either, whose own error would say less."""


def input_args(options: dict[str, str]) -> list[str]:
    """`options` as ffmpeg command-line arguments, to go before an input's `-i`."""
    return [part for key, value in options.items() for part in (f"-{key}", value)]


def check_regular(path: Path) -> None:
    """Raise the message for a path that is not a regular file with something in it (missing, a folder, a pipe or a
    device, which would block or never end)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise MediaMissing(f"{path.name} is missing (looked in {path.parent}). Relink it or remove the take.") from None
    except OSError as error:
        raise MediaUnreadable(f"Shotline could not read {path.name} ({error.strerror or error}).") from None
    if stat.S_ISDIR(mode):
        raise Refused(f"{path.name} is a folder, not a video or audio file.")
    if not stat.S_ISREG(mode):
        raise Refused(f"{path.name} is not a regular file (a pipe or a device); choose a video or audio file.")
    if path.stat().st_size == 0:
        raise Refused(f"{path.name} is empty (0 bytes); it was probably not downloaded completely.")


def check_still(path: Path) -> Size:
    """Raise the message for a file that is not one still picture Shotline can read (a first frame, a reference
    image): opened under `core.file_reading.STILL_OPEN_OPTIONS`, so a playlist or an image sequence is refused.
    Returns the picture's size."""
    check_regular(path)
    try:
        with av.open(url(path), options=STILL_OPEN_OPTIONS) as container:
            if not container.streams.video:
                raise Refused(f"{path.name} is not a picture.")
            stream = container.streams.video[0]
            check_size(path, stream.codec_context.width, stream.codec_context.height)
            stream.codec_context.options = {**stream.codec_context.options, **DECODER_OPTIONS}
            frame = next(container.decode(stream))  # the image demuxer takes any file by its name: only decoding tells
            return Size(frame.width, frame.height)
    except StopIteration:
        raise unreadable(path, "it holds no picture") from None
    except av.error.ArgumentError:
        raise Refused(f"{path.name} is not a PNG, JPEG or WebP picture.") from None
    except av.error.FFmpegError as exc:
        raise unreadable(path, str(exc)) from None


def still_info(path: Path) -> MediaInfo:
    """`check_still` as a `core.ports.MediaProbe`, for a still a provider made (a draft first frame): a picture,
    no length, no sound."""
    return MediaInfo(duration_us=0, has_video=True, has_audio=False, size=check_still(path))


def refused_format(path: Path) -> Refused:
    """The message for a file FFmpeg recognised as a container not on `FORMATS`: said as what the file is, read
    from its first bytes (FFmpeg does not say which format it refused)."""
    return Refused(
        f"{path.name} is {_what_it_is(_head(path)) or 'in a format Shotline does not take'}, not a single video or "
        f"audio file. Shotline takes {SHOWN_FORMATS} files."
    )


def unreadable(path: Path, reason: str) -> MediaUnreadable:
    """The message for a file FFmpeg could not make sense of: what it is when its first bytes say so (a playlist
    FFmpeg does not recognise under a clip's name, an MP4 cut off before its header), else FFmpeg's `reason`."""
    head = _head(path)
    if _what_it_is(head):
        return refused_format(path)
    family = _family(head)
    if family:
        check_layout(path, family)
    return MediaUnreadable(f"{path.name} is not a video or audio file Shotline can read ({reason}).")


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as reader:
            return reader.read(64)
    except OSError:
        return b""


def _what_it_is(head: bytes) -> str | None:
    if head.startswith((b"#EXTM3U", b"#EXT-X-")):
        return "a playlist that names other files"
    if head.startswith(b"ffconcat version"):
        return "a list that names other files (ffconcat)"
    if head.lstrip().startswith(b"<") and b"MPD" in head:
        return "a streaming manifest that names other files"
    riff_webp = head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    if riff_webp or head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"BM", b"II*\0", b"MM\0*", b"\xff\x0a")):
        return "a still picture"
    return None


def _family(head: bytes) -> str | None:
    """The container family of a file FFmpeg could not open, from its first bytes, to see whether it was cut."""
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"WAVE"):
        return "avi"
    return None


def check_declared(path: Path, container: av.container.InputContainer) -> None:
    """Refuse a file whose header declares more than Shotline takes, before any of it is decoded: a picture larger
    than MAX_SIDE, sound faster than MAX_SAMPLE_RATE or wider than MAX_CHANNELS, a length beyond MAX_LENGTH_US, or
    a picture or sound in a form no decoder here reads (a WAV with format tag 0xFFFF)."""
    if container.duration is not None and container.duration > MAX_LENGTH_US:
        raise Refused(
            f"{path.name} says it is {format_time(container.duration)} long; Shotline takes media up to "
            f"{format_time(MAX_LENGTH_US)} long."
        )
    if container.streams.video:
        video = container.streams.video[0]
        if video.codec_context is None:
            raise Refused(f"{path.name} holds its picture in a form Shotline cannot decode.")
        check_size(path, video.width, video.height)
    if container.streams.audio:
        audio = container.streams.audio[0]
        if audio.codec_context is None:
            raise Refused(f"{path.name} holds its sound in a form Shotline cannot decode.")
        rate, channels = int(audio.codec_context.sample_rate or 0), int(audio.codec_context.channels or 0)
        if rate > MAX_SAMPLE_RATE:
            raise Refused(
                f"{path.name} has sound sampled at {rate} Hz; Shotline takes sound up to {MAX_SAMPLE_RATE} Hz."
            )
        if channels > MAX_CHANNELS:
            raise Refused(f"{path.name} has {channels} sound channels; Shotline takes sound with up to {MAX_CHANNELS}.")


def check_size(path: Path, width: int, height: int) -> None:
    if width > MAX_SIDE or height > MAX_SIDE:
        raise Refused(f"{path.name} is {width}×{height}; Shotline takes pictures up to {MAX_SIDE}×{MAX_SIDE}.")


def check_layout(path: Path, format_name: str) -> None:
    """Refuse a file shorter than its own structure says it is: a box of an MP4/MOV, the segment of a Matroska file
    or a chunk of an AVI/WAV that runs past the file's end (the file was cut off in a download or a copy). Also
    refuses an MP4/MOV whose track header declares a picture larger than Shotline takes (even where the picture
    itself decodes smaller). Reads only headers; `probe.admit` checks every sample is there."""
    names = set(format_name.split(","))
    size = path.stat().st_size
    with path.open("rb") as reader:
        if "mov" in names:
            _check_boxes(path, reader, size)
        elif "matroska" in names:
            _check_segment(path, reader, size)
        elif names & {"avi", "wav"}:
            _check_chunks(path, reader, size)


def cut_message(path: Path, detail: str) -> Refused:
    return Refused(
        f"{path.name} is incomplete: {detail}. It was probably not downloaded or copied completely; "
        "import the whole file."
    )


def _check_boxes(path: Path, reader: BinaryIO, size: int) -> None:
    for kind, start, end in _boxes(path, reader, 0, size, size):
        if kind == b"moov":
            for child, child_start, child_end in _boxes(path, reader, start, end, size):
                if child == b"trak":
                    _check_track(path, reader, child_start, child_end, size)


def _check_track(path: Path, reader: BinaryIO, start: int, end: int, size: int) -> None:
    for kind, box_start, box_end in _boxes(path, reader, start, end, size):
        if kind == b"tkhd" and box_end - box_start >= 8:
            # width and height close every version of the track header, as 16.16 fixed point
            reader.seek(box_end - 8)
            width, height = struct.unpack(">II", reader.read(8))
            check_size(path, width >> 16, height >> 16)


def _boxes(path: Path, reader: BinaryIO, start: int, end: int, size: int) -> list[tuple[bytes, int, int]]:
    """The boxes between `start` and `end` as (type, content start, end). A box running past the file's end means
    the file was cut; one that makes no sense (smaller than its header) ends the reading, left to FFmpeg to judge."""
    found: list[tuple[bytes, int, int]] = []
    at = start
    while at + 8 <= end:
        reader.seek(at)
        length, kind = struct.unpack(">I4s", reader.read(8))
        header = 8
        if length == 1:
            extended = reader.read(8)
            if len(extended) < 8:
                raise cut_message(path, f"its {kind.decode('latin-1')} box is cut off")
            (length,) = struct.unpack(">Q", extended)
            header = 16
        elif length == 0:  # the last box runs to the end of the file
            length = end - at
        if length < header:
            break
        if at + length > size:
            missing = at + length - size
            raise cut_message(path, f"{_bytes(missing)} of it are missing from its end")
        found.append((kind, at + header, at + length))
        at += length
    return found


def _check_segment(path: Path, reader: BinaryIO, size: int) -> None:
    """Matroska: the EBML header, then the segment, whose declared length the file must hold (a live recording
    writes it as unknown, and is left alone)."""
    reader.seek(0)
    try:
        _, header_length, _ = _element(reader)
        reader.seek(reader.tell() + header_length)
        segment_id, segment_length, unknown = _element(reader)
    except (ValueError, struct.error):
        return
    if segment_id == 0x18538067 and not unknown and reader.tell() + segment_length > size:
        raise cut_message(path, f"{_bytes(reader.tell() + segment_length - size)} of it are missing from its end")


def _element(reader: BinaryIO) -> tuple[int, int, bool]:
    """An EBML element's id, the length of its data, and whether that length is 'unknown'."""
    element_id, _, _ = _vint(reader, keep_marker=True)
    length, _, value_bits = _vint(reader, keep_marker=False)
    return element_id, length, length == (1 << value_bits) - 1


def _vint(reader: BinaryIO, *, keep_marker: bool) -> tuple[int, int, int]:
    first = reader.read(1)
    if not first:
        raise ValueError("end of file")
    byte = first[0]
    width = 8 - byte.bit_length() + 1
    if width > 8:
        raise ValueError("not an EBML number")
    rest = reader.read(width - 1)
    if len(rest) < width - 1:
        raise ValueError("end of file")
    value = byte if keep_marker else byte & ((1 << (8 - width)) - 1)
    for extra in rest:
        value = (value << 8) | extra
    return value, width, 7 * width


_RIFF_SLACK = 8
"""Bytes a RIFF length may claim past the end: some writers count the chunk's own header in it."""
_RIFF_UNKNOWN = {0, 0xFFFFFFFF}
"""RIFF lengths written by a program that could not go back to fill them in (streamed output): no promise made."""


def _check_chunks(path: Path, reader: BinaryIO, size: int) -> None:
    """AVI and WAV: each top-level RIFF chunk (an AVI over 1 GB has several) must fit in the file."""
    at = 0
    while at + 8 <= size:
        reader.seek(at)
        kind, length = struct.unpack("<4sI", reader.read(8))
        if kind != b"RIFF" or length in _RIFF_UNKNOWN:
            return
        end = at + 8 + length
        if end > size + _RIFF_SLACK:
            raise cut_message(path, f"{_bytes(end - size)} of it are missing from its end")
        at = end + (length & 1)


def _bytes(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
