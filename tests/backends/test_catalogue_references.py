"""What each model takes of a cast, declared in the catalogue: reference slots (how many, how the prompt names them,
for which kinds) and whether they go beside a first frame; the shipped entries as the providers' SDKs and API
references say."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from shotline.backends.catalogue import Catalogue, shipped
from shotline.core.model import CastKind

TAGGED = """
[models.refs]
label = "Refs"
reference_images = 4
reference_tag = "@Image{number}"
reference_kinds = ["character", "prop"]
references_with_frames = false

[models.plain]
label = "Plain"

[models.badtag]
label = "Bad tag"
reference_tag = "<REF_{slot}>"

[models.badkind]
label = "Bad kind"
reference_kinds = ["hero"]
"""


def test_a_model_declares_its_reference_slots_tag_and_kinds(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "cloudy.toml").write_text(TAGGED, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="shotline.backends.catalogue"):
        models = Catalogue.load([tmp_path]).models("cloudy")
    refs, plain = (model.info for model in models.models)
    assert (refs.reference_images, refs.reference_tag, refs.references_with_frames) == (4, "@Image{number}", False)
    assert refs.reference_kinds == (CastKind.CHARACTER, CastKind.PROP)
    # text only unless it says otherwise: no slots, every kind, references beside frames where it has both
    assert (plain.reference_images, plain.reference_tag, plain.references_with_frames) == (0, "", True)
    assert plain.reference_kinds == tuple(CastKind)
    assert "badtag" in caplog.text and "badkind" in caplog.text


@pytest.mark.parametrize(
    ("backend", "model", "slots", "tag", "kinds", "with_frames"),
    [
        # google-genai: Gemini Omni's reference_to_video task; images bound by <IMAGE_REF_n> tags in the prompt
        ("google", "gemini-omni-1.2-flash", 3, "<IMAGE_REF_{index}>", tuple(CastKind), True),
        # runwayml SDK: text_to_video Seedance2Reference {uri} (up to 9); image_to_video cannot mix the two modes
        ("runway", "seedance2", 9, "", tuple(CastKind), False),
        ("runway", "gen4.5", 0, "", tuple(CastKind), True),
        # fal's bytedance/seedance-2.0/reference-to-video: image_urls, named @Image1…, no frame fields
        ("fal", "seedance-2", 9, "@Image{number}", tuple(CastKind), False),
        ("fal", "kling-3-standard", 0, "", tuple(CastKind), True),
        # fal's fal-ai/veo3.1/reference-to-video: image_urls; google-genai: Veo's ASSET references, no frames beside
        ("fal", "veo3.1", 3, "", (CastKind.CHARACTER, CastKind.PLACE, CastKind.PROP), False),
        # Replicate minimax/video-01: subject_reference, one character
        ("replicate", "minimax/video-01", 1, "", (CastKind.CHARACTER,), True),
        # lumaai SDK: keyframes frame0/frame1 only; openai SDK: input_reference is the first frame
        ("luma", "ray-2", 0, "", tuple(CastKind), True),
        ("openai", "sora-2", 0, "", tuple(CastKind), True),
        ("comfyui", "workflow", 4, "", tuple(CastKind), True),
    ],
)
def test_the_shipped_models_declare_what_their_providers_take(
    backend: str, model: str, slots: int, tag: str, kinds: tuple[CastKind, ...], with_frames: bool
) -> None:
    entry = shipped().models(backend).entry(model)
    assert entry is not None
    info = entry.info
    assert (info.reference_images, info.reference_tag, info.reference_kinds, info.references_with_frames) == (
        slots,
        tag,
        kinds,
        with_frames,
    )
