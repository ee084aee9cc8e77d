"""Voices: a film's dialogue lines spoken offline by this computer's own engine (espeak-ng here, through pyttsx3)
through the same registry, jobs, journal and estimates as clips; each lands as a sound take on the voice-over lane at
its shot, regenerable, its takes picked like a shot's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest

from shotline.core import commands, dialogue
from shotline.core.commands import Command
from shotline.core.errors import EditError, InputRejected, OverBudget
from shotline.core.model import (
    MUSIC_LANE,
    VOICE_LANE,
    CastKind,
    CastMember,
    DialogueLine,
    GenerationSettings,
    Size,
    VoiceChoice,
)
from shotline.core.ports import JobPhase, MediaKind
from shotline.core.timeline import start_of
from shotline.core.voice_takes import voice_clip
from shotline.media.mix import timeline_ducking
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.jobs_view import state_text
from shotline.services.session import ProjectSession
from shotline.services.voices import VoicesService, place, spoken_words, voice_takes
from shotline.storage.secrets import MemorySecretStore

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        yield opened


def _shot(session: ProjectSession, *lines: tuple[str, str | None, str]) -> str:
    """A 3 s animatic shot with lines of (line id, member id or None, words)."""
    settings = GenerationSettings(backend="animatic", model="card", duration_us=3_000_000)
    shot = add_shot(session, "A harbour at dawn", generation=settings).id
    for line_id, member, words in lines:
        line = DialogueLine(line_id, words, "" if member else "Narrator", member)
        session.execute(Command("Add line", partial(dialogue.add_line, shot_id=shot, line=line)))
    return shot


def test_three_speaking_shots_are_voiced_offline_onto_the_voice_lane(ctx: AppContext, session: ProjectSession) -> None:
    session.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER)))
    shots = [
        _shot(session, ("l1", "m1", "The boats are late."), ("l2", None, "They always are.")),
        _shot(session, ("l3", "m1", "Look, a light.")),
        _shot(session, ("l4", None, "Nobody answered.")),
    ]
    voices = VoicesService(ctx, session)

    records = voices.plan()
    assert session.journal.all() == []  # planned and priced only
    assert [(r.backend, r.model, r.estimated_cost) for r in records] == [("animatic", "system-voice", None)] * 4
    assert all(r.request["kind"] == "speech" and r.request["options"]["line"] for r in records)
    assert records[0].request["prompt"] == "The boats are late."
    made = [voices.land(job) for job in voices.make(records)]

    assert {take.media.rsplit(".", 1)[1] for take in made} == {"wav"}
    project = session.project
    clips = {take.line_id: voice_clip(project, take.line_id) for take in made}
    assert all(clip is not None and clip.lane == VOICE_LANE and clip.info.has_audio for clip in clips.values())
    # each at its shot; a shot's second line after its first
    assert clips["l1"].start_us == start_of(project, shots[0])  # type: ignore[union-attr]
    assert clips["l2"].start_us == clips["l1"].end_us  # type: ignore[union-attr]
    assert clips["l3"].start_us == start_of(project, shots[1])  # type: ignore[union-attr]
    assert clips["l4"].start_us == start_of(project, shots[2])  # type: ignore[union-attr]
    assert all(project.shot(shot).takes == () for shot in shots)  # a voice is no take of the shot
    assert {r.phase for r in session.journal.all()} == {JobPhase.ATTACHED}
    assert {state_text(r) for r in session.journal.all()} == {"done — voice take made"}
    # what is on disk plays: a real sound of some length
    assert all(clip.info.duration_us > 300_000 for clip in clips.values())  # type: ignore[union-attr]
    # and the music ducks under each line as it is said (the mix's own rule, drawn on the timeline)
    ducking = timeline_ducking(project, project.lane(MUSIC_LANE))
    assert ducking is not None
    for clip in clips.values():
        assert any(start <= clip.start_us and clip.end_us <= end for start, end in ducking.spans)  # type: ignore[union-attr]


def test_speaking_a_line_again_is_a_second_take_picked_in_place_and_the_first_can_be_picked_back(
    ctx: AppContext, session: ProjectSession
) -> None:
    _shot(session, ("l1", None, "Hold the line."))
    voices = VoicesService(ctx, session)
    (first,) = [voices.land(job) for job in voices.make(voices.plan("1"))]
    clip = voice_clip(session.project, "l1")
    assert clip is not None
    session.execute(commands.move_audio_clip(clip.id, 500_000))  # the creator moves it; a new take keeps its place
    session.execute(commands.set_audio_clip(clip.id, gain_db=-3.0))

    (second,) = [
        voices.land(job)
        for job in voices.make(voices.plan("1", "1", choice=VoiceChoice("animatic", "gmw/en-gb-scotland")))
    ]
    again = voice_clip(session.project, "l1")
    assert again is not None and again.media == second.media != first.media
    assert (again.start_us, again.gain_db) == (500_000, -3.0)
    assert (first.voice, second.voice) == ("", "gmw/en-gb-scotland")  # each take says which voice spoke it
    assert [t.media for t in voice_takes(session.journal.all(), "l1")] == [first.media, second.media]
    assert len([c for c in session.project.audio if c.lane == VOICE_LANE]) == 1

    place(session, first)  # pick the first take back
    assert voice_clip(session.project, "l1").media == first.media  # type: ignore[union-attr]
    session.history.undo()  # one undo step: the second take plays again, nothing is lost
    assert voice_clip(session.project, "l1").media == second.media  # type: ignore[union-attr]


def test_a_line_is_spoken_by_its_members_cast_voice(ctx: AppContext, session: ProjectSession) -> None:
    voice = VoiceChoice("openai", "nova", "gpt-4o-mini-tts")
    session.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER, voice=voice)))
    _shot(session, ("l1", "m1", "Twelve characters."), ("l2", None, "Narrated."))
    (mara, narrator) = VoicesService(ctx, session).plan()
    assert (mara.backend, mara.model, mara.request["options"]["voice"]) == ("openai", "gpt-4o-mini-tts", "nova")
    assert mara.request["label"] == "Mara"
    assert (narrator.backend, narrator.estimated_cost) == ("animatic", None)  # no cast voice: this computer's


def test_voices_are_priced_per_character_and_held_to_the_budget(ctx: AppContext, session: ProjectSession) -> None:
    voice = VoiceChoice("openai", "alloy", "tts-1")
    session.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER, voice=voice)))
    _shot(session, ("l1", "m1", "x" * 1000), ("l2", "m1", "y" * 1000))
    session.execute(commands.set_project_settings(replace(session.project.settings, budget=Decimal("0.02"))))
    voices = VoicesService(ctx, session)
    assert [r.estimated_cost for r in voices.plan("1", "1")] == [Decimal("0.015")]  # $15 per million characters
    with pytest.raises(OverBudget):  # two lines at $0.015 do not fit under $0.02 together
        voices.plan("1")
    assert session.journal.all() == []


@pytest.mark.parametrize(
    ("shot", "line", "said"),
    [
        (None, None, r"This film has no dialogue lines with words to speak"),
        ("1", "2", r"has no line '2'"),
        (None, "1", r"Name the shot"),
    ],
)
def test_what_cannot_be_spoken_is_refused_before_anything_is_written(
    ctx: AppContext, session: ProjectSession, shot: str | None, line: str | None, said: str
) -> None:
    _shot(session, ("l1", None, "   "))
    with pytest.raises((InputRejected, EditError), match=said):
        VoicesService(ctx, session).plan(shot, line)
    assert session.journal.all() == []


def test_a_voice_job_left_downloaded_is_finished_on_resume_without_a_take(
    ctx: AppContext, session: ProjectSession
) -> None:
    shot = _shot(session, ("l1", None, "Resume me."))
    voices = VoicesService(ctx, session)
    (record,) = voices.plan()
    (job,) = voices.make([record])
    job.handle.result()  # done, not landed: as after a crash
    assert session.journal.get(record.id).phase is JobPhase.DOWNLOADED
    generation = GenerationService(ctx, session)
    for resumed in generation.run(generation.unfinished()):
        assert generation.attach(resumed.handle.result()) is False
    assert session.project.shot(shot).takes == ()
    assert session.journal.get(record.id).phase is JobPhase.ATTACHED
    assert session.journal.get(record.id).kind is MediaKind.SPEECH


def test_elevenlabs_word_times_are_kept_beside_the_take_for_the_captions(
    session: ProjectSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes.elevenlabs import KEY, FakeElevenLabs

    voice = VoiceChoice("elevenlabs", "JBFqnCBsd6RMkjVDRZzb", "eleven_flash_v2_5")
    session.execute(commands.add_cast_member(CastMember("m1", "Mara", CastKind.CHARACTER, voice=voice)))
    _shot(session, ("l1", "m1", "Look, a light."))
    with FakeElevenLabs() as fake:
        monkeypatch.setenv("SHOTLINE_ELEVENLABS_BASE_URL", fake.url)
        store = MemorySecretStore()
        store.set("elevenlabs", KEY)
        with open_context(secrets=store) as ctx:
            voices = VoicesService(ctx, session)
            (take,) = [voices.land(job) for job in voices.make(voices.plan())]
    clip = voice_clip(session.project, "l1")
    assert clip is not None and clip.media == take.media
    assert spoken_words(session.bundle.path, clip) == (
        ("Look,", 0, 300_000),
        ("a", 360_000, 420_000),
        ("light.", 480_000, 840_000),
    )
