"""`shotline voice PROJECT [--shot N] [--line K]`: the film's lines spoken onto the voice-over lane, printed as files,
their takes listed and picked, a cast member given a voice, a paid voice asked about before anything is sent."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from shotline.core import commands, dialogue
from shotline.core.commands import Command
from shotline.core.model import DialogueLine
from shotline.services.session import ProjectSession
from tests.cli.shotline_cli import ok, shotline
from tests.fakes.openai import KEY
from tests.fakes.openai_speech import FakeOpenAISpeech

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    made = tmp_path / "film.shotline"
    ok("new", made, "--size", "320x180", "--fps", "24")
    ok("add", made, "--prompt", "@Mara on the pier at dawn", "--duration", "3")
    ok("add", made, "--prompt", "The lighthouse", "--duration", "3")
    ok("cast", "add", made, "Mara")
    with ProjectSession.open(made) as session:
        mara = session.project.member("Mara").id
        first, second = (shot.id for shot in session.project.shots)
        for shot, line in (
            (first, DialogueLine("l1", "The boats are late.", member_id=mara)),
            (first, DialogueLine("l2", "They always are.", speaker="Tom")),
            (second, DialogueLine("l3", "Look, a light.", member_id=mara)),
        ):
            session.execute(Command("Add line", partial(dialogue.add_line, shot_id=shot, line=line)))
        session.execute(commands.set_title(first, "Pier"))
        session.save()
    return made


def _voice_clips(project: Path) -> list[dict[str, Any]]:
    document = json.loads((project / "project.json").read_text(encoding="utf-8"))
    return [clip for clip in document["audio"] if clip["lane"] == "voice"]


def test_lines_are_spoken_offline_listed_and_picked(project: Path) -> None:
    made = ok("voice", project).split()
    assert len(made) == 3 and all(Path(f).suffix == ".wav" and Path(f).parent == project / "media" for f in made)
    assert sorted(clip["media"] for clip in _voice_clips(project)) == sorted(f"media/{Path(f).name}" for f in made)

    (again,) = ok("voice", project, "--shot", "1", "--line", "1").split()
    listed = ok("voice", project, "--takes", "--shot", "1", "--line", "1").splitlines()
    assert listed == [f"  shot 1 line 1 (Mara)  {made[0]}", f"* shot 1 line 1 (Mara)  {again}"]
    assert len(_voice_clips(project)) == 3  # the line's one clip plays its new take

    assert "now plays for shot 1 line 1 (Mara)" in ok("voice", project, "--pick", made[0])
    assert f"media/{Path(made[0]).name}" in {clip["media"] for clip in _voice_clips(project)}


def test_a_cast_voice_is_checked_and_a_paid_voice_is_asked_about(project: Path) -> None:
    refused = shotline("voice", project, "--cast", "Mara", "--use", "openai:bob")
    assert refused.code != 0 and "openai has no voice 'bob'; choose one of: alloy, ash" in refused.err
    assert "Traceback" not in refused.err
    assert "@Mara speaks with openai's nova in every shot" in ok(
        "voice", project, "--cast", "Mara", "--use", "openai:nova", "--model", "tts-1"
    )

    with FakeOpenAISpeech() as fake:
        env = {"SHOTLINE_OPENAI_BASE_URL": fake.api_url, "OPENAI_API_KEY": KEY, "SHOTLINE_POLL_SECONDS": "0.05"}
        args = ("voice", project, "--shot", "2")
        said_no = shotline(*args, stdin="n\n", env=env)
        assert said_no.code != 0 and "Nothing was sent" in said_no.err
        assert "Shot 2, Mara: OpenAI-compatible (Sora 2), nova" in said_no.err
        assert fake.characters == 0 and _voice_clips(project) == []

        said_yes = shotline(*args, stdin="y\n", env=env)
        assert said_yes.code == 0, said_yes.err
        assert fake.spoken == [{"model": "tts-1", "input": "Look, a light.", "voice": "nova", "response_format": "wav"}]
        (clip,) = _voice_clips(project)
        assert clip["media"] == f"media/{Path(said_yes.out.strip()).name}"


def test_nothing_to_speak_is_said_plainly(tmp_path: Path) -> None:
    bare = tmp_path / "bare.shotline"
    ok("new", bare)
    ok("add", bare, "--prompt", "A quiet sea", "--duration", "3")
    result = shotline("voice", bare)
    assert result.code != 0 and "This film has no dialogue lines with words to speak" in result.err
    assert "Traceback" not in result.err


def test_a_voice_job_a_crash_left_behind_is_placed_by_resume(project: Path) -> None:
    """The line was spoken but Shotline stopped before it was placed: `shotline resume --wait` places it."""
    from shotline.services.context import open_context
    from shotline.services.voices import VoicesService

    with open_context() as ctx, ProjectSession.open(project) as session:
        voices = VoicesService(ctx, session)
        records = voices.plan("2")
        (job,) = voices.make(records)
        job.handle.result()  # downloaded, never landed
    assert _voice_clips(project) == []

    said = ok("resume", project, "--wait")
    assert "New voice take" in said and "(on the voice-over lane)" in said
    (clip,) = _voice_clips(project)
    assert clip["media"] == f"media/{records[0].id}.wav"
