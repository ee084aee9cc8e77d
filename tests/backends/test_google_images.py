"""Google's stills (the Gemini image models) through the google backend as the registry builds it, against the
fake the SDK proves, driven by the real job code and journal: what is sent, safety stops, never paying twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
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
from tests.fakes.google import KEY
from tests.fakes.google_images import FakeGoogleImages
from tests.fakes.openai import png

GENERATE = r"/v1/models/gemini-2\.5-flash-image:generateContent"


@pytest.fixture
def fake() -> Iterator[FakeGoogleImages]:
    with FakeGoogleImages() as server:
        yield server


def _backend(tmp_path: Path, fake: FakeGoogleImages, key: str = KEY) -> GenerationBackend:
    context = provider_context(tmp_path, "google", fake.url, key=key)
    return BackendRegistry(BUILTIN_SPECS, discover=False).create("google", context)


def _still(model: str = "gemini-2.5-flash-image", **changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "audio": False, "kind": MediaKind.IMAGE}
    return cloud_request("google", model, **{**fields, **changes})


def _make(tmp_path: Path, fake: FakeGoogleImages, request: GenerationRequest, key: str = KEY) -> GenerationOutcome:
    project = tmp_path / "project"
    journal = journal_for(project)
    known = {record.id: record for record in journal.all()}

    async def scenario() -> GenerationOutcome:
        backend = _backend(tmp_path, fake, key)
        try:
            return await run_generation(
                known.get(request.job_id) or add_job(journal, request),
                backend=backend,
                journal=journal,
                probe=still_info,
                project_dir=project,
                poll_seconds=0.01,
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_a_still_with_pictures_to_go_on_is_one_generate_content(tmp_path: Path, fake: FakeGoogleImages) -> None:
    pictures = []
    for name in ("mara", "tom", "pier"):
        path = tmp_path / f"{name}.png"
        path.write_bytes(png(20, 20))
        pictures.append(str(path))
    outcome = _make(tmp_path, fake, _still(aspect="9:16", reference_images=tuple(pictures)))

    assert outcome.still and outcome.take.info.size == Size(768, 1344)
    (create,) = fake.calls_to("POST", GENERATE)
    assert create.headers["x-goog-api-key"] == KEY
    (sent,) = fake.generated
    assert sent["role"] == "user" and sent["prompt"] == "A lighthouse at dawn, waves breaking on the rocks"
    assert [mime for mime, _ in sent["pictures"]] == ["image/png"] * 3
    assert sent["config"] == {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "9:16"}}
    record = journal_for(tmp_path / "project").get(outcome.job_id)
    assert record.phase is JobPhase.DOWNLOADED and record.provider_job_id.startswith("still:")


def test_a_lost_answer_is_uncertain_and_never_sent_again(tmp_path: Path, fake: FakeGoogleImages) -> None:
    fake.inject("POST", GENERATE, kind="drop", after_handler=True)
    request = _still()
    with pytest.raises(AmbiguousSubmit):
        _make(tmp_path, fake, request)
    record = journal_for(tmp_path / "project").get(request.job_id)
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert len(fake.calls_to("POST", GENERATE)) == 1 and fake.made == 1


def test_a_picture_kept_before_a_crash_is_found_on_resume(tmp_path: Path, fake: FakeGoogleImages) -> None:
    request = _still()
    journal = journal_for(tmp_path / "project")
    add_job(journal, request)

    async def crash_after_the_answer() -> None:
        backend = _backend(tmp_path, fake)
        try:
            journal.update(request.job_id, phase=JobPhase.SENDING, sent_at="2026-12-07T17:00:00+00:00")
            await backend.submit(request)
        finally:
            await backend.aclose()

    asyncio.run(crash_after_the_answer())
    outcome = _make(tmp_path, fake, request)
    assert fake.made == 1 and len(fake.calls_to("POST", GENERATE)) == 1
    assert (tmp_path / "project" / outcome.take.media).is_file()


@pytest.mark.parametrize(
    ("prompt", "key", "error", "said"),
    [
        ("BLOCKME a harbour", KEY, ContentBlocked, r"safety filter refused this still \(PROHIBITED_CONTENT\)"),
        ("IMGSAFETY a harbour", KEY, ContentBlocked, r"refused this still \(IMAGE_SAFETY\)"),
        ("A harbour", "AIzaSy-wrong", AuthFailed, "did not accept the API key"),
    ],
)
def test_refusals_name_what_to_change(
    tmp_path: Path, fake: FakeGoogleImages, prompt: str, key: str, error: type[Exception], said: str
) -> None:
    request = _still(prompt=prompt)
    with pytest.raises(error, match=said):
        _make(tmp_path, fake, request, key)
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.FAILED
    assert fake.made == 0


def test_too_many_pictures_for_the_model_is_refused_before_sending(tmp_path: Path, fake: FakeGoogleImages) -> None:
    path = tmp_path / "mara.png"
    path.write_bytes(png(20, 20))
    with pytest.raises(InputRejected, match="takes at most 3 pictures"):
        _make(tmp_path, fake, _still(reference_images=(str(path),) * 4))
    assert fake.calls_to("POST", GENERATE) == []
