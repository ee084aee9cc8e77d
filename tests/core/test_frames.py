"""core.frames: the frame a time names, paused stops, decoder times and timecodes, at whole and NTSC rates."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shotline.core.frames import (
    ClockStyle,
    clock_style,
    decoder_time,
    format_clock,
    format_timecode,
    frame_at,
    frame_start,
    last_frame_before,
    nearest_frame,
    parse_clock,
)
from shotline.core.timecode import frame_time_us

NTSC = Fraction(30000, 1001)
RATES = [Fraction(24), Fraction(25), NTSC, Fraction(60)]


@pytest.mark.parametrize("fps", RATES)
def test_every_frame_start_names_its_frame_even_a_microsecond_early(fps: Fraction) -> None:
    for index in range(0, 2000, 7):
        start = frame_time_us(index, fps)
        assert frame_at(start, fps) == index
        assert frame_at(start - 1, fps) == index  # a sum of rounded lengths one microsecond short
        assert frame_at(start + 1, fps) == index
        assert frame_at(frame_time_us(index + 1, fps) - frame_time_us(1, fps) // 20, fps) == index


def test_the_frame_on_screen_at_0_125_s_at_24_fps_is_frame_3() -> None:
    # the counter: 0.125 s showed the picture of 0.083 s
    assert frame_at(125_000, Fraction(24)) == 3
    assert decoder_time(125_000, Fraction(24)) == 145_833  # frame 3's middle, between 125 000 and 166 667


@pytest.mark.parametrize("fps", RATES)
def test_the_decoder_is_asked_for_the_middle_of_the_frame(fps: Fraction) -> None:
    for index in range(0, 500, 3):
        start, end = frame_time_us(index, fps), frame_time_us(index + 1, fps)
        for at in (start, (start + end) // 2, end - (end - start) // 20):
            middle = decoder_time(at, fps)
            assert start + (end - start) // 3 < middle < end - (end - start) // 3
            assert middle // 1000 * 1000 >= start  # rounded down to Qt's milliseconds it is still in the frame


@pytest.mark.parametrize("fps", RATES)
def test_stops_land_on_frames(fps: Fraction) -> None:
    for at in (0, 1, 1_058_000, 3_125_001, 8_458_333, 59_999_999):
        assert frame_time_us(frame_at(frame_start(at, fps), fps), fps) == frame_start(at, fps) <= at + 1
        near = nearest_frame(at, fps)
        assert frame_time_us(frame_at(near, fps), fps) == near
        assert abs(near - at) <= frame_time_us(1, fps) // 2 + 1


def test_k_keeps_the_frame_on_screen_and_a_click_takes_the_nearest() -> None:
    fps = Fraction(24)
    assert frame_start(1_058_000, fps) == 1_041_667  # frame 25 is on screen at 1.058 s
    assert nearest_frame(1_058_000, fps) == 1_041_667
    assert nearest_frame(1_070_000, fps) == 1_083_333


def test_timecode_reads_hours_minutes_seconds_frames() -> None:
    assert format_timecode(0, Fraction(24)) == "00:00:00:00"
    assert format_timecode(3_125_000, Fraction(24)) == "00:00:03:03"
    assert format_timecode(frame_time_us(24 * 3661 + 23, Fraction(24)), Fraction(24)) == "01:01:01:23"
    assert format_timecode(frame_time_us(29, NTSC), NTSC) == "00:00:00:29"
    assert format_timecode(frame_time_us(30, NTSC), NTSC) == "00:00:01:00"  # counted without dropping frames
    assert format_timecode(-1_000_000, Fraction(25)) == "-00:00:01:00"


def test_the_clock_style_is_timecode_unless_seconds_are_chosen() -> None:
    assert format_clock(3_125_000, Fraction(24), ClockStyle.FRAMES) == "00:00:03:03"
    assert format_clock(3_125_000, Fraction(24), ClockStyle.SECONDS) == "00:00:03.125"
    assert clock_style("seconds") is ClockStyle.SECONDS
    assert clock_style("frames") is ClockStyle.FRAMES
    assert clock_style("hexadecimal") is ClockStyle.FRAMES


@pytest.mark.parametrize("fps", RATES)
def test_the_last_frame_before_an_end_on_a_frame_or_in_the_middle_of_one(fps: Fraction) -> None:
    for index in (1, 24, 89, 1000):
        end = frame_time_us(index, fps)
        assert last_frame_before(end, fps) == frame_time_us(index - 1, fps)
        assert last_frame_before(end + 1, fps) == frame_time_us(index - 1, fps)  # a microsecond of rounding
        middle = (end + frame_time_us(index + 1, fps)) // 2
        assert last_frame_before(middle, fps) == end  # a film ending mid-frame shows that frame last


@pytest.mark.parametrize("fps", RATES)
def test_a_typed_time_reads_back_from_either_clock(fps: Fraction) -> None:
    for index in (0, 1, 89, 1000, 86_399):
        start = frame_time_us(index, fps)
        assert parse_clock(format_clock(start, fps, ClockStyle.FRAMES), fps) == start
    assert parse_clock("00:00:03.708", fps) == 3_708_000
    assert parse_clock("2.5", fps) == 2_500_000
    with pytest.raises(ValueError, match="frames to"):
        parse_clock(f"00:00:01:{round(fps)}", fps)
    with pytest.raises(ValueError, match="not a time"):
        parse_clock("soon", fps)
