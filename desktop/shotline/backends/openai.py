"""OpenAI-compatible (Sora 2): placeholder until its adapter lands (issue 4)."""

from __future__ import annotations

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import BackendError
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo

INFO = BackendInfo(
    id="openai",
    name="OpenAI-compatible (Sora 2)",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="sora-2", label="sora-2"),),
    key_env_vars=("OPENAI_API_KEY",),
)


def _create(ctx: BackendContext) -> GenerationBackend:
    raise BackendError("OpenAI-compatible (Sora 2) is not available in this build yet.")


SPEC = BackendSpec(info=INFO, create=_create)
