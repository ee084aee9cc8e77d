"""The backends that ship with Shotline, in the order the window lists them (the offline animatic first)."""

from __future__ import annotations

from shotline.backends import (
    animatic,
    comfyui,
    fal,
    fal_images,
    google,
    google_images,
    luma,
    openai,
    openai_images,
    replicate,
    replicate_images,
    runway,
    runway_images,
)
from shotline.backends.registry import BackendSpec
from shotline.backends.stills import with_stills

BUILTIN_SPECS: tuple[BackendSpec, ...] = (
    animatic.SPEC,
    with_stills(runway.SPEC, runway_images.RunwayImages),
    with_stills(google.SPEC, google_images.GoogleImages),
    with_stills(openai.SPEC, openai_images.OpenAIImages),
    luma.SPEC,
    with_stills(fal.SPEC, fal_images.FalImages),
    with_stills(replicate.SPEC, replicate_images.ReplicateImages),
    comfyui.SPEC,
)
