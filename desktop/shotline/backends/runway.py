"""Runway: placeholder until its adapter lands (issue 4); replaced wholesale by the adapter module."""

from __future__ import annotations

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import BackendError
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo

INFO = BackendInfo(
    id="runway",
    name="Runway",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="gen4.5", label="gen4.5"),),
    key_env_vars=("RUNWAYML_API_SECRET",),
)


def _create(ctx: BackendContext) -> GenerationBackend:
    raise BackendError("Runway is not available in this build yet.")


SPEC = BackendSpec(info=INFO, create=_create)
