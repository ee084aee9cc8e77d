"""Stills carry the cast as clips do (core.references): a shot mentioning three cast members sends each model
exactly the pictures it takes, in its provider's own fields, and the rest in words — checked against what each fake
provider received."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core.model import CastKind, GenerationSettings, Size
from shotline.services.cast import add_member
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.session import ProjectSession
from shotline.services.stills import StillsService
from shotline.storage.secrets import MemorySecretStore
from tests.fakes.fal import KEY as FAL_KEY
from tests.fakes.fal_images import FakeFalImages
from tests.fakes.openai import KEY as OPENAI_KEY
from tests.fakes.openai import png
from tests.fakes.openai_images import FakeOpenAIImages

pytestmark = pytest.mark.ffmpeg

CAST = (
    ("Mara", CastKind.CHARACTER, "a tall keeper in a yellow oilskin", (200, 40, 40)),
    ("Tom", CastKind.CHARACTER, "a boy with a red scarf", (40, 200, 40)),
    ("Pier", CastKind.PLACE, "a long wooden pier in fog", (40, 40, 200)),
)


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeOpenAIImages, FakeFalImages]]:
    with FakeOpenAIImages() as openai, FakeFalImages(queue_polls=1, run_polls=1) as fal:
        monkeypatch.setenv("SHOTLINE_OPENAI_BASE_URL", openai.api_url)
        monkeypatch.setenv("SHOTLINE_FAL_BASE_URL", fal.url)
        monkeypatch.setenv("SHOTLINE_POLL_SECONDS", "0.01")
        yield openai, fal


@pytest.fixture
def ctx(fakes: tuple[FakeOpenAIImages, FakeFalImages]) -> Iterator[AppContext]:
    keys = MemorySecretStore()
    keys.set("openai", OPENAI_KEY)
    keys.set("fal", FAL_KEY)
    with open_context(secrets=keys) as context:  # after the fakes: it reads their addresses
        yield context


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as opened:
        for name, kind, description, colour in CAST:
            picture = tmp_path / f"{name.lower()}.png"
            picture.write_bytes(png(32, 32, colour))
            add_member(opened, name, kind, description, [picture])
        settings = GenerationSettings(backend="animatic", model="card", duration_us=3_000_000)
        add_shot(opened, "@Mara waves to @Tom from the end of @Pier", generation=settings)
        yield opened


def _make(ctx: AppContext, session: ProjectSession, backend: str, model: str) -> None:
    service = StillsService(ctx, session)
    for job in service.make(service.plan(session.project.shots[0].id, 1, backend=backend, model=model)):
        service.land(job)


def _colours(session: ProjectSession) -> list[bytes]:
    return [(session.bundle.path / member.images[0]).read_bytes() for member in session.project.cast]


def test_gpt_image_takes_all_three_pictures_as_its_image_array(
    ctx: AppContext, session: ProjectSession, fakes: tuple[FakeOpenAIImages, FakeFalImages]
) -> None:
    openai, _ = fakes
    _make(ctx, session, "openai", "gpt-image-1")

    (create,) = openai.calls_to("POST", r"/v1/images/edits")
    (sent,) = openai.generated
    assert create.body.count(b'name="image[]"') == 3
    assert all(picture in create.body for picture in _colours(session)), "each member's own picture, in order"
    assert sent["prompt"] == "Mara waves to Tom from the end of Pier"


def test_seedream_takes_the_three_pictures_inline_and_flux_gets_them_in_words(
    ctx: AppContext, session: ProjectSession, fakes: tuple[FakeOpenAIImages, FakeFalImages]
) -> None:
    _, fal = fakes
    _make(ctx, session, "fal", "seedream-4")
    _make(ctx, session, "fal", "flux-dev")

    seedream, flux = (call.json() for call in fal.submits())
    sent = [base64.b64decode(url.split(",", 1)[1]) for url in seedream["image_urls"]]
    assert sent == _colours(session)
    assert seedream["prompt"] == "Mara waves to Tom from the end of Pier"
    assert "image_urls" not in flux
    assert flux["prompt"] == (
        "Mara waves to Tom from the end of Pier. Mara: a tall keeper in a yellow oilskin. "
        "Tom: a boy with a red scarf. Pier: a long wooden pier in fog."
    )
