"""The compare grid's frames: the frame a reader shows at a take time is the one the export shows there, whichever
way the viewer moves (forward, back, far ahead, past the end), read off numbered clips."""

from __future__ import annotations

import queue
from pathlib import Path

import av
import numpy as np
import pytest

from shotline.core.errors import MediaMissing
from shotline.core.timecode import frame_time_us
from shotline.media.frame_reader import Answer, FrameFeed, FrameReader, Picture, Wish
from shotline.media.thumbnails import thumbnail
from tests.clips import run
from tests.media.numbered import MPEG2, Sound, frame_number, numbered_clip, shift_picture

pytestmark = pytest.mark.ffmpeg

FPS = 25


def number(picture: Picture) -> int:
    rgb = np.frombuffer(picture.rgb, np.uint8).reshape(picture.height, picture.width, 3)
    return frame_number(rgb[:, :, 1])


def frame(n: int) -> int:
    return frame_time_us(n, FPS)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", ["mp4", "mpg"])
def test_the_frame_at_a_time_whichever_way_the_viewer_moves(tmp_path: Path, suffix: str) -> None:
    codec = MPEG2 if suffix == "mpg" else ()
    clip = numbered_clip(
        tmp_path / f"n.{suffix}", frames=200, **({"codec": codec, "output": ("-f", "vob")} if codec else {})
    )
    reader = FrameReader(clip)
    try:
        # forward one by one, back one, far ahead (a seek), back to the start, between frames, past the end
        times = [frame(0), frame(1), frame(2), frame(1), frame(150), frame(3), frame(10) + 20_000, 60_000_000]
        seen = [number(reader.picture_at(at, 160, 90)) for at in times]
        assert seen == [0, 1, 2, 1, 150, 3, 10, 199]
        picture = reader.picture_at(frame(7), 80, 80)
        assert (picture.width, picture.height) == (80, 45)  # fitted into the box, keeping the aspect
        assert picture.starts_us == frame(7)
    finally:
        reader.close()


def test_a_picture_that_starts_after_its_sound_says_how_far(tmp_path: Path) -> None:
    """QMediaPlayer counts from the container's start (here the sound's): the compare grid's sound adds this."""
    source = numbered_clip(tmp_path / "n.mp4", frames=50, sound=Sound(seconds=2.5, burst_at=1.0))
    late = shift_picture(source, tmp_path / "late picture.mp4", 0.5)
    reader = FrameReader(late)
    try:
        picture = reader.picture_at(frame(3), 160, 90)
        assert number(picture) == 3  # take time counts from the first picture frame
        assert abs(picture.offset_us - 500_000) <= 30_000  # the sound's encoder delay may move the start a little
    finally:
        reader.close()
    together = FrameReader(source)
    try:
        assert together.picture_at(0, 16, 9).offset_us == 0
    finally:
        together.close()


@pytest.mark.parametrize("rotation", [90, 270])
def test_a_phone_clip_is_shown_upright_as_its_thumbnail(tmp_path: Path, rotation: int) -> None:
    flat = numbered_clip(tmp_path / "flat.mp4", frames=10, size=(160, 90), cut_frame=5)
    clip = tmp_path / f"phone {rotation}.mp4"
    run(["-display_rotation", str(rotation), "-i", str(flat), "-c", "copy", str(clip)])
    reader = FrameReader(clip)
    try:
        picture = reader.picture_at(frame(2), 90, 160)
    finally:
        reader.close()
    assert (picture.width, picture.height) == (90, 160)
    rgb = np.frombuffer(picture.rgb, np.uint8).reshape(160, 90, 3).astype(int)
    with av.open(str(thumbnail(clip, frame(2), tmp_path / "thumb.jpg", width=90))) as container:
        thumb = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    assert np.abs(rgb - thumb).mean() < 12  # the same picture, the same way up
    assert np.abs(np.rot90(rgb, 2) - thumb).mean() > 40  # (upside down it is not)


def test_a_missing_clip_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(MediaMissing, match=r"gone\.mp4 is missing"):
        FrameReader(tmp_path / "gone.mp4")


def test_a_feed_answers_the_newest_wish_and_stops_without_answering_again(tmp_path: Path) -> None:
    clip = numbered_clip(tmp_path / "n.mp4", frames=50)
    answers: queue.SimpleQueue[Answer] = queue.SimpleQueue()
    feed = FrameFeed(clip, 3, answers)
    for request in range(1, 30):
        feed.want(Wish(request, frame(request), 160, 90))
    last = None
    while last is None or last.request != 29:
        last = answers.get(timeout=20)
        assert last.key == 3 and last.picture is not None
        assert number(last.picture) == last.request  # each answer is the frame its own wish asked for
    feed.stop()
    assert feed.join(timeout=10)
    feed.want(Wish(30, frame(30), 160, 90))
    assert answers.empty()


def test_a_feed_of_a_missing_clip_answers_with_the_message(tmp_path: Path) -> None:
    answers: queue.SimpleQueue[Answer] = queue.SimpleQueue()
    feed = FrameFeed(tmp_path / "gone.mp4", 0, answers)
    feed.want(Wish(1, 0, 160, 90))
    answer = answers.get(timeout=20)
    assert answer.picture is None and "gone.mp4 is missing" in answer.error
    feed.stop()
    assert feed.join(timeout=10)
