"""Making captions in a project: each line's caption timed to its voice take on the voice-over lane (where the
creator moved and trimmed it, word by word where the voice said when), else over its shot; one undo step."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from fractions import Fraction
from functools import partial
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.captions import Word
from shotline.core.commands import Command
from shotline.core.edits import add_shot
from shotline.core.model import AudioClip, DialogueLine, MediaInfo, Origin, Shot, Size, Take, Trim
from shotline.core.voice_takes import put_voice_take, voice_clip_id
from shotline.services.captions import make_captions
from shotline.services.session import ProjectSession

SECOND = 1_000_000


def _shot(shot_id: str, seconds: int, *lines: DialogueLine) -> Shot:
    info = MediaInfo(seconds * SECOND, has_video=True, has_audio=True, fps=Fraction(24), size=Size(320, 240))
    take = Take(f"{shot_id}-t", f"media/{shot_id}.mp4", Origin.IMPORTED, info, Trim(0, seconds * SECOND))
    return Shot(shot_id, prompt=shot_id, takes=(take,), picked_take_id=take.id, dialogue=lines)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline") as opened:
        opened.execute(
            Command("Shot", partial(add_shot, shot=_shot("s1", 4, DialogueLine("l1", "Where is the boat?"))))
        )
        opened.execute(Command("Shot", partial(add_shot, shot=_shot("s2", 4, DialogueLine("l2", "Then we swim.")))))
        # the voice of line 1: a 2 s take, placed at 1.2 s, its first 0.5 s trimmed off by the creator
        voice = MediaInfo(2 * SECOND, has_video=False, has_audio=True, sample_rate=48_000, channels=1)
        put = partial(put_voice_take, line_id="l1", media="media/v1.wav", info=voice, start_us=1_200_000)
        opened.execute(Command("Voice", put))
        opened.execute(commands.trim_audio_clip(voice_clip_id("l1"), 500_000, 2 * SECOND))
        yield opened


def _said(clip: AudioClip) -> Sequence[Word]:
    # in the take's own time: "Where" falls in the trimmed-off part
    times = [(200_000, 400_000), (600_000, 700_000), (750_000, 850_000), (900_000, 1_400_000)]
    return [Word(w, a, b) for w, (a, b) in zip(["Where", "is", "the", "boat?"], times, strict=True)]


def test_a_voiced_line_is_captioned_where_its_take_plays_and_others_over_their_shot(session: ProjectSession) -> None:
    made = make_captions(session)
    voiced, unvoiced = made
    clip = next(c for c in session.project.audio if c.id == voice_clip_id("l1"))
    assert (voiced.line_id, voiced.start_us, voiced.end_us) == ("l1", clip.start_us, clip.end_us)
    assert (voiced.start_us, voiced.end_us) == (1_200_000, 2_700_000)
    assert (unvoiced.line_id, unvoiced.start_us, unvoiced.end_us) == ("l2", 4 * SECOND, 8 * SECOND)
    session.undo()
    assert session.project.captions == ()


def test_word_times_place_the_caption_from_its_first_heard_word_to_its_last(session: ProjectSession) -> None:
    voiced = make_captions(session, _said)[0]
    # the clip plays its take from 0.5 s at 1.2 s: "is" (0.6 s in the take) is heard at 1.3 s, "boat?" ends at 2.1 s
    assert (voiced.start_us, voiced.end_us) == (1_300_000, 2_100_000)


def test_making_captions_again_changes_nothing_when_nothing_changed(session: ProjectSession) -> None:
    make_captions(session)
    before = session.project
    assert make_captions(session) == before.captions
    assert session.project is before


def test_the_words_a_voices_provider_timed_are_read_from_beside_its_take(session: ProjectSession) -> None:
    said = [{"text": w.text, "start_us": w.start_us, "end_us": w.end_us} for w in _said(voice_clip_of(session))]
    (session.bundle.path / "media" / "v1.words.json").write_text(json.dumps(said), encoding="utf-8")
    voiced = make_captions(session)[0]
    assert (voiced.start_us, voiced.end_us) == (1_300_000, 2_100_000)


def voice_clip_of(session: ProjectSession) -> AudioClip:
    return session.project.audio_clip(voice_clip_id("l1"))
