"""The backends that ship with Shotline, in the order the window lists them (the offline animatic first)."""

from __future__ import annotations

from shotline.backends import animatic, comfyui, fal, google, luma, openai, replicate, runway
from shotline.backends.registry import BackendSpec

BUILTIN_SPECS: tuple[BackendSpec, ...] = (
    animatic.SPEC,
    runway.SPEC,
    google.SPEC,
    openai.SPEC,
    luma.SPEC,
    fal.SPEC,
    replicate.SPEC,
    comfyui.SPEC,
)
