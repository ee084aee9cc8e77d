"""The -progress parser turns ffmpeg's key=value blocks into a fraction done."""

from __future__ import annotations

import pytest

from shotline.media.progress import ProgressParser, parse_progress

BLOCK = "frame={f}\nfps=25.0\nout_time_us={t}\nout_time=00:00:00.000000\nspeed=1.0x\nprogress={p}\n"


@pytest.mark.parametrize(
    ("text", "duration_us", "expected"),
    [
        ("", 2_000_000, 0.0),
        (BLOCK.format(f=10, t=500_000, p="continue"), 2_000_000, 0.25),
        (BLOCK.format(f=10, t=500_000, p="continue") + BLOCK.format(f=20, t=1_000_000, p="continue"), 2_000_000, 0.5),
        (BLOCK.format(f=1, t="N/A", p="continue"), 2_000_000, 0.0),
        (BLOCK.format(f=10, t=1_000_000, p="continue") + BLOCK.format(f=11, t="N/A", p="continue"), 2_000_000, 0.5),
        (BLOCK.format(f=50, t=2_000_000, p="end"), 2_000_000, 1.0),
        (BLOCK.format(f=60, t=3_000_000, p="continue"), 2_000_000, 0.999),
        (BLOCK.format(f=10, t=500_000, p="continue"), None, 0.0),
        (BLOCK.format(f=10, t=500_000, p="continue"), 0, 0.0),
        ("out_time_us=500000\n", 1_000_000, 0.0),  # no block end yet: nothing reported
        ("out_time_ms=750000\nprogress=continue\n", 1_000_000, 0.75),
        ("garbage line\nout_time_us=-5\nprogress=continue\n", 1_000_000, 0.0),
        ("out_time_us=900000\nprogress=continue\nout_time_us=100000\nprogress=continue\n", 1_000_000, 0.9),
    ],
)
def test_parse_progress_table(text: str, duration_us: int | None, expected: float) -> None:
    assert parse_progress(text, duration_us) == pytest.approx(expected)


def test_partial_lines_across_chunks() -> None:
    parser = ProgressParser(4_000_000)
    transcript = BLOCK.format(f=25, t=1_000_000, p="continue") + BLOCK.format(f=50, t=3_000_000, p="continue")
    seen: list[float] = []
    for start in range(0, len(transcript), 7):  # split mid-key, mid-value, mid-newline
        if parser.feed(transcript[start : start + 7]):
            seen.append(parser.fraction)
    assert seen == [pytest.approx(0.25), pytest.approx(0.75)]
    assert not parser.finished
    parser.feed("progress=en")
    assert not parser.finished  # the line is not complete yet
    parser.feed("d\n")
    assert parser.finished and parser.fraction == 1.0


def test_crlf_lines() -> None:
    assert parse_progress("out_time_us=250000\r\nprogress=continue\r\n", 1_000_000) == pytest.approx(0.25)
