"""Read ffmpeg's `-progress` stream: `key=value` lines in blocks ending with `progress=continue|end`.

Pure: feed it text as it arrives (lines may be split anywhere) and it tells you how far along the render is.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ProgressParser:
    """Turns chunks of `-progress` output into a fraction done of `duration_us` (0 when the length is unknown)."""

    duration_us: int | None
    fraction: float = 0.0
    finished: bool = False
    out_time_us: int | None = None
    _pending: str = field(default="", repr=False)

    def feed(self, chunk: str) -> bool:
        """Take more output; return True when a block ended and `fraction` may have moved."""
        self._pending += chunk
        *lines, self._pending = self._pending.split("\n")
        block_ended = False
        for line in lines:
            block_ended |= self._line(line.strip())
        return block_ended

    def _line(self, line: str) -> bool:
        key, sep, value = line.partition("=")
        if not sep:
            return False
        key, value = key.strip(), value.strip()
        if key in ("out_time_us", "out_time_ms"):
            # out_time_ms is, despite its name, also microseconds in every ffmpeg that writes it
            us = _int_or_none(value)
            if us is not None and us >= 0:
                self.out_time_us = us
            return False
        if key == "progress":
            if value == "end":
                self.finished = True
                self.fraction = 1.0
            else:
                self.fraction = max(self.fraction, fraction_done(self.out_time_us, self.duration_us))
            return True
        return False


def fraction_done(out_time_us: int | None, duration_us: int | None) -> float:
    """How far `out_time_us` is through `duration_us`, clamped to [0, 1)."""
    if out_time_us is None or not duration_us or duration_us <= 0:
        return 0.0
    # 1.0 is kept for progress=end: ffmpeg can report the full time before it has finished writing
    return min(max(out_time_us / duration_us, 0.0), 0.999)


def parse_progress(text: str, duration_us: int | None) -> float:
    """The fraction done after a whole `-progress` transcript (convenience for one-shot use and tests)."""
    parser = ProgressParser(duration_us)
    parser.feed(text)
    return parser.fraction


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None
