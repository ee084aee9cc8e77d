"""thumbnail() decodes the right frame, turns it upright, and writes a real JPEG."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from shotline.core.errors import MediaUnreadable
from shotline.media.frame_reader import FrameReader
from shotline.media.thumbnails import thumbnail
from tests.clips import make_clip, run
from tests.media.numbered import MPEG2, Sound, frame_number, numbered_clip, shift_picture

pytestmark = pytest.mark.ffmpeg


def _read_jpeg(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == "mjpeg"
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgb24")


def test_red_clip_gives_a_red_thumbnail(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "red.mp4", seconds=1, size=(320, 240), colour="red")
    dest = thumbnail(clip, 500_000, tmp_path / "cache" / "red.jpg", width=160)
    pixels = _read_jpeg(dest)
    assert pixels.shape == (120, 160, 3)
    r, g, b = pixels.reshape(-1, 3).mean(axis=0)
    assert r > 200 and g < 40 and b < 40


def test_rotated_clip_is_upright_and_portrait(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "rot.mp4", seconds=1, size=(320, 180), colour="blue", rotate=90)
    pixels = _read_jpeg(thumbnail(clip, 0, tmp_path / "rot.jpg", width=90))
    height, width, _ = pixels.shape
    assert width == 90 and height == 160
    assert pixels[..., 2].mean() > 180


def test_picks_the_frame_at_the_time(tmp_path: Path) -> None:
    # black clip with one white frame at 1.0 s: only a thumbnail at that instant is bright
    clip = make_clip(tmp_path / "flash.mp4", seconds=2, size=(160, 120), fps="25", flash_at=1.0, gop=25)
    at_flash = _read_jpeg(thumbnail(clip, 1_000_000, tmp_path / "a.jpg", width=80)).mean()
    before = _read_jpeg(thumbnail(clip, 960_000, tmp_path / "b.jpg", width=80)).mean()
    after = _read_jpeg(thumbnail(clip, 1_040_000, tmp_path / "c.jpg", width=80)).mean()
    assert at_flash > 200
    assert before < 40 and after < 40


def test_audio_only_has_no_thumbnail(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "a.wav", seconds=0.5, video=False, audio=(48000, 1))
    with pytest.raises(MediaUnreadable, match="no picture"):
        thumbnail(clip, 0, tmp_path / "x.jpg")


def _number_at(clip: Path, at_s: float, dest: Path) -> int:
    with av.open(str(thumbnail(clip, round(at_s * 1_000_000), dest, width=160))) as container:
        return frame_number(next(container.decode(video=0)).to_ndarray(format="gray"))


def test_the_thumbnail_shows_the_frame_the_export_shows_at_that_time(tmp_path: Path) -> None:
    # an MPEG-PS (no index, stream start 1 s, open GOPs of 12): a seek lands after the keyframe a frame needs
    tape = numbered_clip(
        tmp_path / "tape.mpg", frames=150, codec=MPEG2, sound=Sound(6, 1, codec="mp2"), output=("-f", "vob")
    )
    assert [_number_at(tape, at, tmp_path / "t.jpg") for at in (4.0, 4.02, 3.97, 5.0, 0.0)] == [100, 100, 99, 125, 0]
    # AVI with B-frames: the first frame shows a frame after the stream's start
    avi = numbered_clip(tmp_path / "clip.avi", frames=50, codec=("-c:v", "mpeg4", "-bf", "1"))
    assert [_number_at(avi, at, tmp_path / "a.jpg") for at in (0.0, 1.0, 1.99)] == [0, 25, 49]
    # an MP4 whose picture starts 0.5 s after its sound (an empty edit in its edit list)
    plain = numbered_clip(tmp_path / "plain.mp4", frames=50, sound=Sound(2, 1))
    edited = shift_picture(plain, tmp_path / "edited.mp4", 0.5)
    assert [_number_at(edited, at, tmp_path / "e.jpg") for at in (0.0, 0.2, 1.5)] == [0, 5, 37]


def test_an_xvid_avi_shows_each_frame_where_the_export_shows_it(tmp_path: Path) -> None:
    """Xvid and DivX in AVI pack each B-frame with the frame before it (OpenCV's Megamind.avi, the trial's Xvid
    clip): the decoder gives the frames in order, but the presentation stamps of each such pair come swapped, so a
    thumbnail and the viewer showed the frame before (or after) at a third of the times. ffmpeg, and so the
    export, times such frames by their decoding stamps; so do they now, frame for frame (but the clip's last,
    which has no decoding stamp)."""
    xvid = ("-c:v", "libxvid", "-vtag", "XVID", "-bf", "2", "-g", "25", "-q:v", "4")
    clip = numbered_clip(tmp_path / "xvid.avi", frames=60, codec=xvid)
    film = tmp_path / "film.mp4"  # each output frame as the export's ffmpeg places it (its fps filter)
    run(["-i", str(clip), "-vf", "fps=25", "-c:v", "libx264", "-preset", "ultrafast", str(film)])
    with av.open(str(film)) as container:
        shown = [frame_number(frame.to_ndarray(format="gray")) for frame in container.decode(video=0)][:-2]
    times = [n / 25 for n in range(len(shown))]
    assert [_number_at(clip, at, tmp_path / "x.jpg") for at in times] == shown
    reader = FrameReader(clip)
    try:
        seen = []
        for at in times:
            picture = reader.picture_at(round(at * 1_000_000), 160, 90)
            rgb = np.frombuffer(picture.rgb, np.uint8).reshape(picture.height, picture.width, 3)
            seen.append(frame_number(rgb[:, :, 1]))
    finally:
        reader.close()
    assert seen == shown
