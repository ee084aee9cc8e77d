"""Music: a bed for the film made by a backend that offers music, through the same registry, jobs, journal and
estimates as clips, stills and voices (issue 17), landed on the music lane at the film's start.

The prompt says what it should be like (mood, instruments, tempo); its length is the film's unless the creator asks
for another (a model that makes shorter music is asked for what it makes, and the bed loops to the film's end). The
job is priced, checked against the budget and written to the journal before anything goes out, so a resume never
pays twice. Its sound lands in media/ and on the music lane as one clip, fitted to the film (core.audio_edits:
looped when shorter, cut with a fade when longer), ducked under speech by the lane's own rule, in one undo step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from shotline.backends.catalogue import offered_model
from shotline.core import audio_edits
from shotline.core.commands import Command
from shotline.core.errors import InputRejected
from shotline.core.model import MUSIC_LANE, AudioClip, MediaInfo, Project, Trim, new_id
from shotline.core.ports import GenerationRequest, JobRecord, MediaKind, ModelInfo
from shotline.core.timeline import film_length_us
from shotline.jobs.generation import GenerationOutcome
from shotline.media.probe import admit
from shotline.services.context import AppContext
from shotline.services.generation import GenerationService, StartedJob
from shotline.services.session import ProjectSession

OFFLINE_MUSIC = ("animatic", "bed")
"""Who makes music when the creator names no backend: the animatic's quiet bed, free and keyless."""
MAX_NAME = 40


@dataclass(frozen=True, slots=True)
class MusicChoice:
    """What the creator asked for: which backend and model, the prompt, and how long (0: the film's length)."""

    prompt: str
    backend: str = OFFLINE_MUSIC[0]
    model: str = ""
    duration_us: int = 0


def music_makers(ctx: AppContext) -> list[tuple[str, tuple[ModelInfo, ...]]]:
    """The backends that make music, with their music models, in the registry's order (the animatic first)."""
    return [(info.id, info.music_models) for info in ctx.registry.all_infos() if info.music_models]


def music_length(project: Project, model: ModelInfo, asked_us: int = 0) -> int:
    """How long a bed is asked to be: `asked_us`, else the film's length, held to what `model` makes (a film longer
    than the model's longest music asks for the longest, and loops it)."""
    wanted = asked_us or film_length_us(project)
    if wanted <= 0:
        raise InputRejected("The film has no length yet; add a shot first, or ask for a length (--seconds).")
    if asked_us and not model.min_duration_us <= asked_us <= model.max_duration_us:
        raise InputRejected(
            f"{model.label} makes music {model.min_duration_us / 1e6:g} to {model.max_duration_us / 1e6:g} s long, "
            f"not {asked_us / 1e6:g} s; ask for a length in that range (it loops to the film's end)."
        )
    return min(max(wanted, model.min_duration_us), model.max_duration_us)


def build_music_request(ctx: AppContext, project: Project, choice: MusicChoice) -> GenerationRequest:
    """The request that makes a bed as `choice` asks; InputRejected for a backend or model that makes no music."""
    info = ctx.registry.spec(choice.backend).info
    if not info.music_models:
        makers = ", ".join(backend for backend, _ in music_makers(ctx)) or "none"
        raise InputRejected(f"{info.name} makes no music in Shotline; choose one that does: {makers}.")
    model = offered_model(info, choice.model or info.music_models[0].id, info.name, MediaKind.MUSIC)
    prompt = choice.prompt.strip()
    if not prompt:
        raise InputRejected(
            "Say what the music should be like (its mood, instruments, tempo), e.g. --prompt 'calm piano'."
        )
    return GenerationRequest(
        job_id=new_id(),
        shot_id=MUSIC_LANE,  # not a shot's: the lane it lands on, so no shot ever takes it as a take
        backend=choice.backend,
        model=model.id,
        prompt=prompt,
        duration_us=music_length(project, model, choice.duration_us),
        size=project.settings.size,
        fps=project.settings.fps,
        audio=True,
        label="Music",
        shot_number=0,
        kind=MediaKind.MUSIC,
    )


class MusicService:
    """A bed made: planned and priced (nothing sent), journaled, made, and landed on the music lane."""

    def __init__(self, ctx: AppContext, session: ProjectSession, generation: GenerationService | None = None) -> None:
        self._ctx = ctx
        self._session = session
        self._generation = generation or GenerationService(ctx, session)

    def plan(self, choice: MusicChoice, *, jobs_so_far: Iterable[JobRecord] | None = None) -> JobRecord:
        """The one job, priced and checked against the budget; nothing is written or sent."""
        request = build_music_request(self._ctx, self._session.project, choice)
        return self._generation.priced([request], jobs_so_far)[0]

    def make(self, record: JobRecord) -> StartedJob:
        """Journal the job, then run it (on the runner); land its outcome with `land`."""
        return self._generation.run(self._generation.write_down([record]))[0]

    def land(self, started: StartedJob) -> AudioClip:
        """Wait for the job and place its bed on the music lane (one undoable step); raises the job's
        BackendError."""
        outcome = started.handle.result()
        self._generation.attach(outcome)
        return place_music(self._session, outcome)


def place_music(session: ProjectSession, outcome: GenerationOutcome) -> AudioClip:
    """Put a finished music job's bed on the music lane at the film's start, fitted to the film: one undo step."""
    made = outcome.take.generation
    prompt = str(made.request.get("prompt", "")) if made is not None else ""
    return place_bed(session, outcome.take.media, outcome.take.info, prompt)


def place_bed(session: ProjectSession, media: str, info: MediaInfo | None, prompt: str) -> AudioClip:
    facts = info if info is not None else admit(session.bundle.resolve(media))
    words = " ".join(prompt.split())
    name = f"Music: {words[:MAX_NAME]}{'…' if len(words) > MAX_NAME else ''}" if words else PurePosixPath(media).name
    clip = AudioClip(new_id(), media, MUSIC_LANE, 0, Trim(0, facts.duration_us), facts, source_name=name)

    def apply(project: Project) -> Project:
        added = audio_edits.add_audio_clip(project, clip)
        return audio_edits.fit_audio_clip(added, clip.id) if film_length_us(added) > 0 else added

    session.execute(Command("Add music", apply))
    return session.project.audio_clip(clip.id)
