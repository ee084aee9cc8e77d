"""The preview mix: the export's mix of the whole timeline as a WAV in the project's cache, rendered once per mix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from shotline.core import commands
from shotline.core.errors import EditError
from shotline.core.model import Size, Transition, TransitionKind
from shotline.jobs.runner import AsyncRunner
from shotline.services import importing, mix_preview, sound
from shotline.services.editing import add_shot
from shotline.services.session import ProjectSession
from tests.media.sound import db, read_wav, tone, tone_clip

pytestmark = pytest.mark.ffmpeg

RATE = 48_000
WINDOW_S = 0.05
"""Every tone here has a whole number of periods in 50 ms, so one tone's level does not leak into another's."""


def amplitude_db(samples: np.ndarray, hz: float, at_s: float) -> float:
    """Level (dBFS as a sine's RMS) of the `hz` tone in the 50 ms from `at_s`, first channel, by correlation."""
    start = round(at_s * RATE)
    mono = samples[start : start + round(WINDOW_S * RATE), 0]
    t = np.arange(len(mono)) / RATE
    amplitude = 2 * abs(np.mean(mono * np.exp(-2j * np.pi * hz * t)))
    return db(float(amplitude) / np.sqrt(2))


def sine_db(peak: float) -> float:
    return db(peak / np.sqrt(2))


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    """Two 2 s tone shots (440 Hz, then 660 Hz with dialogue) and 300 Hz music from 0.5 s at -6 dB, ducking -10 dB."""
    shots = [tone_clip(tmp_path / f"shot{hz}.mp4", hz=hz, seconds=2, amplitude=0.2) for hz in (440, 660)]
    music = tone(tmp_path / "music.wav", hz=300, seconds=3.5, amplitude=0.4)
    with ProjectSession.create(tmp_path / "film.shotline", title="t", size=Size(320, 180)) as opened:
        importing.import_files(opened, shots)
        second = opened.project.shots[1].id
        opened.execute(commands.add_line(second, "Over here!"))
        clip = sound.add_sound(opened, music, "music", 500_000)
        opened.execute(commands.set_audio_clip(clip.id, gain_db=-6.0))
        opened.execute(commands.set_lane("music", duck_db=-10.0, duck_release_us=200_000))
        yield opened


def test_the_preview_plays_the_music_at_its_time_and_gain_and_ducks_it_under_dialogue(
    session: ProjectSession,
) -> None:
    assert mix_preview.needs_mix(session.project)
    with AsyncRunner() as runner:  # off the calling thread, as the player asks for it
        path = runner.run(mix_preview.make_preview(session.project, session.bundle), timeout=60)
    assert path.parent == session.bundle.cache_dir / mix_preview.PREVIEW_FOLDER
    samples, rate = read_wav(path)
    assert rate == RATE and abs(len(samples) / RATE - 4.0) < 0.05  # the whole 4 s timeline

    # before the music: the first shot alone
    assert amplitude_db(samples, 300, 0.2) < -60
    assert abs(amplitude_db(samples, 440, 0.2) - sine_db(0.2)) < 0.5
    # the music from 0.5 s, 6 dB down, under the first shot (no dialogue)
    assert abs(amplitude_db(samples, 300, 0.8) - (sine_db(0.4) - 6)) < 0.5
    assert abs(amplitude_db(samples, 300, 1.5) - (sine_db(0.4) - 6)) < 0.5
    # the dialogue shot from 2 s: the music 10 dB further down, and its own sound untouched
    assert abs(amplitude_db(samples, 300, 2.5) - (sine_db(0.4) - 16)) < 0.5
    assert abs(amplitude_db(samples, 660, 2.5) - sine_db(0.2)) < 0.5
    assert amplitude_db(samples, 440, 2.5) < -60


def test_a_crossfade_is_heard_with_both_shots_at_its_midpoint(session: ProjectSession) -> None:
    first = session.project.shots[0].id
    session.execute(commands.set_transition(first, Transition(TransitionKind.CROSSFADE, 400_000)))
    samples, _ = read_wav(mix_preview.preview_mix(session.project, session.bundle))
    assert abs(len(samples) / RATE - 3.6) < 0.05  # the overlap comes off the timeline
    # the blend runs 1.6–2.0 s; at its middle both tones are 3 dB down (equal power)
    midpoint = 1.8 - WINDOW_S / 2
    assert abs(amplitude_db(samples, 440, midpoint) - (sine_db(0.2) - 3)) < 0.6
    assert abs(amplitude_db(samples, 660, midpoint) - (sine_db(0.2) - 3)) < 0.6
    assert amplitude_db(samples, 660, 1.2) < -60 and amplitude_db(samples, 440, 2.5) < -60


def test_an_unchanged_mix_is_not_rendered_again_and_a_change_renders_a_new_one(session: ProjectSession) -> None:
    first = mix_preview.preview_mix(session.project, session.bundle)
    inode = first.stat().st_ino
    again = mix_preview.preview_mix(session.project, session.bundle)
    assert again == first and again.stat().st_ino == inode  # a new render would have replaced the file

    clip = session.project.audio[0]
    session.execute(commands.set_audio_clip(clip.id, gain_db=-12.0))
    changed = mix_preview.preview_mix(session.project, session.bundle)
    assert changed != first
    quieter, _ = read_wav(changed)
    assert abs(amplitude_db(quieter, 300, 0.8) - (sine_db(0.4) - 12)) < 0.5

    session.undo()  # back to the first mix: its file is still there
    assert mix_preview.preview_mix(session.project, session.bundle) == first
    assert first.stat().st_ino == inode


def test_only_the_newest_previews_are_kept(session: ProjectSession) -> None:
    clip = session.project.audio[0]
    made = []
    for gain in range(mix_preview.KEEP_PREVIEWS + 2):
        session.execute(commands.set_audio_clip(clip.id, gain_db=-float(gain)))
        session.history.seal()
        made.append(mix_preview.preview_mix(session.project, session.bundle))
    folder = session.bundle.cache_dir / mix_preview.PREVIEW_FOLDER
    assert sorted(folder.iterdir()) == sorted(made[-mix_preview.KEEP_PREVIEWS :])


def test_a_replaced_source_file_is_mixed_again(session: ProjectSession, tmp_path: Path) -> None:
    first = mix_preview.preview_mix(session.project, session.bundle)
    music = session.bundle.resolve(session.project.audio[0].media)
    tone(music, hz=300, seconds=3.5, amplitude=0.1)  # replaced in place (a relink, say)
    replaced = mix_preview.preview_mix(session.project, session.bundle)
    assert replaced != first
    samples, _ = read_wav(replaced)
    assert abs(amplitude_db(samples, 300, 0.8) - (sine_db(0.1) - 6)) < 0.5


def test_what_needs_a_mix_and_a_shot_without_a_take_says_why_there_is_none(tmp_path: Path) -> None:
    clip = tone_clip(tmp_path / "shot.mp4", hz=440, seconds=1, amplitude=0.2)
    with ProjectSession.create(tmp_path / "plain.shotline", title="t", size=Size(320, 180)) as plain:
        importing.import_files(plain, [clip, clip])
        assert not mix_preview.needs_mix(plain.project)  # the takes' own sound is the mix
        plain.execute(commands.set_lane("music", gain_db=-3.0))
        assert not mix_preview.needs_mix(plain.project)  # a lane with nothing on it changes nothing
        for change in (
            commands.set_shot_sound(plain.project.shots[0].id, gain_db=-3.0),
            commands.set_lane("clips", muted=True),
            commands.set_transition(plain.project.shots[0].id, Transition(TransitionKind.CROSSFADE, 200_000)),
        ):
            plain.execute(change)
            assert mix_preview.needs_mix(plain.project)
            plain.undo()
        assert not mix_preview.needs_mix(plain.project)

        add_shot(plain, "a shot still to generate")
        with pytest.raises(EditError, match=r"Shot 3.*has no take yet"):
            mix_preview.preview_mix(plain.project, plain.bundle)


_PREVIEW_IN_A_CHILD = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from shotline.core.errors import ShotlineError
from shotline.services import mix_preview
from shotline.services.session import ProjectSession
with ProjectSession.open(Path(sys.argv[1])) as session:
    try:
        mix_preview.preview_mix(session.project, session.bundle)
    except ShotlineError as error:
        print(error)
"""


def test_a_take_declared_longer_than_its_file_is_not_mixed(tmp_path: Path) -> None:
    """A hand-edited project.json declaring a 2 s take twelve hours long: the preview mix would be twelve hours of
    sound, 31 GB of samples in memory (issue 13, class 3). Its file is asked first; run in a child whose memory is
    limited, so a mix that tried would end there."""
    path = tmp_path / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90)) as session:
        importing.import_files(session, [tone_clip(tmp_path / "harbour.mp4", hz=440, seconds=2.0)])
        sound.add_sound(session, tone(tmp_path / "gulls.wav", hz=660, seconds=2.0), "music", 0)
        session.save()
    doc = json.loads((path / "project.json").read_text())
    take = doc["shots"][0]["takes"][0]
    take["info"]["duration_us"] = take["trim"]["out_us"] = 12 * 3600 * 1_000_000
    (path / "project.json").write_text(json.dumps(doc))
    done = subprocess.run(
        [sys.executable, "-c", _PREVIEW_IN_A_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},
    )
    assert done.returncode == 0, done.stderr
    assert (
        "Shot 1 ('harbour') plays its file harbour.mp4 to 12:00:00.000, but the file holds 00:00:02.000" in done.stdout
    )
    assert not list((path / "cache").rglob("*.wav"))
