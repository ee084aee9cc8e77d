"""fal.ai's stills (FLUX, Seedream) through the fal backend as the registry builds it, against the fake queue the
SDK proves, driven by the real job code and journal: what is sent, faults, and never paying twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import AmbiguousSubmit, ContentBlocked, InputRejected
from shotline.core.model import Size
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import UNCERTAIN_MESSAGE, GenerationOutcome, run_generation
from shotline.media.intake import still_info
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.fal import KEY
from tests.fakes.fal_images import FakeFalImages
from tests.fakes.openai import png

FLUX = "/fal-ai/flux/dev"


@pytest.fixture
def fake() -> Iterator[FakeFalImages]:
    with FakeFalImages(queue_polls=1, run_polls=1) as server:
        yield server


def _backend(tmp_path: Path, fake: FakeFalImages) -> GenerationBackend:
    registry = BackendRegistry(BUILTIN_SPECS, discover=False)
    return registry.create("fal", provider_context(tmp_path, "fal", fake.url, key=KEY))


def _still(model: str = "flux-dev", **changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "audio": False, "kind": MediaKind.IMAGE}
    return cloud_request("fal", model, **{**fields, **changes})


def _make(tmp_path: Path, fake: FakeFalImages, request: GenerationRequest, **kw: Any) -> GenerationOutcome:
    project = tmp_path / "project"
    journal = journal_for(project)
    known = {record.id: record for record in journal.all()}

    async def scenario() -> GenerationOutcome:
        backend = _backend(tmp_path, fake)
        try:
            return await run_generation(
                known.get(request.job_id) or add_job(journal, request),
                backend=backend,
                journal=journal,
                probe=still_info,
                project_dir=project,
                poll_seconds=0.01,
                **kw,
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_a_flux_still_is_queued_followed_and_fetched_as_a_picture(tmp_path: Path, fake: FakeFalImages) -> None:
    outcome = _make(tmp_path, fake, _still(aspect="9:16", seed=11))

    assert outcome.still and outcome.take.media == f"media/{outcome.job_id}.png"
    assert outcome.take.info.size == Size(576, 1024)
    (submit,) = fake.submits()
    assert submit.path == FLUX
    assert submit.json() == {
        "prompt": "A lighthouse at dawn, waves breaking on the rocks",
        "num_images": 1,
        "image_size": "portrait_16_9",
        "seed": 11,
    }
    record = journal_for(tmp_path / "project").get(outcome.job_id)
    assert record.provider_job_id.startswith("still:fal-ai/flux/dev|")


def test_seedream_takes_its_pictures_inline_on_its_edit_endpoint(tmp_path: Path, fake: FakeFalImages) -> None:
    pictures = []
    for name in ("mara", "tom", "pier"):
        path = tmp_path / f"{name}.png"
        path.write_bytes(png(40, 40))
        pictures.append(str(path))
    _make(tmp_path, fake, _still("seedream-4", reference_images=tuple(pictures)))

    (submit,) = fake.submits()
    assert submit.path == "/fal-ai/bytedance/seedream/v4/edit"
    sent = submit.json()["image_urls"]
    assert len(sent) == 3 and all(url.startswith("data:image/png;base64,") for url in sent)


def test_words_only_flux_refuses_pictures_before_sending(tmp_path: Path, fake: FakeFalImages) -> None:
    path = tmp_path / "mara.png"
    path.write_bytes(png(40, 40))
    with pytest.raises(InputRejected, match="takes at most 0 reference pictures"):
        _make(tmp_path, fake, _still(reference_images=(str(path),)))
    assert fake.submits() == []


def test_a_lost_create_answer_is_uncertain_and_never_sent_again(tmp_path: Path, fake: FakeFalImages) -> None:
    fake.inject("POST", FLUX, kind="drop", after_handler=True)
    request = _still()
    with pytest.raises(AmbiguousSubmit):
        _make(tmp_path, fake, request)
    record = journal_for(tmp_path / "project").get(request.job_id)
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert len(fake.submits()) == 1 and len(fake.jobs) == 1


def test_a_still_submitted_before_a_restart_is_collected_without_a_second_create(
    tmp_path: Path, fake: FakeFalImages
) -> None:
    request = _still()
    journal = journal_for(tmp_path / "project")
    add_job(journal, request)

    async def submit_then_stop() -> None:
        backend = _backend(tmp_path, fake)
        try:
            provider_id = await backend.submit(request)
            journal.update(request.job_id, phase=JobPhase.SUBMITTED, provider_job_id=provider_id)
        finally:
            await backend.aclose()

    asyncio.run(submit_then_stop())
    outcome = _make(tmp_path, fake, request, resumed=True)

    assert len(fake.submits()) == 1
    assert (tmp_path / "project" / outcome.take.media).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_still_the_content_checker_stops_is_blocked(tmp_path: Path, fake: FakeFalImages) -> None:
    request = _still(prompt="BLOCKME a harbour")
    with pytest.raises(ContentBlocked):
        _make(tmp_path, fake, request)
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.BLOCKED
