"""Stills carry the cast as clips do (core.references): a shot mentioning three cast members sends each still model
of every backend exactly the pictures it takes, in its provider's own fields and tags, and the rest in words —
checked against what each fake provider received."""

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
from tests.fakes.google import KEY as GOOGLE_KEY
from tests.fakes.google_images import FakeGoogleImages
from tests.fakes.openai import KEY as OPENAI_KEY
from tests.fakes.openai import png
from tests.fakes.openai_images import FakeOpenAIImages
from tests.fakes.replicate import KEY as REPLICATE_KEY
from tests.fakes.replicate_images import FakeReplicateImages
from tests.fakes.runway import KEY as RUNWAY_KEY
from tests.fakes.runway_images import FakeRunwayImages

pytestmark = pytest.mark.ffmpeg

CAST = (
    ("Mara", CastKind.CHARACTER, "a tall keeper in a yellow oilskin", (200, 40, 40)),
    ("Tom", CastKind.CHARACTER, "a boy with a red scarf", (40, 200, 40)),
    ("Pier", CastKind.PLACE, "a long wooden pier in fog", (40, 40, 200)),
)


class Fakes:
    def __init__(self) -> None:
        self.openai = FakeOpenAIImages()
        self.fal = FakeFalImages(queue_polls=1, run_polls=1)
        self.runway = FakeRunwayImages()
        self.google = FakeGoogleImages()
        self.replicate = FakeReplicateImages()
        self.replicate.processing_reads = 1


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fakes]:
    made = Fakes()
    with made.openai, made.fal, made.runway, made.google, made.replicate:
        monkeypatch.setenv("SHOTLINE_OPENAI_BASE_URL", made.openai.api_url)
        for backend in ("fal", "runway", "google", "replicate"):
            monkeypatch.setenv(f"SHOTLINE_{backend.upper()}_BASE_URL", getattr(made, backend).url)
        monkeypatch.setenv("SHOTLINE_POLL_SECONDS", "0.01")
        yield made


@pytest.fixture
def ctx(fakes: Fakes) -> Iterator[AppContext]:
    keys = MemorySecretStore()
    for backend, key in (
        ("openai", OPENAI_KEY),
        ("fal", FAL_KEY),
        ("runway", RUNWAY_KEY),
        ("google", GOOGLE_KEY),
        ("replicate", REPLICATE_KEY),
    ):
        keys.set(backend, key)
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
    ctx: AppContext, session: ProjectSession, fakes: Fakes
) -> None:
    openai = fakes.openai
    _make(ctx, session, "openai", "gpt-image-1")

    (create,) = openai.calls_to("POST", r"/v1/images/edits")
    (sent,) = openai.generated
    assert create.body.count(b'name="image[]"') == 3
    assert all(picture in create.body for picture in _colours(session)), "each member's own picture, in order"
    assert sent["prompt"] == "Mara waves to Tom from the end of Pier"


def test_seedream_takes_the_three_pictures_inline_and_flux_gets_them_in_words(
    ctx: AppContext, session: ProjectSession, fakes: Fakes
) -> None:
    fal = fakes.fal
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


def test_gen4_image_takes_the_three_as_references_tagged_by_name(
    ctx: AppContext, session: ProjectSession, fakes: Fakes
) -> None:
    _make(ctx, session, "runway", "gen4_image")

    (sent,) = fakes.runway.stills
    assert [reference["tag"] for reference in sent["referenceImages"]] == ["Mara", "Tom", "Pier"]
    assert [base64.b64decode(r["uri"].split(",", 1)[1]) for r in sent["referenceImages"]] == _colours(session)
    assert sent["promptText"] == "@Mara waves to @Tom from the end of @Pier"


def test_gemini_flash_image_takes_the_three_pictures_as_inline_parts(
    ctx: AppContext, session: ProjectSession, fakes: Fakes
) -> None:
    _make(ctx, session, "google", "gemini-2.5-flash-image")

    (sent,) = fakes.google.generated
    assert [mime for mime, _ in sent["pictures"]] == ["image/png"] * 3
    assert sent["prompt"] == "Mara waves to Tom from the end of Pier"


def test_replicate_seedream_takes_the_three_and_imagen_gets_them_in_words(
    ctx: AppContext, session: ProjectSession, fakes: Fakes
) -> None:
    _make(ctx, session, "replicate", "bytedance/seedream-4")
    _make(ctx, session, "replicate", "google/imagen-4")

    seedream, imagen = (call.json()["input"] for call in fakes.replicate.create_calls())
    sent = [base64.b64decode(uri.split(",", 1)[1]) for uri in seedream["image_input"]]
    assert sent == _colours(session)
    assert "image_input" not in imagen
    assert imagen["prompt"].startswith("Mara waves to Tom from the end of Pier. Mara: a tall keeper")
