"""What a clip offers a lossless cut: where its keyframes sit and the stream parameters a copy must share.

Both are read by demuxing only (no decoding), so a minute of 1080p takes milliseconds, and both are cached per
(path, size, modification time): the export dialog asks again on every change of a setting, and a clip in media/
never changes after import, but a relinked file with the same name must not be mistaken for the old one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av.error

from shotline.core.errors import MediaError, MediaUnreadable, plain_reason
from shotline.core.timecode import US_PER_SECOND
from shotline.media.clock import take_zero
from shotline.media.probe import PACKETS_ONLY, file_key, frame_rate, in_worker, open_media

READ_TIMEOUT_S = 15.0
_CACHED_FILES = 256
ISO_MEDIA = "mov,mp4,m4a,3gp,3g2,mj2"
"""FFmpeg's name for the MP4/MOV demuxer: the only containers whose packets copy into an MP4/MOV unchanged."""


@dataclass(frozen=True, slots=True)
class StreamSignature:
    """Everything two clips must share for their packets to play one after the other in one file.

    The extradata hashes stand for the codec's setup (H.264 SPS/PPS, AAC AudioSpecificConfig): two clips with the
    same size and profile but other encoder settings still cannot share one stream description.
    """

    container: str
    video_codec: str
    profile: str
    width: int
    height: int
    pix_fmt: str
    fps: Fraction | None
    video_setup: str
    audio_codec: str = ""
    sample_rate: int = 0
    channels: int = 0
    audio_setup: str = ""

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)


def keyframes_us(path: Path) -> tuple[int, ...]:
    """Presentation times of the video keyframes a copy can cut at, in order, on the take's clock (µs from the
    first picture frame, see `media.clock`).

    A keyframe of an open GOP (x264's open-gop, broadcast, many cameras) is followed in decoding order by frames
    shown before it and coded from it: a shot ending there would need that keyframe, past its out point, for its
    last frames, so such a keyframe is no cut for a copy."""
    return _keyframes_cached(*file_key(path)).clean


def open_gop_keyframes_us(path: Path) -> tuple[int, ...]:
    """The keyframes `keyframes_us` leaves out because their GOP is open, so a route can say why a cut on one is no
    cut for a copy (rather than call it between keyframes)."""
    return _keyframes_cached(*file_key(path)).open_gop


@dataclass(frozen=True, slots=True)
class _Keyframes:
    clean: tuple[int, ...]
    open_gop: tuple[int, ...]


def stream_signature(path: Path) -> StreamSignature:
    return _signature_cached(*file_key(path))


def read_ahead(paths: Iterable[Path]) -> None:
    """Read the keyframes and stream facts of several clips at once (a few threads: opening a file mostly waits
    in FFmpeg, which lets other threads run), so a first decision on a long timeline does not read them one by
    one. Errors are left for the caller's own lookup to report."""
    unique = list(dict.fromkeys(paths))

    def read(path: Path) -> None:
        try:
            keyframes_us(path)
            stream_signature(path)
        except (MediaError, OSError):
            pass

    if len(unique) > 1:
        with ThreadPoolExecutor(max_workers=min(4, len(unique)), thread_name_prefix="keyframes") as pool:
            list(pool.map(read, unique))


@lru_cache(maxsize=_CACHED_FILES)
def _keyframes_cached(path: Path, size: int, mtime_ns: int) -> _Keyframes:
    return in_worker(lambda: _read_keyframes(path), path, READ_TIMEOUT_S)


@lru_cache(maxsize=_CACHED_FILES)
def _signature_cached(path: Path, size: int, mtime_ns: int) -> StreamSignature:
    return in_worker(lambda: _read_signature(path), path, READ_TIMEOUT_S)


def _read_keyframes(path: Path) -> _Keyframes:
    zero = take_zero(path)
    with open_media(path, PACKETS_ONLY) as container:
        if not container.streams.video:
            return _Keyframes((), ())
        video = container.streams.video[0]
        if video.time_base is None:
            return _Keyframes((), ())
        base = Fraction(video.time_base)
        clean: list[int] = []
        leading: set[int] = set()
        last_key: int | None = None
        try:
            for packet in container.demux(video):
                if packet.pts is None:
                    continue
                if packet.is_keyframe:
                    clean.append(last_key := packet.pts)
                elif last_key is not None and packet.pts < last_key:
                    leading.add(last_key)
        except av.error.FFmpegError as exc:
            raise MediaUnreadable(f"{path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None

        def times(keys: Iterable[int]) -> tuple[int, ...]:
            return tuple(sorted(round((pts * base - zero) * US_PER_SECOND) for pts in keys))

        return _Keyframes(times(pts for pts in clean if pts not in leading), times(leading))


def _read_signature(path: Path) -> StreamSignature:
    with open_media(path) as container:
        if not container.streams.video:
            raise MediaUnreadable(f"{path.name} has no picture.")
        video = container.streams.video[0]
        context = video.codec_context
        signature = StreamSignature(
            container=container.format.name,
            video_codec=context.codec.canonical_name,
            profile=context.profile or "",
            width=video.width,
            height=video.height,
            pix_fmt=context.pix_fmt or "",
            fps=frame_rate(video),
            video_setup=_digest(context.extradata),
        )
        if not container.streams.audio:
            return signature
        audio = container.streams.audio[0]
        return replace(
            signature,
            audio_codec=audio.codec_context.codec.canonical_name,
            sample_rate=int(audio.rate or 0),
            channels=int(audio.channels),
            audio_setup=_digest(audio.codec_context.extradata),
        )


def _digest(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()[:16]
