"""The models added to the shipped catalogue from the providers' own pages (December 2026): each is offered with the
lengths, capabilities and price its page states, every price dated and sourced, and none guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shotline.backends.catalogue import shipped
from shotline.core.lengths import fit_length
from tests.backends.kit import request

S = 1_000_000

NEW_MODELS = {
    "fal": [
        "kling-3-standard",
        "kling-3-pro",
        "seedance-2",
        "seedance-2-fast",
        "hailuo-2.3-standard",
        "hailuo-2.3-pro",
        "veo3.1",
    ],
    "runway": ["seedance2", "seedance2_fast", "seedance2_mini"],
    "replicate": ["kwaivgi/kling-v3-video", "minimax/hailuo-2.3", "luma/ray-3.2"],
}
UNPRICED = {"kling-3-pro", "seedance2_fast", "seedance2_mini", "kwaivgi/kling-v3-video", "minimax/hailuo-2.3"}
UNPRICED |= {"luma/ray-3.2"}
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
    # Seedance 2.0 on fal: $0.3034 a second at 720p, sound or not; shorter than 4 s is made as 4 s
    assert _estimate("fal", "seedance-2", 2 * S, resolution="720p") == (4 * S, Decimal("1.2136"))
    # Hailuo 2.3 Standard is priced by the clip: $0.28 for 6 s, $0.56 for 10 s (not $0.28 × 10/6)
    assert _estimate("fal", "hailuo-2.3-standard", 9 * S) == (10 * S, Decimal("0.56"))
    assert _estimate("fal", "hailuo-2.3-pro", 3 * S) == (6 * S, Decimal("0.49"))
    # Veo 3.1 on fal: $0.40 with sound at 720p/1080p, $0.60 with sound at 4k, $0.40 silent at 4k
    assert _estimate("fal", "veo3.1", 8 * S, resolution="1080p", audio=True) == (8 * S, Decimal("3.20"))
    assert _estimate("fal", "veo3.1", 8 * S, resolution="4k", audio=True) == (8 * S, Decimal("4.80"))
    assert _estimate("fal", "veo3.1", 8 * S, resolution="4k", audio=False) == (8 * S, Decimal("3.20"))
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
