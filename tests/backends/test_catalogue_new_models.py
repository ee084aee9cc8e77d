"""The models added to the shipped catalogue from the providers' own pages (December 2026): each is offered with the
lengths, capabilities and price its page states, every price dated and sourced, and none guessed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.catalogue import shipped
from shotline.backends.fal import FalBackend
from shotline.backends.replicate import ReplicateBackend
from shotline.backends.runway import RunwayBackend
from shotline.core.lengths import fit_length
from shotline.core.ports import GenerationBackend, JobPhase
from tests.backends.adapter_kit import cloud_request, generate, provider_context, quick_retries
from tests.backends.kit import request
from tests.fakes import fal as fake_fal
from tests.fakes import replicate as fake_replicate
from tests.fakes import runway as fake_runway
from tests.fakes.server import FakeServer

S = 1_000_000

NEW_MODELS = {
    "fal": [
        "kling-3-standard",
        "kling-3-pro",
        "kling-3-turbo-pro",
        "kling-o3-4k",
        "seedance-2",
        "seedance-2-fast",
        "hailuo-2.3-standard",
        "hailuo-2.3-pro",
        "veo3.1",
        "ltx-2.3",
        "ltx-2.3-fast",
        "wan-2.7",
    ],
    "runway": ["seedance2", "seedance2_fast", "seedance2_mini"],
    "replicate": ["kwaivgi/kling-v3-video", "minimax/hailuo-2.3", "luma/ray-3.2"],
}
UNPRICED = {"kling-3-pro", "seedance2_fast", "seedance2_mini", "kwaivgi/kling-v3-video", "minimax/hailuo-2.3"}
UNPRICED |= {"luma/ray-3.2", "wan-2.7"}
"""No first-party price was found for these (see the comments in their catalogue files): unknown, not a guess."""


@pytest.mark.parametrize(("backend", "model_id"), [(b, m) for b, ids in NEW_MODELS.items() for m in ids])
def test_each_new_model_is_offered_with_its_lengths_and_a_sourced_price_or_none(backend: str, model_id: str) -> None:
    entry = shipped().models(backend).entry(model_id)
    assert entry is not None, f"{backend} offers no {model_id}"
    assert not entry.info.retired
    assert entry.info.durations_us or entry.info.length_step_us, "a model says which lengths it makes"
    if model_id in UNPRICED:
        assert entry.price is None
    else:
        assert entry.price is not None
        assert entry.price.as_of == "2026-12-07" or (backend, entry.price.as_of) == ("runway", "2026-04-21")
        assert entry.price.source.startswith("https://")


def _estimate(backend: str, model_id: str, asked_us: int, **changes: object) -> tuple[int, Decimal]:
    """The length the model makes for a shot asking `asked_us`, and what the catalogue prices that request at."""
    entry = shipped().models(backend).entry(model_id)
    assert entry is not None and entry.price is not None
    made = fit_length(entry.info, asked_us).made_us
    sent = request(backend=backend, model=model_id, duration_us=made, **changes)
    return made, entry.price.cost(sent)


def test_the_new_prices_are_the_pages_own_figures_for_the_length_made() -> None:
    # Kling 3.0 Standard on fal: $0.084 a second silent, $0.126 with sound; 7.4 s is made as 7 s
    assert _estimate("fal", "kling-3-standard", 7_400_000, audio=False) == (7 * S, Decimal("0.588"))
    assert _estimate("fal", "kling-3-standard", 7_400_000, audio=True) == (7 * S, Decimal("0.882"))
    # Kling O3 4K on fal: $0.42 a second, sound or not
    assert _estimate("fal", "kling-o3-4k", 7_400_000, audio=True) == (7 * S, Decimal("2.94"))
    # Seedance 2.0 on fal: $0.3034 a second at 720p, sound or not; shorter than 4 s is made as 4 s
    assert _estimate("fal", "seedance-2", 2 * S, resolution="720p") == (4 * S, Decimal("1.2136"))
    # Hailuo 2.3 Standard is priced by the clip: $0.28 for 6 s, $0.56 for 10 s (not $0.28 × 10/6)
    assert _estimate("fal", "hailuo-2.3-standard", 9 * S) == (10 * S, Decimal("0.56"))
    assert _estimate("fal", "hailuo-2.3-pro", 3 * S) == (6 * S, Decimal("0.49"))
    # Veo 3.1 on fal: $0.40 with sound at 720p/1080p, $0.60 with sound at 4k, $0.40 silent at 4k
    assert _estimate("fal", "veo3.1", 8 * S, resolution="1080p", audio=True) == (8 * S, Decimal("3.20"))
    assert _estimate("fal", "veo3.1", 8 * S, resolution="4k", audio=True) == (8 * S, Decimal("4.80"))
    assert _estimate("fal", "veo3.1", 8 * S, resolution="4k", audio=False) == (8 * S, Decimal("3.20"))
    # LTX-2.3 on fal, by resolution: 7.4 s is made as 8 s
    assert _estimate("fal", "ltx-2.3", 7_400_000, resolution="2160p") == (8 * S, Decimal("2.56"))
    assert _estimate("fal", "ltx-2.3-fast", 19 * S, resolution="1080p") == (20 * S, Decimal("0.80"))
    # Seedance 2 on Runway: 36 credits a second at $0.01
    assert _estimate("runway", "seedance2", 12 * S) == (12 * S, Decimal("4.32"))


def test_the_models_served_on_a_single_resolution_offer_only_it() -> None:
    # fal prices Seedance 2.0 at 480p only through a token formula, so the catalogue offers the 720p it can price
    for model_id in ("seedance-2", "seedance-2-fast"):
        entry = shipped().models("fal").entry(model_id)
        assert entry is not None and entry.info.resolutions == ("720p",)
    # fal takes Veo 3.1's first and last frames on another endpoint than its image-to-video one
    veo = shipped().models("fal").entry("veo3.1")
    assert veo is not None and not veo.info.first_last_frame and veo.info.seed


# ---------------------------------------------------------------------------------------------- through the fakes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ASKED_US = 7_400_000
"""A shot's asked length that no new model makes exactly, so the test sees the fitted one sent."""


