"""ComfyUI (local): placeholder until its adapter lands (issue 4); replaced wholesale by the adapter module."""

from __future__ import annotations

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import BackendError
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo

INFO = BackendInfo(
    id="comfyui",
    name="ComfyUI (local)",
    kind=BackendKind.LOCAL,
    models=(ModelInfo(id="workflow", label="workflow"),),
    key_env_vars=(),
)


def _create(ctx: BackendContext) -> GenerationBackend:
    raise BackendError("ComfyUI (local) is not available in this build yet.")


SPEC = BackendSpec(info=INFO, create=_create)
