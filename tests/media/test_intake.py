"""`media.intake`'s rules, as every reader of a clip meets them: the containers Shotline takes come in (a rule too
strict would refuse a creator's real clips), files cut short and files packing more than Shotline takes do not, and
the readers behind the import (thumbnails, sound, the export's cut points) refuse what the import would have."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotline.core.errors import MediaUnreadable
from shotline.media import intake
from shotline.media.clock import input_cut
from shotline.media.pcm import decode
from shotline.media.probe import admit, open_media
from shotline.media.thumbnails import thumbnail
from tests.clips import make_clip, run
from tests.media import hostile

pytestmark = pytest.mark.ffmpeg

_CLIPS = {
    ".mp4": ("libx264", "aac"),
    ".mov": ("libx264", "aac"),
    ".mkv": ("libx264", "aac"),
    ".webm": ("libvpx", "libopus"),
    ".avi": ("mpeg4", "mp3"),
    ".mpg": ("mpeg2video", "mp2"),
    ".ts": ("libx264", "aac"),
    ".flv": ("libx264", "aac"),
    ".wmv": ("wmv2", "wmav2"),
}
_SOUNDS = {".wav": "pcm_s16le", ".mp3": "libmp3lame", ".m4a": "aac", ".ogg": "libvorbis", ".flac": "flac", ".aiff": ""}


def clip_in(path: Path, seconds: float = 1) -> Path:
    """A clip with picture and sound in the container `path`'s suffix names, with codecs it carries."""
    picture, sound = _CLIPS[path.suffix]
    sources = ["-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=25:duration={seconds}"]
    sources += ["-f", "lavfi", "-i", f"sine=duration={seconds}"]
    run([*sources, "-ar", "48000", "-c:v", picture, "-pix_fmt", "yuv420p", "-c:a", sound, str(path)])
    return path


def sound_in(path: Path, seconds: float = 1) -> Path:
    codec = ["-c:a", _SOUNDS[path.suffix]] if _SOUNDS[path.suffix] else []
    run(["-f", "lavfi", "-i", f"sine=duration={seconds}", "-ar", "48000", *codec, str(path)])
    return path


@pytest.mark.parametrize("suffix", sorted(_CLIPS))
def test_clips_in_every_container_on_the_list_come_in(tmp_path: Path, suffix: str) -> None:
    info = admit(clip_in(tmp_path / f"clip{suffix}"))
    assert info.has_video and info.has_audio and abs(info.duration_us - 1_000_000) <= 80_000


@pytest.mark.parametrize("suffix", sorted(_SOUNDS))
def test_sound_in_every_format_on_the_list_comes_in(tmp_path: Path, suffix: str) -> None:
    info = admit(sound_in(tmp_path / f"sound{suffix}"))
    assert info.has_audio and not info.has_video and abs(info.duration_us - 1_000_000) <= 80_000


def test_a_gif_and_a_moov_last_mp4_come_in(tmp_path: Path) -> None:
    assert admit(hostile.small_gif(tmp_path / "moving.gif")).has_video
    assert admit(make_clip(tmp_path / "plain.mp4", seconds=1, audio=(48_000, 2))).duration_us == 1_000_000


@pytest.mark.parametrize("suffix", [".mkv", ".webm", ".avi", ".mov", ".wav"])
def test_a_file_cut_short_is_incomplete_in_every_container_that_says_how_long_it_is(
    tmp_path: Path, suffix: str
) -> None:
    whole = tmp_path / f"whole{suffix}"
    admit(sound_in(whole, 2) if suffix == ".wav" else clip_in(whole, 2))
    part = hostile.cut(whole, tmp_path / f"part{suffix}", 0.9)
    with pytest.raises(intake.Refused, match=rf"part\{suffix} is incomplete: .* missing from its end"):
        admit(part)


_UNCOMPRESSED = [
    ("prores_ks", "yuv422p10le", "pcm_s24le"),
    ("libx264", "yuv420p", "pcm_s16le"),
    (None, None, "pcm_s24le"),
]