def _fal_sent(fake: FakeServer) -> dict[str, Any]:
    (submit,) = fake.calls_to("POST", r"/(fal-ai|bytedance)/.*")
    body: dict[str, Any] = submit.json()
    return body


def _runway_sent(fake: FakeServer) -> dict[str, Any]:
    (create,) = fake.calls_to("POST", r"/v1/(text_to_video|image_to_video)")
    body: dict[str, Any] = create.json()
    return body


def _replicate_sent(fake: FakeServer) -> dict[str, Any]:
    (create,) = fake.calls_to("POST", r"/v1/models/[^/]+/[^/]+/predictions")
    body: dict[str, Any] = create.json()["input"]
    return body


_PROVIDERS: dict[str, tuple[Callable[[], FakeServer], type, str, Callable[[FakeServer], dict[str, Any]]]] = {
    "fal": (fake_fal.FakeFal, FalBackend, fake_fal.KEY, _fal_sent),
    "runway": (fake_runway.FakeRunway, RunwayBackend, fake_runway.KEY, _runway_sent),
    "replicate": (fake_replicate.FakeReplicate, ReplicateBackend, fake_replicate.KEY, _replicate_sent),
}

# (backend, model, images): each new model once from text, and once from images where it takes them
THROUGH_FAKES = [(backend, model, "") for backend, ids in NEW_MODELS.items() for model in ids] + [
    ("fal", "seedance-2", "first+last"),
    ("fal", "hailuo-2.3-standard", "first"),
    ("fal", "veo3.1", "first"),
    ("fal", "wan-2.7", "first+last"),
    ("runway", "seedance2", "first+last"),
    ("replicate", "kwaivgi/kling-v3-video", "first"),
    ("replicate", "minimax/hailuo-2.3", "first"),
]
INTEGER_LENGTHS = {"ltx-2.3", "ltx-2.3-fast", "wan-2.7"}
"""fal endpoints that take the length as a whole number (5), where most take a string ("5")."""
IMAGE_FIELDS = {
    ("fal", "seedance-2"): {"image_url", "end_image_url"},
    ("fal", "hailuo-2.3-standard"): {"image_url"},
    ("fal", "veo3.1"): {"image_url"},
    ("fal", "wan-2.7"): {"image_url", "end_image_url"},
    ("runway", "seedance2"): {"promptImage"},
    ("replicate", "kwaivgi/kling-v3-video"): {"start_image"},
    ("replicate", "minimax/hailuo-2.3"): {"first_frame_image"},
}
"""Where each provider's schema takes the shot's first (and last) frame."""


@pytest.mark.ffmpeg
@pytest.mark.parametrize(("backend", "model_id", "images"), THROUGH_FAKES)
def test_each_new_model_builds_a_request_its_fake_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, model_id: str, images: str
) -> None:
    quick_retries(monkeypatch)
    make_fake, adapter, key, sent = _PROVIDERS[backend]
    entry = shipped().models(backend).entry(model_id)
    assert entry is not None
    info = entry.info
    made_us = fit_length(info, ASKED_US).made_us
    frames: dict[str, Any] = {}
    if images:
        for role in images.split("+"):
            path = tmp_path / f"{role}.png"
            path.write_bytes(PNG)
            frames[f"{role}_frame"] = str(path)
    shot = cloud_request(
        backend,
        model_id,
        duration_us=made_us,
        aspect=info.aspects[0],
        resolution=info.resolutions[0] if info.resolutions else "",
        audio=info.audio,
        **frames,
    )
    with make_fake() as fake:
        backend_under_test: GenerationBackend = adapter(provider_context(tmp_path, backend, fake.url, key=key))
        _, journal = generate(backend_under_test, shot, tmp_path / "project")
        body = sent(fake)
    assert journal.get(shot.job_id).phase is JobPhase.DOWNLOADED
    seconds = made_us // S
    expected: Any = {"fal": str(seconds), "runway": seconds, "replicate": seconds}[backend]
    if model_id == "veo3.1":
        expected = f"{seconds}s"
    if model_id in INTEGER_LENGTHS:
        expected = seconds
    if model_id == "hailuo-2.3-pro":
        expected = None
    # the length sent is the one fit_length made (Hailuo 2.3 Pro's endpoint takes none: it makes 6 s only)
    assert body.get("duration") == expected
    if images:
        assert IMAGE_FIELDS[backend, model_id] <= set(body), f"the frames go in {IMAGE_FIELDS[backend, model_id]}"
