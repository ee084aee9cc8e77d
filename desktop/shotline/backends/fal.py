"""fal.ai: placeholder until its adapter lands (issue 4); replaced wholesale by the adapter module."""

from __future__ import annotations

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import BackendError
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo

INFO = BackendInfo(
    id="fal",
    name="fal.ai",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="fal-ai/kling-video", label="fal-ai/kling-video"),),
    key_env_vars=("FAL_KEY",),
)


def _create(ctx: BackendContext) -> GenerationBackend:
    raise BackendError("fal.ai is not available in this build yet.")


SPEC = BackendSpec(info=INFO, create=_create)
