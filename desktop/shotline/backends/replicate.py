"""Replicate: placeholder until its adapter lands (issue 4); replaced wholesale by the adapter module."""

from __future__ import annotations

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import BackendError
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo

INFO = BackendInfo(
    id="replicate",
    name="Replicate",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="minimax/video-01", label="minimax/video-01"),),
    key_env_vars=("REPLICATE_API_TOKEN",),
)


def _create(ctx: BackendContext) -> GenerationBackend:
    raise BackendError("Replicate is not available in this build yet.")


SPEC = BackendSpec(info=INFO, create=_create)