@pytest.mark.parametrize(("picture", "pixels", "sound"), _UNCOMPRESSED)
def test_a_mov_with_uncompressed_sound_comes_in_whole_and_is_refused_cut_short(
    tmp_path: Path, picture: str | None, pixels: str | None, sound: str
) -> None:
    """A camera's or editor's MOV (ProRes, H.264 4:2:2) keeps its sound as PCM, whose header lists every sample
    while the demuxer hands them out a chunk of thousands at a time (the trial's prores.mov: 384000 samples in 498
    packets). Such a file was refused as incomplete; it comes in, and cut short it is still refused."""
    whole = tmp_path / "camera.mov"
    sources = [] if picture is None else ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2"]
    sources += ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
    codecs = [] if picture is None else ["-c:v", picture, "-pix_fmt", str(pixels)]
    run([*sources, *codecs, "-c:a", sound, "-ar", "48000", "-movflags", "+faststart", str(whole)])
    info = admit(whole)
    assert info.has_audio and info.has_video == (picture is not None)
    assert abs(info.duration_us - 2_000_000) <= 40_000
    fitted = hostile.cut_to_fit(whole, tmp_path / "fitted.mov", 0.6)
    cut_short = r"fitted\.mov is incomplete: it holds \d+ of the \d+ (frames|sound samples)"
    with pytest.raises(intake.Refused, match=cut_short):
        admit(fitted)


def test_a_clip_packing_more_than_a_thousand_frames_a_second_is_refused(tmp_path: Path) -> None:
    dense = tmp_path / "dense.mp4"
    source = "testsrc2=size=64x48:rate=2000:duration=0.2"
    run(["-f", "lavfi", "-i", source, "-c:v", "libx264", "-r", "2000", str(dense)])
    with pytest.raises(intake.Refused, match=r"dense\.mp4 packs 399 frames in 0\.2 s; .* up to 1000 frames a second"):
        admit(dense)


def test_a_name_that_reads_as_a_protocol_is_handed_to_ffmpeg_as_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert intake.url(Path("file:decoy.mp4")) == f"file:{tmp_path / 'file:decoy.mp4'}"
    assert intake.url(Path("http:x.mp4")) == f"file:{tmp_path / 'http:x.mp4'}"


def test_every_reader_refuses_what_the_import_refuses(tmp_path: Path) -> None:
    """A take's media swapped for a playlist, or for a picture too large: the thumbnail, the preview's sound and the
    export's cut point each refuse it, naming the file, without reading what it names or decoding it."""
    secret = make_clip(tmp_path / "secret.ts", seconds=2, colour="red", audio=(48_000, 2))
    playlist = hostile.hls_playlist(tmp_path / "x.m3u8", secret)
    huge = hostile.gif_claiming_size(hostile.small_gif(tmp_path / "small.gif"), tmp_path / "huge.gif", 16_000)
    for media, message in ((playlist, "x.m3u8 is a playlist"), (huge, "huge.gif is 16000×16000")):
        with pytest.raises(intake.Refused, match=message):
            thumbnail(media, 0, tmp_path / "thumb.jpg")
        with pytest.raises(intake.Refused, match=message):
            decode(media, duration_us=100_000)
        with pytest.raises(intake.Refused, match=message):
            input_cut(media, "video", 500_000)
    assert not (tmp_path / "thumb.jpg").exists()


def test_no_decoder_makes_a_picture_larger_than_shotline_takes(tmp_path: Path) -> None:
    """A container may say less than the picture inside it: every decoder `open_media` gives out is held to
    8192×8192 pixels, so such a picture fails to decode instead of taking a GB."""
    with open_media(make_clip(tmp_path / "clip.mp4", seconds=1)) as container:
        assert container.streams.video[0].codec_context.options["max_pixels"] == str(8192 * 8192)
    assert intake.TAKE_INPUT["max_pixels"] == str(8192 * 8192)


def test_a_refusal_is_a_media_error_the_creator_reads(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("#EXTM3U\n#EXT-X-ENDLIST\n")
    with pytest.raises(MediaUnreadable, match=r"notes\.mp4 is a playlist that names other files"):
        admit(text)
