"""A shot's dialogue lines as a model that speaks is sent them: in the form its provider's guide asks (Sora 2's
"Dialogue:" block, Kling 3.0's labelled lines, Google's quoted speech after who says it), through the one request
builder and so in the request snapshot a take keeps; and said before sending when the model cannot speak them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.dialogue import DialogueForm
from shotline.core.model import CastMember, GenerationSettings, Size
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import build_request
from shotline.services.session import ProjectSession
from shotline.services.shot_fit import fit_shot, sending_notes
from shotline.storage.secrets import MemorySecretStore


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    """A shot where @Mara says a line with a "quote" in it, a typed Harbourmaster answers, and a line is unwritten."""
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        opened.execute(commands.add_cast_member(CastMember("cast-mara", "Mara")))
        shot = add_shot(opened, "@Mara on the quay at dawn")
        opened.execute(commands.add_line(shot.id, 'Cast off, "now".', member_id="cast-mara"))
        opened.execute(commands.add_line(shot.id, "Tide's turning!", speaker="Harbourmaster"))
        opened.execute(commands.add_line(shot.id, ""))  # unwritten: never sent
        yield opened


def _sent(ctx: AppContext, session: ProjectSession, backend: str, model: str, *, audio: bool = True) -> str:
    shot = session.project.shots[0]
    settings = GenerationSettings(backend=backend, model=model, duration_us=4_000_000, aspect="16:9", audio=audio)
    session.execute(commands.set_generation(shot.id, settings))
    request = build_request(ctx, session.project, session.project.shots[0])
    assert request.to_json()["prompt"] == request.prompt, "the snapshot a take keeps holds what was sent"
    return request.prompt


def test_each_speaking_model_is_sent_the_lines_in_its_providers_form(ctx: AppContext, session: ProjectSession) -> None:
    sora = _sent(ctx, session, "openai", "sora-2")
    assert sora.endswith('\n\nDialogue:\n- Mara: "Cast off, \u201dnow\u201d."\n- Harbourmaster: "Tide\'s turning!"'), (
        sora
    )
    kling = _sent(ctx, session, "fal", "kling-3-standard")
    assert kling.endswith('\n\n[Mara]: "Cast off, \u201dnow\u201d."\n[Harbourmaster]: "Tide\'s turning!"'), kling
    omni = _sent(ctx, session, "google", "gemini-omni-1.2-flash")
    assert omni.endswith('\n\nMara says, "Cast off, \u201dnow\u201d." Harbourmaster says, "Tide\'s turning!"'), omni
    seedance = _sent(ctx, session, "fal", "seedance-2")
    assert seedance.endswith('Harbourmaster says, "Tide\'s turning!"'), seedance
    for prompt in (sora, kling, omni):
        assert prompt.count('"') == 4, "the unwritten line is not sent, and a quote inside a line closes nothing"


def test_the_shipped_catalogue_names_each_speaking_models_form(ctx: AppContext) -> None:
    def form(backend: str, model: str) -> DialogueForm:
        found = ctx.registry.info(backend).model(model)
        assert found is not None and found.audio
        return found.dialogue

    assert form("openai", "sora-2") is form("openai", "sora-2-pro") is DialogueForm.BLOCK
    assert form("fal", "kling-3-standard") is form("fal", "kling-3-pro") is form("fal", "kling-o3-4k")
    assert form("fal", "kling-3-pro") is DialogueForm.LABELLED
    assert form("google", "gemini-omni-1.2-flash") is form("fal", "seedance-2") is DialogueForm.SAYS


def test_a_model_that_cannot_speak_is_sent_no_lines_and_the_shot_says_so(
    ctx: AppContext, session: ProjectSession
) -> None:
    silent = _sent(ctx, session, "replicate", "kwaivgi/kling-v2.0")
    assert "Cast off" not in silent and "Harbourmaster" not in silent
    shot = session.project.shots[0]
    model = ctx.registry.info("replicate").model("kwaivgi/kling-v2.0")
    assert model is not None
    assert (
        "Kling 2.0 (5 or 10 s) cannot speak this shot's 2 lines: they will not be sent "
        "(a voice can say them on the voice-over lane)."
    ) in fit_shot(shot, model).notes()
    notes = sending_notes(ctx.registry, session.project, [shot.id])
    assert "Shot 1: Kling 2.0 (5 or 10 s) cannot speak this shot's 2 lines" in "\n".join(notes)


def test_a_speaking_model_with_the_shots_sound_off_is_sent_no_lines_and_the_shot_says_so(
    ctx: AppContext, session: ProjectSession
) -> None:
    prompt = _sent(ctx, session, "openai", "sora-2", audio=False)
    assert "Dialogue:" not in prompt and "Cast off" not in prompt
    model = ctx.registry.info("openai").model("sora-2")
    assert model is not None
    fit = fit_shot(session.project.shots[0], model)
    assert "This shot's sound is off, so Sora 2 is not sent its 2 lines; turn its sound on to have them spoken." in (
        fit.notes()
    )
    assert not fit.dropped, "the lines are not a setting the shot loses: they stay for a voice and the captions"
