"""Replicate's stills through the replicate backend as the registry builds it, against the fake the SDK proves,
driven by the real job code and journal: what is sent, a lost create found and never made twice, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.errors import ContentBlocked, InputRejected
from shotline.core.model import Size
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import GenerationOutcome, run_generation
from shotline.media.intake import still_info
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.openai import png
from tests.fakes.replicate import KEY
from tests.fakes.replicate_images import FakeReplicateImages

SCHNELL = "black-forest-labs/flux-schnell"


@pytest.fixture
def fake() -> Iterator[FakeReplicateImages]:
    with FakeReplicateImages() as server:
        server.processing_reads = 1
        yield server  # type: ignore[misc]


def _still(model: str = SCHNELL, **changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "audio": False, "kind": MediaKind.IMAGE}
    return cloud_request("replicate", model, **{**fields, **changes})


def _make(tmp_path: Path, fake: FakeReplicateImages, request: GenerationRequest, **settings: Any) -> GenerationOutcome:
    project = tmp_path / "project"
    journal = journal_for(project)
    record = add_job(journal, request)

    async def scenario() -> GenerationOutcome:
        context = provider_context(tmp_path, "replicate", fake.url, key=KEY, **settings)
        backend: GenerationBackend = BackendRegistry(BUILTIN_SPECS, discover=False).create("replicate", context)
        try:
            return await run_generation(
                record, backend=backend, journal=journal, probe=still_info, project_dir=project, poll_seconds=0.01
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def test_a_flux_schnell_still_is_one_picture_of_the_shots_aspect(tmp_path: Path, fake: FakeReplicateImages) -> None:
    outcome = _make(tmp_path, fake, _still(aspect="9:16", seed=5))

    assert outcome.still and outcome.take.media == f"media/{outcome.job_id}.png"
    assert outcome.take.info.size == Size(576, 1024)
    (create,) = fake.calls_to("POST", rf"/v1/models/{SCHNELL}/predictions")
    assert create.json() == {
        "input": {
            "prompt": "A lighthouse at dawn, waves breaking on the rocks",
            "output_format": "png",
            "aspect_ratio": "9:16",
            "seed": 5,
            "num_outputs": 1,
        }
    }


def test_seedream_takes_the_pictures_as_its_image_input_list(tmp_path: Path, fake: FakeReplicateImages) -> None:
    pictures = []
    for name in ("mara", "tom", "pier"):
        path = tmp_path / f"{name}.png"
        path.write_bytes(png(24, 24))
        pictures.append(str(path))
    _make(tmp_path, fake, _still("bytedance/seedream-4", reference_images=tuple(pictures)))

    (create,) = fake.calls_to("POST", r"/v1/models/bytedance/seedream-4/predictions")
    sent = create.json()["input"]
    assert len(sent["image_input"]) == 3 and all(
        item.startswith("data:image/png;base64,") for item in sent["image_input"]
    )
    assert sent["max_images"] == 1


def test_a_create_whose_answer_was_lost_is_found_and_made_once(tmp_path: Path, fake: FakeReplicateImages) -> None:
    fake.inject("POST", rf"/v1/models/{SCHNELL}/predictions", kind="drop", after_handler=True)
    outcome = _make(tmp_path, fake, _still())

    assert fake.creates() == 1 and len(fake.predictions) == 1
    record = journal_for(tmp_path / "project").get(outcome.job_id)
    assert record.provider_job_id == "still:" + next(iter(fake.predictions))
    assert record.phase is JobPhase.DOWNLOADED


def test_a_still_replicate_flags_is_blocked(tmp_path: Path, fake: FakeReplicateImages) -> None:
    request = _still("google/imagen-4", prompt="BLOCKME a harbour")
    with pytest.raises(ContentBlocked):
        _make(tmp_path, fake, request)
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.BLOCKED


def test_a_model_that_takes_no_pictures_is_refused_before_sending(tmp_path: Path, fake: FakeReplicateImages) -> None:
    path = tmp_path / "mara.png"
    path.write_bytes(png(24, 24))
    with pytest.raises(InputRejected, match="takes no reference image"):
        _make(tmp_path, fake, _still(reference_images=(str(path),)))
    assert fake.creates() == 0
