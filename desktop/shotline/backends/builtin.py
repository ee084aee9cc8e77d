"""The backends that ship with Shotline, in the order the window lists them (the offline animatic first).

Each is described here, and its adapter is imported only when a backend object is made (to generate, cancel or test
a key): the adapters, and httpx with them, were most of a command's start-up time, while `info`, `add`, `budget` or
the window's model menus only read what a backend offers.
"""

from __future__ import annotations

from shotline.backends.catalogue import shipped_models, shipped_music, shipped_stills, shipped_voices
from shotline.backends.music import with_music
from shotline.backends.registry import BackendContext, BackendSpec
from shotline.backends.stills import with_stills
from shotline.backends.voices import with_voices
from shotline.core.ports import BackendInfo, BackendKind, GenerationBackend

ANIMATIC = BackendInfo(
    id="animatic",
    name="Animatic (offline)",
    kind=BackendKind.OFFLINE,
    poll_seconds=0.1,
    models=shipped_models("animatic"),
    still_models=shipped_stills("animatic"),
    voice_models=shipped_voices("animatic"),
    music_models=shipped_music("animatic"),
    max_concurrency=2,
    description="Renders each shot as a timed title card of its prompt, and speaks its lines with this computer's "
    "own voices, on this computer. Free, needs no key.",
)


RUNWAY = BackendInfo(
    id="runway",
    name="Runway",
    kind=BackendKind.CLOUD,
    models=shipped_models("runway"),
    still_models=shipped_stills("runway"),
    key_env_vars=("RUNWAYML_API_SECRET",),
    # Runway's first tier runs one or two tasks per model at once; more are THROTTLED (queued) by Runway itself.
    max_concurrency=2,
    description="Runway's video models (Gen-4.5, Veo 3.1, Gemini Omni) in the cloud; needs a Runway API key.",
)


GOOGLE = BackendInfo(
    id="google",
    name="Google Gemini",
    kind=BackendKind.CLOUD,
    models=shipped_models("google"),
    still_models=shipped_stills("google"),
    voice_models=shipped_voices("google"),
    key_env_vars=("GOOGLE_API_KEY", "GEMINI_API_KEY"),  # the SDK's order: GOOGLE_API_KEY wins when both are set
    max_concurrency=4,
    description="Google's Gemini Omni video models, with sound, through the Gemini API; needs a Gemini API key "
    "on an account with billing.",
)


OPENAI = BackendInfo(
    id="openai",
    name="OpenAI-compatible (Sora 2)",
    kind=BackendKind.CLOUD,
    models=shipped_models("openai"),
    still_models=shipped_stills("openai"),
    voice_models=shipped_voices("openai"),
    key_env_vars=("OPENAI_API_KEY",),
    # per-tier request limits are generous, but each job renders for minutes on the provider's side
    max_concurrency=4,
    description=(
        "Sora 2 clips with sound from OpenAI's Videos API through an OpenAI-compatible gateway "
        "(api.openai.com closed it on 24 September 2026)."
    ),
)


LUMA = BackendInfo(
    id="luma",
    name="Luma Dream Machine",
    kind=BackendKind.CLOUD,
    models=shipped_models("luma"),
    key_env_vars=("LUMAAI_API_KEY",),
    max_concurrency=4,
    description="Luma's Ray 2 video models: 5 or 9 second clips in seven aspect ratios, up to 4K, with loops.",
)


LUMA_AGENTS = BackendInfo(
    id="luma_agents",
    name="Luma Agents",
    kind=BackendKind.CLOUD,
    models=shipped_models("luma_agents"),
    # Luma serves Ray 3.2 only on its Agents API, whose keys (luma-api-…) the Dream Machine API does not take
    key_env_vars=("LUMA_AGENTS_API_KEY",),
    # Luma's error guide names a concurrency limit (429) without a number; two at once stays clear of it
    max_concurrency=2,
    description="Luma's Ray 3.2: 5 or 10 second clips up to 1080p, from a prompt or a start and end picture; "
    "needs a Luma Agents API key.",
)


FAL = BackendInfo(
    id="fal",
    name="fal.ai",
    kind=BackendKind.CLOUD,
    models=shipped_models("fal"),
    still_models=shipped_stills("fal"),
    music_models=shipped_music("fal"),
    key_env_vars=("FAL_KEY",),
    # fal queues what is over an account's limit (2 running at first, more with purchases) rather than refusing it
    max_concurrency=4,
    description="Runs your shots on fal.ai's hosted video models (Kling, Hailuo, Wan, Seedance, Veo, LTX or any "
    "fal endpoint); needs a fal.ai key and bills your fal account.",
)


REPLICATE = BackendInfo(
    id="replicate",
    name="Replicate",
    kind=BackendKind.CLOUD,
    models=shipped_models("replicate"),
    still_models=shipped_stills("replicate"),
    music_models=shipped_music("replicate"),
    key_env_vars=("REPLICATE_API_TOKEN",),
    # Replicate limits creates to 600 a minute and sets no concurrency cap; more at once only queues at a model
    max_concurrency=4,
    description="Runs official video models on Replicate (Kling, Hailuo, Wan) or any model you name, on your "
    "Replicate account.",
)


COMFYUI = BackendInfo(
    id="comfyui",
    name="ComfyUI (local)",
    kind=BackendKind.LOCAL,
    models=shipped_models("comfyui"),
    key_env_vars=(),
    # ComfyUI runs one workflow at a time; a second one waiting in its queue keeps the GPU busy between them
    max_concurrency=2,
    description="Runs your own ComfyUI workflow on the ComfyUI server on this computer; free, and needs no key.",
)


