"""Bringing music and voice-over into a project: probed first, copied into media/, one undo step."""

from __future__ import annotations

from pathlib import Path

import pytest

from shotline.core.errors import MediaUnreadable, UnknownLane
from shotline.core.model import Size
from shotline.services import sound
from shotline.services.session import ProjectSession
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


def test_a_sound_file_lands_on_its_lane_and_undoes(tmp_path: Path) -> None:
    wav = make_clip(tmp_path / "theme.wav", seconds=1.5, video=False, audio=(44_100, 1))
    with ProjectSession.create(tmp_path / "p.shotline", title="t", size=Size(320, 180)) as session:
        clip = sound.add_sound(session, wav, "music", 2_000_000)
        assert session.project.audio == (clip,)
        assert (clip.lane, clip.start_us, clip.source_name) == ("music", 2_000_000, "theme.wav")
        assert abs(clip.trim.out_us - 1_500_000) < 30_000 and clip.info.has_audio
        assert session.bundle.resolve(clip.media).is_file()
        assert sound.clip_ref(session, "1") == clip
        session.undo()
        assert session.project.audio == ()


def test_files_without_sound_and_unknown_lanes_are_refused_before_copying(tmp_path: Path) -> None:
    silent = make_clip(tmp_path / "silent.mp4", seconds=0.5)
    wav = make_clip(tmp_path / "vo.wav", seconds=0.5, video=False, audio=(48_000, 2))
    with ProjectSession.create(tmp_path / "p.shotline", title="t", size=Size(320, 180)) as session:
        with pytest.raises(MediaUnreadable, match=r"silent\.mp4 has no sound"):
            sound.add_sound(session, silent, "voice")
        with pytest.raises(UnknownLane):
            sound.add_sound(session, wav, "drums")
        assert not any((session.bundle.path / "media").iterdir())
