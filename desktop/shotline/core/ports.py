"""The seams: Protocols the outer layers implement, and the plain values that cross them.

`backends` implements GenerationBackend, `storage` implements JobJournal and SecretSource, `media` implements
MediaProbe and CardRenderer. Job coroutines in `jobs` receive these as arguments, so every layer can be tested
with real parts and none imports a sibling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from shotline.core.dialogue import DialogueForm
from shotline.core.lengths import LengthFit
from shotline.core.model import CastKind, MediaInfo, Size
from shotline.core.references import Placement

ProgressSink = Callable[[float], None]
"""Receives progress as a fraction from 0 to 1. Called from the async runner's thread."""


# ---------------------------------------------------------------------------------------------- backends


class BackendKind(StrEnum):
    OFFLINE = "offline"
    LOCAL = "local"
    CLOUD = "cloud"


class MediaKind(StrEnum):
    """What a model makes: a clip (a take of a shot), a still picture (a first frame, a cast reference) or speech
    (a dialogue line spoken, a sound take on the voice-over lane) or music (a bed on the music lane)."""

    VIDEO = "video"
    IMAGE = "image"
    SPEECH = "speech"
    MUSIC = "music"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What one model of a backend can do; the window builds its controls from this."""

    id: str
    label: str
    kind: MediaKind = MediaKind.VIDEO
    durations_us: tuple[int, ...] = ()
    """Allowed lengths; empty means any length from min to max."""
    min_duration_us: int = 1_000_000
    max_duration_us: int = 60_000_000
    length_step_us: int = 1_000_000
    """Inside min..max (when `durations_us` is empty), the lengths it makes are multiples of this; 0 means any."""
    length_fit: LengthFit = LengthFit.NEAREST
    """How a shot's asked length is fitted to one the model makes (core.lengths.fit_length: the one rule)."""
    aspects: tuple[str, ...] = ("16:9", "9:16", "1:1")
    resolutions: tuple[str, ...] = ()
    audio: bool = False
    text_to_video: bool = True
    image_to_video: bool = False
    first_last_frame: bool = False
    reference_images: int = 0
    reference_tag: str = ""
    """How the provider's prompt names a reference image, as a template (`{index}` from 0, `{number}` from 1, `{name}`
    the cast member's name): "<IMAGE_REF_{index}>", "@Image{number}"; empty where the images are bound by order only."""
    reference_kinds: tuple[CastKind, ...] = tuple(CastKind)
    """The kinds of cast member its reference slots are for (a face-only "subject reference" takes characters)."""
    references_with_frames: bool = True
    """False where the provider takes reference images or a first/last frame, never both in one request."""
    seed: bool = False
    negative_prompt: bool = False
    extend: bool = False
    remix: bool = False
    price_per_second: Decimal | None = None
    """Price in USD per second of output; None when unknown or free."""
    retired: str = ""
    """The date the provider stopped serving it (ISO), or empty; a retired model is named, never silently used."""
    replacement: str = ""
    """The model id the provider suggests instead of a retired one (same backend)."""
    dialogue: DialogueForm = DialogueForm.SAYS
    """How a model that speaks (`audio`) is sent a shot's dialogue lines: the form its provider's guide asks."""
    voices: tuple[str, ...] = ()
    """A speech model's voices by the provider's ids, the first the default; empty for a clip's or a still's."""


