"""How a long task (an export, a shared archive) shows how far it is: one percentage, on the bar only, and a
time-left guess that moves smoothly instead of jumping with every uneven stretch of work.

The bar draws the same whole percentage the code computed (its own text would truncate where a sentence rounds, so
the two could read 12% and 13%), and the sentence beside it says only the time left.
"""

from __future__ import annotations

import math

from PySide6.QtWidgets import QProgressBar

from shotline.services.jobs_view import format_elapsed

PROGRESS_STEPS = 1000
MIN_FRACTION_FOR_ESTIMATE = 0.03
"""Below this much progress a time-left guess is noise; say "estimating…" instead."""
SETTLE_SECONDS = 6.0
"""How quickly the shown guess follows the pace: a stall or a burst shorter than this barely moves it."""
RISE_PER_SECOND = 1.0
"""The guess grows at most as fast as the clock runs (a slowdown shows as time left standing still, not leaping)."""
FALL_PER_SECOND = 3.0
"""…and shrinks at most three seconds per second (a burst of fast work shortens it briskly, never all at once)."""


def time_left(elapsed_s: float, fraction: float) -> float | None:
    """Seconds still to go at the pace so far; None until there is enough progress to judge."""
    if fraction < MIN_FRACTION_FOR_ESTIMATE:
        return None
    return max(elapsed_s * (1 - fraction) / fraction, 0.0)


class TimeLeft:
    """The time-left guess a creator reads: the pace so far, smoothed over time and limited in how fast it moves."""

    def __init__(self) -> None:
        self._shown: float | None = None
        self._at = 0.0

    def update(self, elapsed_s: float, fraction: float) -> float | None:
        """The guess at `elapsed_s` seconds into the work, `fraction` done; None while it is still too early."""
        raw = time_left(elapsed_s, fraction)
        if raw is None:
            return None
        if self._shown is None or fraction >= 1.0:
            self._shown, self._at = raw, elapsed_s
            return raw
        step = max(elapsed_s - self._at, 0.0)
        expected = max(self._shown - step, 0.0)  # the last guess, counted down by the time that passed
        follow = 1.0 - math.exp(-step / SETTLE_SECONDS)
        smoothed = expected + (raw - expected) * follow
        smoothed = min(smoothed, self._shown + RISE_PER_SECOND * step)
        smoothed = max(smoothed, self._shown - FALL_PER_SECOND * step, 0.0)
        self._shown, self._at = smoothed, elapsed_s
        return smoothed


def whole_percent(fraction: float) -> int:
    """The percentage shown for `fraction`, rounded once here so everything that shows it agrees."""
    return round(min(max(fraction, 0.0), 1.0) * 100)


def show_fraction(bar: QProgressBar, fraction: float) -> None:
    """Move `bar` to `fraction` and label it with the same whole percentage the rest of the window would say."""
    bar.setRange(0, PROGRESS_STEPS)
    bar.setValue(round(min(max(fraction, 0.0), 1.0) * PROGRESS_STEPS))
    bar.setFormat(f"{whole_percent(fraction)}%")


def time_left_text(left: float | None) -> str:
    """ "about 0:23 left", or "estimating time left…" while there is no guess yet."""
    return "estimating time left…" if left is None else f"about {format_elapsed(left + 0.5)} left"
