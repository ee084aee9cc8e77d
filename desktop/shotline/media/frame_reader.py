"""A viewer's frames of one clip, decoded in-process with PyAV: the frame shown at a take time, as a picture.

The frame at a time is the one the export and the thumbnails show there (`media.clock`, `media.thumbnails`): the last
frame that starts at or before it, on the take's clock. A reader keeps its file open and decodes forward from the
frame it showed last, so playing and stepping forward cost one frame each; going back, or far ahead, seeks (through
`media.clock.seek_before`, which lands on a keyframe before the time even in files without an index) and decodes
forward from there.

`FrameFeed` runs a reader on a thread of its own, so a window asking for frames never waits for a decoder: it says
which frame it wants (the newest wish replaces any not yet started) and takes the pictures from a queue.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np

from shotline.core.errors import MediaError, MediaUnreadable, plain_reason
from shotline.core.timecode import US_PER_SECOND
from shotline.media.clock import FRAME_TOLERANCE_US, frame_start, seek_before, take_zero, timed_by_decoding
from shotline.media.probe import open_media

log = logging.getLogger(__name__)

_UPRIGHT_TURNS = {90: 1, 180: 2, 270: 3}
"""Quarter turns counter-clockwise (`numpy.rot90`) that undo a display rotation, as `media.thumbnails` does."""
FORWARD_LIMIT = Fraction(4)
"""How far ahead (seconds) a reader decodes forward rather than seeking: generated clips put keyframes seconds
apart, so a seek lands that far back anyway and decoding on from the frame shown is never slower."""


@dataclass(frozen=True, slots=True)
class Picture:
    """One frame as 8-bit RGB rows (`width * 3` bytes each), and when it starts on the take's clock (µs)."""

    width: int
    height: int
    rgb: bytes
    starts_us: int
    offset_us: int = 0
    """Where the take's clock starts after its file's container start (µs): what a player that counts from the
    container's start (QMediaPlayer) adds to a take time, for a clip whose picture starts after its sound."""