@dataclass(frozen=True, slots=True)
class BackendInfo:
    id: str
    name: str
    kind: BackendKind
    models: tuple[ModelInfo, ...]
    """The video models, the first the default: what a shot's backend and model are chosen from."""
    key_env_vars: tuple[str, ...] = ()
    max_concurrency: int = 2
    description: str = ""
    poll_seconds: float | None = None
    """How often to ask for a job's state; None means the creator's setting (cloud providers bill nothing for a
    poll but rate-limit them, while a local backend answers at once)."""
    still_models: tuple[ModelInfo, ...] = ()
    """The image models (stills first: draft first frames and cast pictures), kept apart so no shot is set to
    make its clip with one; the same key, journal and estimates serve both."""
    voice_models: tuple[ModelInfo, ...] = ()
    """The speech models (a cast member's voice speaks its dialogue lines), kept apart as the stills are."""
    music_models: tuple[ModelInfo, ...] = ()
    """The music models (a bed for the music lane, as long as the film), kept apart as the stills are."""

    @property
    def needs_key(self) -> bool:
        return bool(self.key_env_vars)

    @property
    def default_model(self) -> ModelInfo:
        return self.models[0]

    def model(self, model_id: str) -> ModelInfo | None:
        if not model_id:
            return self.default_model if self.models else None  # a backend that only speaks makes no clip
        return next((m for m in self.models if m.id == model_id), None)

    def still_model(self, model_id: str = "") -> ModelInfo | None:
        """The image model of that id (the first one for ""); None when the backend makes no such still."""
        if not model_id:
            return self.still_models[0] if self.still_models else None
        return next((m for m in self.still_models if m.id == model_id), None)

    def voice_model(self, model_id: str = "") -> ModelInfo | None:
        """The speech model of that id (the first one for ""); None when the backend speaks no such way."""
        if not model_id:
            return self.voice_models[0] if self.voice_models else None
        return next((m for m in self.voice_models if m.id == model_id), None)

    def music_model(self, model_id: str = "") -> ModelInfo | None:
        """The music model of that id (the first one for ""); None when the backend makes no such music."""
        if not model_id:
            return self.music_models[0] if self.music_models else None
        return next((m for m in self.music_models if m.id == model_id), None)


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """One shot as sent to a backend. Stored in the journal and on the take, so it never holds a key."""

    job_id: str
    shot_id: str
    backend: str
    model: str
    prompt: str
    duration_us: int
    size: Size
    fps: Fraction = Fraction(24)
    aspect: str = "16:9"
    resolution: str = ""
    negative_prompt: str = ""
    seed: int | None = None
    audio: bool = True
    first_frame: str | None = None
    """Image files are absolute paths on this computer; a backend uploads or inlines them as its provider wants."""
    last_frame: str | None = None
    reference_images: tuple[str, ...] = ()
    reference_tags: tuple[str, ...] = ()
    """How the prompt names each of `reference_images` ("<IMAGE_REF_1>", "@Image2"), in the same order; empty (or
    "" for one) where the provider binds the images by their order alone."""
    cast: tuple[Placement, ...] = ()
    """Where each cast member the shot mentions went (core.references): kept in the take's request, so the take
    says what was sent of whom."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Backend-specific settings by name (a ComfyUI workflow, a fal endpoint id, a remix source…)."""
    label: str = ""
    """The shot's title, if it has one ("Harbour at dawn"); shown on animatic cards, never sent. Never its number:
    the card is part of the take, and the shot may be moved after it was made."""
    shot_number: int = 0
    """The shot's 1-based position when the job was made; the animatic colours its card by it."""
    kind: MediaKind = MediaKind.VIDEO
    """A clip, or a still (then `duration_us` is 0 and `audio` False): the job lands a picture, not a take; or
    speech (`prompt` is the line's words, `options["voice"]` the voice): the job lands a sound file."""

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "shot_id": self.shot_id,
            "backend": self.backend,
            "model": self.model,
            "prompt": self.prompt,
            "duration_us": self.duration_us,
            "size": str(self.size),
            "fps": f"{self.fps.numerator}/{self.fps.denominator}",
            "aspect": self.aspect,
            "resolution": self.resolution,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "audio": self.audio,
            "first_frame": self.first_frame,
            "last_frame": self.last_frame,
            "reference_images": list(self.reference_images),
            **({"reference_tags": list(self.reference_tags)} if any(self.reference_tags) else {}),
            **({"cast": [placement.to_json() for placement in self.cast]} if self.cast else {}),
            "options": dict(self.options),
            "label": self.label,
            "shot_number": self.shot_number,
            # written only for a still, so a clip's request snapshot (on its take, in the journal) reads as before
            **({"kind": self.kind.value} if self.kind is not MediaKind.VIDEO else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GenerationRequest:
        return cls(
            job_id=str(data["job_id"]),
            shot_id=str(data["shot_id"]),
            backend=str(data["backend"]),
            model=str(data["model"]),
            prompt=str(data["prompt"]),
            duration_us=int(data["duration_us"]),
            size=Size.parse(str(data["size"])),
            fps=Fraction(str(data.get("fps", "24"))),
            aspect=str(data.get("aspect", "16:9")),
            resolution=str(data.get("resolution", "")),
            negative_prompt=str(data.get("negative_prompt", "")),
            seed=None if data.get("seed") is None else int(data["seed"]),
            audio=bool(data.get("audio", True)),
            first_frame=data.get("first_frame"),
            last_frame=data.get("last_frame"),
            reference_images=tuple(data.get("reference_images", ())),
            reference_tags=tuple(str(tag) for tag in data.get("reference_tags", ())),
            cast=tuple(Placement.from_json(placement) for placement in data.get("cast", ())),
            options=dict(data.get("options", {})),
            label=str(data.get("label", "")),
            shot_number=int(data.get("shot_number", 0)),
            kind=MediaKind(str(data.get("kind", MediaKind.VIDEO.value))),
        )


WORDS_SUFFIX = ".words.json"
"""A voice take's word times, where its provider said them, beside its sound: `media/<job id>.words.json` beside
`media/<job id>.wav`, a list of {"text", "start_us", "end_us"} in the sound's own time. A backend's download writes
it beside the sound it fetches (`dest` with this suffix); the job path moves both into media/."""


class JobState(StrEnum):
    """A provider's job state, normalised across providers."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"

    @property
    def is_final(self) -> bool:
        return self in {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.BLOCKED}


@dataclass(frozen=True, slots=True)
class JobStatus:
    state: JobState
    progress: float | None = None
    message: str = ""
    outputs: tuple[str, ...] = ()
    """Where the result can be fetched (URLs, or ids the backend understands); may expire."""
    billed_cost: Decimal | None = None
    queue_position: int | None = None


@runtime_checkable
class GenerationBackend(Protocol):
    """One generation service. Every method may raise a BackendError subclass."""

    @property
    def info(self) -> BackendInfo: ...

    async def submit(self, request: GenerationRequest) -> str:
        """Create the job and return the provider's id. Never retried blindly by anyone."""
        ...

    async def poll(self, provider_job_id: str) -> JobStatus: ...

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        """Write the finished clip to `dest` (complete, or raise)."""
        ...

    async def cancel(self, provider_job_id: str) -> None: ...

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        """After an ambiguous submit: the provider's id for this request if it did start, else None.

        `sent` is what the job journal knows of the create (when it went out, which provider ids other jobs own), so
        a look-up works the same after a restart as in the session that sent it; None when nothing is known."""
        ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SentCreate:
    """What the job journal knows of a create whose answer was lost, for `GenerationBackend.find` to tell the job it
    may have started from the provider's others. Built from the journal, so it survives a restart."""

    sent_at: float = 0.0
    """When the create went out, in seconds since 1970 (UTC); 0 when unknown (a journal from before it was kept)."""
    claimed: frozenset[str] = frozenset()
    """Provider ids other jobs of this backend already own: never handed to a second job."""
    sending: tuple[GenerationRequest, ...] = ()
    """Other jobs of this backend whose create is out with no answer yet: an identical one makes a match unsure."""


@runtime_checkable
class KeyCheck(Protocol):
    """A backend that can test its key with one cheap authenticated read (nothing billed, nothing started)."""

    async def check_key(self) -> str:
        """A short confirmation for the creator ("Key accepted; 120 credits left"), or raises AuthFailed."""
        ...


class SecretSource(Protocol):
    def get(self, backend_id: str) -> str | None: ...


# ---------------------------------------------------------------------------------------------- jobs


class JobPhase(StrEnum):
    """Where a generation job is in Shotline's own life cycle, as written in the journal."""

    SUBMITTING = "submitting"
    """Written before anything is sent: the provider has certainly not seen this job."""
    SENDING = "sending"
    """The create request is going out; after a crash here the provider may or may not have the job."""
    SUBMITTED = "submitted"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    """File is in media/ and probed; the take is not attached to the project yet."""
    ATTACHED = "attached"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"
    UNCERTAIN = "uncertain"
    """A create may have started a billed job that we cannot find; never resubmitted without asking."""

    @property
    def is_final(self) -> bool:
        return self in _FINAL_PHASES


_FINAL_PHASES = frozenset(
    {JobPhase.ATTACHED, JobPhase.FAILED, JobPhase.CANCELLED, JobPhase.BLOCKED, JobPhase.UNCERTAIN}
)


@dataclass(frozen=True, slots=True)
class JobRecord:
    id: str
    shot_id: str
    backend: str
    model: str
    request: Mapping[str, Any]
    phase: JobPhase = JobPhase.SUBMITTING
    provider_job_id: str = ""
    progress: float = 0.0
    message: str = ""
    media_path: str = ""
    """Where the finished clip is, relative to the project folder."""
    estimated_cost: Decimal | None = None
    billed_cost: Decimal | None = None
    created_at: str = ""
    updated_at: str = ""
    sent_at: str = ""
    """When the create request went out (ISO 8601, UTC), written with SENDING: find() looks only at jobs made
    after it, after a restart too."""

    def with_(self, **changes: Any) -> JobRecord:
        return replace(self, **changes)

    @property
    def kind(self) -> MediaKind:
        """A clip's job, a still's or a voice's, as its request says (a request from before stills is a clip's)."""
        said = self.request.get("kind")
        return MediaKind(said) if said in (MediaKind.IMAGE.value, MediaKind.SPEECH.value) else MediaKind.VIDEO


class JobJournal(Protocol):
    """The project's durable record of generation jobs. Every write is committed before it returns."""

    def add(self, record: JobRecord) -> None: ...

    def update(self, job_id: str, **changes: Any) -> JobRecord: ...

    def get(self, job_id: str) -> JobRecord: ...

    def all(self) -> list[JobRecord]: ...

    def unfinished(self) -> list[JobRecord]: ...


# ---------------------------------------------------------------------------------------------- media


class MediaProbe(Protocol):
    def __call__(self, path: Path) -> MediaInfo:
        """Read a media file's facts; raises MediaUnreadable for anything that is not playable media."""
        ...


@dataclass(frozen=True, slots=True)
class TitleCard:
    """An animatic placeholder: the prompt as a timed title card."""

    prompt: str
    label: str
    duration_us: int
    size: Size
    fps: Fraction
    background: str = "#1d2733"
    tone_hz: int | None = 220
    still: bool = False
    """One PNG picture of the card (a draft still), not a timed clip."""


class CardRenderer(Protocol):
    async def __call__(self, card: TitleCard, dest: Path, progress: ProgressSink) -> None: ...


class BedRenderer(Protocol):
    """Makes the animatic's music: a quiet bed the prompt steers, `duration_us` long, as a WAV at `dest`."""

    async def __call__(self, prompt: str, duration_us: int, dest: Path, progress: ProgressSink) -> None: ...
