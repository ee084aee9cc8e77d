"""Runway's stills (text_to_image, Gen-4 Image) through the runway backend as the registry builds it, against the
fake the SDK proves, driven by the real job code and journal: tagged references, credits billed, never paying twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.backends.runway_images import runway_tag
from shotline.core.errors import AmbiguousSubmit, ContentBlocked, InputRejected
from shotline.core.model import Size
from shotline.core.ports import GenerationBackend, GenerationRequest, JobPhase, MediaKind
from shotline.jobs.generation import UNCERTAIN_MESSAGE, GenerationOutcome, run_generation
from shotline.media.intake import still_info
from tests.backends.adapter_kit import add_job, cloud_request, journal_for, provider_context
from tests.fakes.openai import png
from tests.fakes.runway import KEY
from tests.fakes.runway_images import FakeRunwayImages

CREATE = r"/v1/text_to_image"


@pytest.fixture
def fake() -> Iterator[FakeRunwayImages]:
    with FakeRunwayImages() as server:
        yield server


def _still(**changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"duration_us": 0, "audio": False, "kind": MediaKind.IMAGE, "resolution": "1080p"}
    return cloud_request("runway", "gen4_image", **{**fields, **changes})


def _make(tmp_path: Path, fake: FakeRunwayImages, request: GenerationRequest) -> GenerationOutcome:
    project = tmp_path / "project"
    journal = journal_for(project)
    record = add_job(journal, request)

    async def scenario() -> GenerationOutcome:
        context = provider_context(tmp_path, "runway", fake.url, key=KEY)
        backend: GenerationBackend = BackendRegistry(BUILTIN_SPECS, discover=False).create("runway", context)
        try:
            return await run_generation(
                record, backend=backend, journal=journal, probe=still_info, project_dir=project, poll_seconds=0.01
            )
        finally:
            await backend.aclose()

    return asyncio.run(scenario())


def _pictures(tmp_path: Path, *names: str) -> tuple[str, ...]:
    paths = []
    for name in names:
        path = tmp_path / f"{name.replace(' ', '_')}.png"
        path.write_bytes(png(20, 20))
        paths.append(str(path))
    return tuple(paths)


def test_the_cast_goes_as_tagged_references_the_prompt_names(tmp_path: Path, fake: FakeRunwayImages) -> None:
    request = _still(
        prompt="@Mara waves to @Old Tom from the end of @Al's pier",
        aspect="9:16",
        reference_images=_pictures(tmp_path, "own", "mara", "old tom"),
        reference_tags=("@", "@Mara", "@Old Tom"),
        seed=9,
    )
    outcome = _make(tmp_path, fake, request)

    assert outcome.still and outcome.take.info.size == Size(1080, 1920)
    (sent,) = fake.stills
    assert sent["promptText"] == "@Mara waves to @Old_Tom from the end of @Al's pier"
    assert [reference.get("tag") for reference in sent["referenceImages"]] == [None, "Mara", "Old_Tom"]
    assert (sent["model"], sent["ratio"], sent["seed"]) == ("gen4_image", "1080:1920", 9)
    record = journal_for(tmp_path / "project").get(outcome.job_id)
    assert record.billed_cost == Decimal("0.08") and record.provider_job_id.startswith("still:")


@pytest.mark.parametrize(
    ("tag", "sent"),
    [("@Mara", "Mara"), ("@Old Tom", "Old_Tom"), ("@Al", "Al_"), ("@3rd", "R3rd"), ("@Émile", "R_mile")],
)
def test_a_name_is_made_a_tag_runway_takes(tag: str, sent: str) -> None:
    assert runway_tag(tag) == sent


def test_a_lost_create_answer_is_uncertain_and_never_sent_again(tmp_path: Path, fake: FakeRunwayImages) -> None:
    fake.inject("POST", CREATE, kind="drop", after_handler=True)
    request = _still()
    with pytest.raises(AmbiguousSubmit):
        _make(tmp_path, fake, request)
    record = journal_for(tmp_path / "project").get(request.job_id)
    assert record.phase is JobPhase.UNCERTAIN and record.message == UNCERTAIN_MESSAGE
    assert len(fake.calls_to("POST", CREATE)) == 1 and len(fake.tasks) == 1


def test_a_still_runway_moderates_is_blocked(tmp_path: Path, fake: FakeRunwayImages) -> None:
    request = _still(prompt="BLOCKME at the pier")
    with pytest.raises(ContentBlocked):
        _make(tmp_path, fake, request)
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.BLOCKED


def test_more_than_three_references_are_refused_before_sending(tmp_path: Path, fake: FakeRunwayImages) -> None:
    with pytest.raises(InputRejected, match="at most 3 reference pictures"):
        _make(tmp_path, fake, _still(reference_images=_pictures(tmp_path, "a", "b", "c", "d")))
    assert fake.calls_to("POST", CREATE) == []
