"""Give a clip without an index one, packet for packet, so every reader can seek in it exactly.

MPEG program and transport streams (camcorders, DVDs, broadcast recordings) and raw video streams carry no index:
a seek in them lands on whatever packet is near the time asked, often after the keyframe the wanted frame needs,
and the player then shows the next group of pictures. The export and thumbnails seek past that themselves
(`media.clock.seek_before`), but the viewer (QMediaPlayer) cannot. So an import stores such a clip remuxed into
Matroska, whose cues index every keyframe: the same packets (picture and first sound stream), nothing decoded or
re-encoded, timestamps as they were (a demuxer that knows none fills them in, `genpts`), so the sound keeps its offset
from the picture.
"""

from __future__ import annotations

import logging
from pathlib import Path

import av
import av.error

from shotline.core.errors import MediaUnreadable, plain_reason
from shotline.media.probe import in_worker, open_media

log = logging.getLogger(__name__)

UNINDEXED = frozenset({"mpeg", "mpegts", "mpegvideo", "h264", "hevc"})
"""FFmpeg's names for the demuxers of containers without an index (program/transport streams, raw video)."""
REMUX_TIMEOUT_S = 600.0


def needs_index(path: Path) -> bool:
    """Whether `path` is a clip in a container without an index (see `UNINDEXED`)."""
    with open_media(path) as container:
        return bool(container.streams.video) and container.format.name in UNINDEXED


def remux_indexed(source: Path, dest: Path) -> None:
    """Copy `source`'s picture and first sound stream, packet for packet, into the Matroska file `dest`."""
    in_worker(lambda: _remux(source, dest), source, REMUX_TIMEOUT_S)


def _remux(source: Path, dest: Path) -> None:
    try:
        with (
            open_media(source, {"fflags": "+genpts"}) as reading,
            av.open(str(dest), "w", format="matroska") as writing,
        ):
            streams = [*reading.streams.video[:1], *reading.streams.audio[:1]]
            targets = {stream.index: writing.add_stream_from_template(stream) for stream in streams}
            for packet in reading.demux(streams):
                if packet.pts is None and packet.dts is None:
                    continue  # the flush packet that ends each stream
                packet.stream = targets[packet.stream.index]
                writing.mux(packet)
    except (av.error.FFmpegError, ValueError) as exc:
        raise MediaUnreadable(f"{source.name} could not be copied into the project ({plain_reason(exc)}).") from None