ELEVENLABS = BackendInfo(
    id="elevenlabs",
    name="ElevenLabs",
    kind=BackendKind.CLOUD,
    models=(),  # voices only: never a shot's backend (BackendRegistry.infos lists clip makers)
    voice_models=shipped_voices("elevenlabs"),
    key_env_vars=("ELEVENLABS_API_KEY",),
    max_concurrency=2,
    description="ElevenLabs' voices for the cast's lines, with when each word is said; needs an ElevenLabs API key.",
)


# ---------------------------------------------------------------------------------------------- adapters, on first use
# (imports inside functions, which PyInstaller's analysis still follows into the frozen app)


def _animatic(context: BackendContext) -> GenerationBackend:
    from shotline.backends.animatic import AnimaticBackend

    return AnimaticBackend(context)


def _system_voice(context: BackendContext) -> GenerationBackend:
    from shotline.backends.system_voice import SystemVoiceBackend

    return SystemVoiceBackend(ANIMATIC, context)


def _animatic_bed(context: BackendContext) -> GenerationBackend:
    from shotline.backends.music import AnimaticBed

    return AnimaticBed(ANIMATIC, context)


def _fal_music(context: BackendContext) -> GenerationBackend:
    from shotline.backends.fal_music import FalMusic

    return FalMusic(context)


def _replicate_music(context: BackendContext) -> GenerationBackend:
    from shotline.backends.replicate_music import ReplicateMusic

    return ReplicateMusic(context)


def _runway(context: BackendContext) -> GenerationBackend:
    from shotline.backends.runway import RunwayBackend

    return RunwayBackend(context)


def _runway_images(context: BackendContext) -> GenerationBackend:
    from shotline.backends.runway_images import RunwayImages

    return RunwayImages(context)


def _google(context: BackendContext) -> GenerationBackend:
    from shotline.backends.google import GoogleBackend

    return GoogleBackend(context)


def _google_images(context: BackendContext) -> GenerationBackend:
    from shotline.backends.google_images import GoogleImages

    return GoogleImages(context)


def _google_speech(context: BackendContext) -> GenerationBackend:
    from shotline.backends.google_speech import GoogleSpeech

    return GoogleSpeech(context)


def _openai(context: BackendContext) -> GenerationBackend:
    from shotline.backends.openai import OpenAIBackend

    return OpenAIBackend(context)


def _openai_images(context: BackendContext) -> GenerationBackend:
    from shotline.backends.openai_images import OpenAIImages

    return OpenAIImages(context)


def _openai_speech(context: BackendContext) -> GenerationBackend:
    from shotline.backends.openai_speech import OpenAISpeech

    return OpenAISpeech(context)


def _luma(context: BackendContext) -> GenerationBackend:
    from shotline.backends.luma import LumaBackend

    return LumaBackend(context)


def _luma_agents(context: BackendContext) -> GenerationBackend:
    from shotline.backends.luma_agents import LumaAgentsBackend

    return LumaAgentsBackend(context)


def _fal(context: BackendContext) -> GenerationBackend:
    from shotline.backends.fal import FalBackend

    return FalBackend(context)


def _fal_images(context: BackendContext) -> GenerationBackend:
    from shotline.backends.fal_images import FalImages

    return FalImages(context)


def _replicate(context: BackendContext) -> GenerationBackend:
    from shotline.backends.replicate import ReplicateBackend

    return ReplicateBackend(context)


def _replicate_images(context: BackendContext) -> GenerationBackend:
    from shotline.backends.replicate_images import ReplicateImages

    return ReplicateImages(context)


def _comfyui(context: BackendContext) -> GenerationBackend:
    from shotline.backends.comfyui import ComfyUIBackend

    return ComfyUIBackend(context)


def _elevenlabs(context: BackendContext) -> GenerationBackend:
    from shotline.backends.elevenlabs import ElevenLabsVoices

    return ElevenLabsVoices(context)


ANIMATIC_SPEC = with_music(with_voices(BackendSpec(info=ANIMATIC, create=_animatic), _system_voice), _animatic_bed)
"""Also published as the `shotline.backends` entry point a plug-in would use (pyproject.toml), which proves that
route on every start."""

BUILTIN_SPECS: tuple[BackendSpec, ...] = (
    ANIMATIC_SPEC,
    with_stills(BackendSpec(info=RUNWAY, create=_runway), _runway_images),
    with_voices(with_stills(BackendSpec(info=GOOGLE, create=_google), _google_images), _google_speech),
    with_voices(with_stills(BackendSpec(info=OPENAI, create=_openai), _openai_images), _openai_speech),
    BackendSpec(info=LUMA, create=_luma),
    BackendSpec(info=LUMA_AGENTS, create=_luma_agents),
    with_music(with_stills(BackendSpec(info=FAL, create=_fal), _fal_images), _fal_music),
    with_music(with_stills(BackendSpec(info=REPLICATE, create=_replicate), _replicate_images), _replicate_music),
    BackendSpec(info=COMFYUI, create=_comfyui),
    BackendSpec(info=ELEVENLABS, create=_elevenlabs),
)


def builtin_spec(backend_id: str) -> BackendSpec:
    """The shipped backend of this id (for tests, and plug-in authors building a registry of their own)."""
    return next(spec for spec in BUILTIN_SPECS if spec.info.id == backend_id)