class FrameReader:
    """The frames of one clip, read in the order a viewer asks for them. Not thread-safe: one thread uses it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._zero = take_zero(path)
        self._by_decoding = timed_by_decoding(path)
        self._container: av.container.InputContainer | None = None
        self._frames: Iterator[av.VideoFrame] | None = None
        self._shown: av.VideoFrame | None = None
        self._ahead: av.VideoFrame | None = None
        """Decoded, but it starts after the time last asked for."""
        self._offset_us = 0

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._frames = self._shown = self._ahead = None

    def picture_at(self, at_us: int, width: int, height: int) -> Picture:
        """The frame shown at `at_us` (µs on the take's clock), scaled to fit `width`×`height` keeping its aspect."""
        at = self._zero + Fraction(max(at_us, 0) + FRAME_TOLERANCE_US, US_PER_SECOND)
        try:
            frame = self._frame_at(at)
            if frame is None:
                raise MediaUnreadable(f"{self._path.name} has no picture at that time.")
            # upright, as the thumbnails and the export show it: a phone clip's display rotation is undone
            turns = _UPRIGHT_TURNS.get(round(getattr(frame, "rotation", 0) or 0) % 360, 0)
            sideways = turns % 2 == 1
            upright_w, upright_h = (frame.height, frame.width) if sideways else (frame.width, frame.height)
            fit_w, fit_h = _fit(upright_w, upright_h, width, height)
            stored_w, stored_h = (fit_h, fit_w) if sideways else (fit_w, fit_h)
            rows = np.rot90(frame.reformat(width=stored_w, height=stored_h, format="rgb24").to_ndarray(), turns)
        except av.error.FFmpegError as exc:
            self.close()
            raise MediaUnreadable(f"{self._path.name} is damaged and cannot be played ({plain_reason(exc)}).") from None
        starts_us = round((self._starts(frame) - self._zero) * US_PER_SECOND)
        return Picture(fit_w, fit_h, np.ascontiguousarray(rows).tobytes(), starts_us, self._offset_us)

    def _frame_at(self, at: Fraction) -> av.VideoFrame | None:
        shown = self._shown
        if shown is None or not self._starts(shown) <= at <= self._starts(shown) + FORWARD_LIMIT:
            self._open_before(at)
        assert self._frames is not None
        while True:
            if self._ahead is None:
                self._ahead = next(self._frames, None)
                if self._ahead is None:
                    return self._shown  # past the picture's end: its last frame stays
            if self._shown is not None and self._starts(self._ahead) > at:
                return self._shown
            self._shown, self._ahead = self._ahead, None

    def _starts(self, frame: av.VideoFrame) -> Fraction:
        return frame_start(frame, self._by_decoding)

    def _open_before(self, at: Fraction) -> None:
        self.close()
        container = open_media(self._path)
        try:
            if not container.streams.video:
                raise MediaUnreadable(f"{self._path.name} has no picture to show.")
            if seek_before(container, container.streams.video[0], at) is None:
                # the tries moved the container: read from the start of a fresh one (as `clock.opened_before` does)
                container.close()
                container = open_media(self._path)
        except BaseException:
            container.close()
            raise
        self._container = container
        self._frames = iter(container.decode(container.streams.video[0]))
        start = Fraction(container.start_time or 0, US_PER_SECOND)
        self._offset_us = max(round((self._zero - start) * US_PER_SECOND), 0)


def _fit(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest size with `width`:`height`'s aspect inside the box (never larger than the frame, at least 2×2)."""
    scale = min(Fraction(max(box_w, 2), width), Fraction(max(box_h, 2), height), Fraction(1))
    return max(round(width * scale), 2), max(round(height * scale), 2)


@dataclass(frozen=True, slots=True)
class Wish:
    """A frame a viewer wants: `request` numbers it so the answer can be matched."""

    request: int
    at_us: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Answer:
    """What a feed made of a wish: the picture, or a message for the creator (`picture` is None)."""

    key: int
    request: int
    picture: Picture | None
    error: str = ""


class FrameFeed:
    """A `FrameReader` on a thread of its own. `want()` never waits; answers go to `answers`, tagged with `key`."""

    def __init__(
        self,
        path: Path,
        key: int,
        answers: queue.SimpleQueue[Answer],
        admit: Callable[[Path], Path] | None = None,
    ) -> None:
        """`admit` (on the feed's thread, before the file is first opened) checks the file may be read and gives the
        path to read it by; it raises the message shown instead of a picture."""
        self._path = path
        self._admit = admit
        self._key = key
        self._answers = answers
        self._wakeup = threading.Condition()
        self._wish: Wish | None = None
        self._stopped = False
        # a daemon: a decoder stuck in a damaged file must not keep the app from quitting
        self._thread = threading.Thread(target=self._run, name=f"frames {path.name}", daemon=True)
        self._thread.start()

    def want(self, wish: Wish) -> None:
        """Decode this frame next; a wish not yet started is dropped for it."""
        with self._wakeup:
            self._wish = wish
            self._wakeup.notify()

    def stop(self) -> None:
        """Finish the frame being decoded (if any), close the file and end the thread; no answer follows."""
        with self._wakeup:
            self._stopped = True
            self._wish = None
            self._wakeup.notify()

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end after `stop()`; whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _next_wish(self) -> Wish | None:
        with self._wakeup:
            while self._wish is None and not self._stopped:
                self._wakeup.wait()
            wish, self._wish = self._wish, None
            return None if self._stopped else wish

    def _run(self) -> None:
        reader: FrameReader | None = None
        try:
            while (wish := self._next_wish()) is not None:
                try:
                    reader = reader or FrameReader(self._admit(self._path) if self._admit else self._path)
                    picture = reader.picture_at(wish.at_us, wish.width, wish.height)
                    answer = Answer(self._key, wish.request, picture)
                except MediaError as error:
                    answer = Answer(self._key, wish.request, None, str(error))
                except Exception as error:  # a decoder bug must end as a message, not a silent dead thread
                    log.exception("Decoding %s failed", self._path.name)
                    answer = Answer(self._key, wish.request, None, f"{self._path.name} cannot be shown ({error}).")
                with self._wakeup:
                    if self._stopped:
                        return
                self._answers.put(answer)
        finally:
            if reader is not None:
                reader.close()
