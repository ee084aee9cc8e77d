from __future__ import annotations

from fractions import Fraction

import pytest

from shotline.core.model import Size
from shotline.core.timecode import format_time, frame_index, parse_fps, parse_time, snap_to_frame


@pytest.mark.parametrize(
    ("text", "us"),
    [("2.5", 2_500_000), ("00:00:02.500", 2_500_000), ("1:02.5", 62_500_000), ("01:00:00", 3_600_000_000), ("0", 0)],
)
def test_parse_time(text: str, us: int) -> None:
    assert parse_time(text) == us


@pytest.mark.parametrize("text", ["", "abc", "1:2:3:4", "-1", "00:75.0"])
def test_parse_time_rejects_with_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"time|seconds"):
        parse_time(text)


def test_format_time_round_trips() -> None:
    assert format_time(62_500_000) == "00:01:02.500"
    assert parse_time(format_time(3_723_456_000)) == 3_723_456_000


def test_fps_parsing_reads_ntsc_exactly() -> None:
    assert parse_fps("29.97") == Fraction(30000, 1001)
    assert parse_fps("30000/1001") == Fraction(30000, 1001)
    assert parse_fps("25") == 25
    with pytest.raises(ValueError):
        parse_fps("0")


@pytest.mark.parametrize("rate", ["0.5", "1000", "241", "1000000/1"])
def test_a_frame_rate_outside_what_the_export_supports_is_refused(rate: str) -> None:
    """The same bounds the loader holds a project to (1-240 fps): a rate `new --fps` accepted would not open again."""
    with pytest.raises(ValueError, match="use 1 to 240 frames per second"):
        parse_fps(rate)
    assert parse_fps("240") == 240 and parse_fps("1") == 1


def test_frame_snapping_does_not_drift() -> None:
    fps = Fraction(30000, 1001)
    for index in range(0, 100_000, 997):
        us = snap_to_frame(index * 33_367, fps)
        assert snap_to_frame(us, fps) == us
        assert frame_index(us, fps) == frame_index(index * 33_367, fps)


def test_size_parse_messages() -> None:
    assert Size.parse("1920x1080") == Size(1920, 1080)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        Size.parse("big")
    with pytest.raises(ValueError, match="even"):
        Size.parse("1921x1080")
