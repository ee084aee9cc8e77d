"""A model the creator adds in the catalogue folder of their config is offered, fitted, priced and sent like a shipped
one, with no change to Shotline's code: here a fal endpoint the shipped catalogue does not name, through the app's
own composition (open_context) and the fake fal queue."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.core.model import GenerationSettings, Project, Shot
from shotline.services.context import open_context
from shotline.services.generation import build_request
from shotline.services.shots import estimate
from shotline.storage.secrets import MemorySecretStore
from tests.backends.adapter_kit import generate, provider_context, quick_retries
from tests.fakes.fal import KEY, FakeFal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

MY_MODEL = """
as_of = "2026-12-01"
source = "https://fal.ai/models/someone/video-app (read by me)"

[models."my-app"]
label = "My video app"
lengths = [3, 6]
fit = "at_least"
aspects = ["16:9", "9:16"]
image_to_video = true
price = { per_second = "0.05" }

[models."my-app".route]
text = "someone/video-app/v2/generate"
image = "someone/video-app/v2/generate"
image_field = "start_image_url"
image_aspect = false
duration = "integer"
"""


@pytest.mark.ffmpeg
def test_a_model_from_the_config_folder_generates_against_the_fake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_retries(monkeypatch)
    config = tmp_path / "config"
    (config / "catalogue").mkdir(parents=True)
    (config / "catalogue" / "fal.toml").write_text(MY_MODEL, encoding="utf-8")
    monkeypatch.setenv("SHOTLINE_CONFIG_DIR", str(config))
    secrets = MemorySecretStore()
    secrets.set("fal", KEY)
    shot = Shot(
        id="s1",
        prompt="A kite over the dunes",
        generation=GenerationSettings(backend="fal", model="my-app", duration_us=4_200_000),
    )
    project = Project(id="p", title="Kites", shots=(shot,))

    with FakeFal() as fake, open_context(secrets=secrets) as ctx:
        monkeypatch.setenv("SHOTLINE_FAL_BASE_URL", fake.url)
        info = ctx.registry.info("fal")
        assert info.model("my-app") is not None and info.model("kling-2.1-master") is not None, "added, none lost"
        request = build_request(ctx, project, shot)
        # 4.2 s asked of a model that makes 3 or 6 s and holds the whole shot: 6 s is made, priced and sent
        assert request.duration_us == 6_000_000
        assert ctx.registry.estimate(request) == Decimal("0.30") == estimate(ctx.registry, project, shot)
        price = ctx.registry.price(request)
        assert price is not None and price.as_of == "2026-12-01"

        outcome, journal = generate(ctx.backend("fal"), request, tmp_path / "project")

        (submit,) = fake.submits()
        assert submit.path == "/someone/video-app/v2/generate"
        assert submit.json() == {"prompt": "A kite over the dunes", "duration": 6, "aspect_ratio": "16:9"}
        assert outcome.take.info.has_video
        journal.close()

        first = tmp_path / "first.png"
        first.write_bytes(PNG)
        # a backend made by the app's registry gets the app's catalogue, the creator's entries with it
        again = ctx.registry.create("fal", provider_context(tmp_path / "again", "fal", fake.url, key=KEY))
        _, second = generate(again, replace(request, job_id="second", first_frame=str(first)), tmp_path / "second")
        second.close()
        sent = fake.submits()[-1].json()
        assert sent["start_image_url"].startswith("data:image/png;base64,") and "image_url" not in sent
        assert "aspect_ratio" not in sent, "its image endpoint follows the picture's shape"
