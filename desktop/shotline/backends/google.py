"""Google Gemini: placeholder until its adapter lands (issue 4); replaced wholesale by the adapter module."""

from __future__ import annotations

from shotline.backends.registry import BackendContext, BackendSpec
from shotline.core.errors import BackendError
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend, ModelInfo

INFO = BackendInfo(
    id="google",
    name="Google Gemini",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="gemini-omni-1.2-flash", label="gemini-omni-1.2-flash"),),
    key_env_vars=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
)


def _create(ctx: BackendContext) -> GenerationBackend:
    raise BackendError("Google Gemini is not available in this build yet.")


SPEC = BackendSpec(info=INFO, create=_create)
