"""OpenAI's stills (the Images API) through the openai backend as the registry builds it, against the fake the
SDK proves, driven by the real job code and journal: what is sent, faults, and never paying twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import AmbiguousSubmit, AuthFailed, ContentBlocked, InputRejected
from shotline.core.model import Size
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import UNCERTAIN_MESSAGE, GenerationOutcome, run_generation
from shotline.media.intake import still_info
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.openai import KEY, png
from tests.fakes.openai_images import FakeOpenAIImages

GENERATIONS = r"/v1/images/generations"
EDITS = r"/v1/images/edits"


@pytest.fixture
def fake() -> Iterator[FakeOpenAIImages]:
    with FakeOpenAIImages() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeOpenAIImages, key: str | None = KEY, **settings: Any) -> GenerationBackend:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    return registry.create("openai", provider_context(tmp_path, "openai", fake.api_url, key=key, **settings))


def _still(model: str = "gpt-image-1", **changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "audio": False, "kind": MediaKind.IMAGE, "resolution": "low"}
    return cloud_request("openai", model, **{**fields, **changes})


async def _drive(backend: GenerationBackend, request: GenerationRequest, project: Path, **kw: Any) -> GenerationOutcome:
    journal = journal_for(project)
    record = journal.get(request.job_id) if any(r.id == request.job_id for r in journal.all()) else None
    return await run_generation(
        record or add_job(journal, request),
        backend=backend,
        journal=journal,
        probe=still_info,
        project_dir=project,
        poll_seconds=0.01,
        **kw,
    )


def _make(tmp_path: Path, fake: FakeOpenAIImages, request: GenerationRequest, **settings: Any) -> GenerationOutcome:
    async def scenario() -> GenerationOutcome:
        backend = _backend(tmp_path, fake, **settings)
        try:
            return await _drive(backend, request, tmp_path / "project")
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_a_still_from_words_lands_as_a_picture_of_the_shots_frame(tmp_path: Path, fake: FakeOpenAIImages) -> None:
    outcome = _make(tmp_path, fake, _still(aspect="9:16"))

    assert outcome.still and outcome.take.media == f"media/{outcome.job_id}.png"
    assert outcome.take.info.size == Size(1024, 1536) and outcome.take.info.duration_us == 0
    assert fake.generated == [
        {
            "model": "gpt-image-1",
            "prompt": "A lighthouse at dawn, waves breaking on the rocks",
            "n": 1,
            "size": "1024x1536",
            "quality": "low",
            "output_format": "png",
            "images": [],
        }
    ]
    record = journal_for(tmp_path / "project").get(outcome.job_id)
    assert record.phase is JobPhase.DOWNLOADED and record.provider_job_id.startswith("still:")


def test_reference_pictures_go_as_the_image_array_of_an_edit(tmp_path: Path, fake: FakeOpenAIImages) -> None:
    pictures = []
    for name in ("mara", "tom", "pier"):
        path = tmp_path / f"{name}.png"
        path.write_bytes(png(48, 48))
        pictures.append(str(path))
    _make(tmp_path, fake, _still(reference_images=tuple(pictures)))

    (create,) = fake.calls_to("POST", EDITS)
    assert create.body.count(b'name="image[]"') == 3
    (sent,) = fake.generated
    assert [image["filename"] for image in sent["images"]] == ["mara.png", "tom.png", "pier.png"]
    assert (sent["model"], sent["size"], sent["quality"], sent["n"]) == ("gpt-image-1", "1536x1024", "low", "1")
    assert fake.count("POST", GENERATIONS) == 0


def test_a_create_whose_answer_was_lost_is_uncertain_and_never_sent_again(
    tmp_path: Path, fake: FakeOpenAIImages
) -> None:
    fake.inject("POST", GENERATIONS, kind="drop", after_handler=True)
    request = _still()
    with pytest.raises(AmbiguousSubmit, match="check your provider dashboard"):
        _make(tmp_path, fake, request)

    record = journal_for(tmp_path / "project").get(request.job_id)
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert fake.count("POST", GENERATIONS) == 1 and fake.made == 1, "paid once, never sent again"


def test_a_still_kept_before_a_crash_is_found_on_resume_not_paid_again(tmp_path: Path, fake: FakeOpenAIImages) -> None:
    """The create's answer came back and the picture was kept, but Shotline stopped before the journal noted it:
    the row still says SENDING, and the resume finds the picture on the shelf."""
    request = _still()
    project = tmp_path / "project"
    journal = journal_for(project)
    add_job(journal, request)

    async def crash_after_the_answer() -> str:
        backend = _backend(tmp_path, fake)
        try:
            journal.update(request.job_id, phase=JobPhase.SENDING, sent_at="2026-12-07T17:00:00+00:00")
            return await backend.submit(request)  # the answer is kept; the journal never hears of it
        finally:
            await backend.aclose()

    kept = asyncio.run(crash_after_the_answer())
    outcome = _make(tmp_path, fake, request)

    assert fake.made == 1 and fake.count("POST", GENERATIONS) == 1
    assert journal.get(request.job_id).provider_job_id == kept
    assert (project / outcome.take.media).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("changes", "key", "error", "said"),
    [
        ({"prompt": "BLOCKNOW a harbour"}, KEY, ContentBlocked, "safety system refused this still"),
        ({}, "sk-wrong-key-000000", AuthFailed, r"did not accept the API key.*Edit → API keys"),
        ({"resolution": "ultra"}, KEY, InputRejected, "refused the setting 'quality'"),
        ({"model": "sora-2"}, KEY, InputRejected, "no still model 'sora-2'.*gpt-image-1, gpt-image-1-mini"),
    ],
)
def test_refusals_say_what_to_change_and_make_nothing(
    tmp_path: Path, fake: FakeOpenAIImages, changes: dict[str, Any], key: str, error: type[Exception], said: str
) -> None:
    request = replace(_still(), **changes)
    with pytest.raises(error, match=said) as caught:
        _make(tmp_path, fake, request, key=key)
    assert key not in str(caught.value)
    assert journal_for(tmp_path / "project").get(request.job_id).phase in (JobPhase.FAILED, JobPhase.BLOCKED)
    assert fake.made == 0
