"""Luma Dream Machine: placeholder until its adapter lands (issue 4); replaced wholesale by the adapter module."""

from __future__ import annotations

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import BackendError
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo

INFO = BackendInfo(
    id="luma",
    name="Luma Dream Machine",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="ray-2", label="ray-2"),),
    key_env_vars=("LUMAAI_API_KEY",),
)


def _create(ctx: BackendContext) -> GenerationBackend:
    raise BackendError("Luma Dream Machine is not available in this build yet.")


SPEC = BackendSpec(info=INFO, create=_create)
