"""Voices: a shot's dialogue lines spoken by their speakers' voices, through the same registry, jobs, journal and
estimates as the clips and stills (issue 17), and landed as sound takes on the voice-over lane.

A line is spoken by its speaker's cast voice (`CastMember.voice`), so a character sounds the same in every shot; a
typed speaker, or a member with no voice chosen yet, is spoken by this computer's own voice (the animatic backend's,
free and keyless) — said in what `plan` returns, never a paid voice chosen behind the creator's back. Each line's
job is priced per character, checked against the budget with the others and written to the journal before it goes
out (so a resume never pays twice). Its sound lands in media/ and on the voice-over lane at its shot (the lane ducks
the music), one clip per line whose takes are the line's finished jobs (core.voice_takes says how).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from shotline.backends.catalogue import offered_model
from shotline.core import cast_voice
from shotline.core.commands import Command
from shotline.core.dialogue import line_of, speaker_member, speaker_name, spoken
from shotline.core.errors import InputRejected
from shotline.core.model import AudioClip, CastMember, DialogueLine, MediaInfo, Project, Shot, VoiceChoice, new_id
from shotline.core.ports import WORDS_SUFFIX, GenerationRequest, JobPhase, JobRecord, MediaKind
from shotline.core.timeline import start_of
from shotline.core.voice_takes import put_voice_take, voice_clip
from shotline.jobs.generation import GenerationOutcome
from shotline.media.probe import admit
from shotline.services.context import AppContext
from shotline.services.generation import GenerationService, StartedJob
from shotline.services.session import ProjectSession

OFFLINE_VOICE = VoiceChoice(backend="animatic", voice="", model="system-voice")
"""Who speaks a line whose speaker has no voice: this computer's own default voice, free and keyless."""
PREVIEW_WORDS = "This is how I sound in every shot of the film."
"""What a voice says when the creator tries it on a cast member (before any line of theirs is written)."""


@dataclass(frozen=True, slots=True)
class VoiceTake:
    """One finished voice take of a line, from the journal."""

    job_id: str
    shot_id: str
    line_id: str
    media: str
    """The sound, relative to the project folder (media/…)."""
    backend: str
    model: str
    voice: str
    estimated_cost: Decimal | None = None
    billed_cost: Decimal | None = None


def voices_of(ctx: AppContext, backend: str, model: str = "") -> tuple[str, ...]:
    """The voices a backend's voice model offers: its catalogue's list, or this computer's engine's own voices."""
    info = ctx.registry.spec(backend).info
    if not info.voice_models:
        makers = ", ".join(i.id for i in ctx.registry.all_infos() if i.voice_models) or "none"
        raise InputRejected(f"{info.name} has no voices in Shotline; choose one of: {makers}.")
    chosen = offered_model(info, model or info.voice_models[0].id, info.name, MediaKind.SPEECH)
    if chosen.voices:
        return chosen.voices
    from shotline.backends.system_voice import system_voices  # the engine's own list, read only when asked

    return tuple(voice.id for voice in system_voices())


def voice_names(backend: str) -> dict[str, str]:
    """The names the creator knows a backend's voices by, where they differ from the ids: this computer's voices
    ("English (Scotland)" for gmw/en-gb-scotland) and ElevenLabs' premade ones ("George")."""
    if backend == OFFLINE_VOICE.backend:
        from shotline.backends.system_voice import system_voices

        return {voice.id: voice.name for voice in system_voices()}
    if backend == "elevenlabs":
        from shotline.backends.elevenlabs import PREMADE

        return dict(PREMADE)
    return {}


def choose_voice(
    ctx: AppContext,
    session: ProjectSession,
    member_ref: str,
    backend: str,
    voice: str,
    model: str = "",
    settings: Mapping[str, Any] | None = None,
) -> CastMember:
    """Give a cast member a voice (one undo step), after checking the backend offers it; every line of theirs is
    spoken with it from then on."""
    member = session.project.member(member_ref)
    offered = voices_of(ctx, backend, model)
    if voice not in offered:
        shown = ", ".join(offered[:12]) + (" …" if len(offered) > 12 else "")
        raise InputRejected(f"{backend} has no voice {voice!r}; choose one of: {shown or 'none on this computer'}.")
    session.execute(cast_voice.choose_voice(member.id, VoiceChoice(backend, voice, model, dict(settings or {}))))
    return session.project.member(member.id)


def voice_of_line(project: Project, line: DialogueLine) -> VoiceChoice:
    """The voice that speaks `line`: its speaker's cast voice, else this computer's (OFFLINE_VOICE)."""
    member = speaker_member(project, line)
    return member.voice if member is not None and member.voice is not None else OFFLINE_VOICE


def lines_to_speak(
    project: Project, shot_ref: str | None = None, line_ref: str | None = None
) -> list[tuple[Shot, DialogueLine]]:
    """The lines with words, in film order: every shot's, one shot's, or one line of one shot (by its 1-based
    place among the shot's lines, or its id); InputRejected saying why there is nothing to speak."""
    if line_ref is not None and shot_ref is None:
        raise InputRejected("Name the shot whose line to speak (--shot N --line K).")
    shots = [project.shot(shot_ref)] if shot_ref is not None else list(project.shots)
    chosen: list[tuple[Shot, DialogueLine]] = []
    for shot in shots:
        if line_ref is None:
            chosen += [(shot, line) for line in spoken(shot)]
            continue
        number = project.index_of(shot.id) + 1
        line = line_of(shot, line_ref)
        if not line.text.strip():
            raise InputRejected(f"Line {line_ref} of shot {number} has no words yet; write them first.")
        chosen.append((shot, line))
    if not chosen:
        where = f"Shot {project.index_of(shots[0].id) + 1}" if shot_ref is not None else "This film"
        raise InputRejected(f"{where} has no dialogue lines with words to speak; add some first (shotline line add).")
    return chosen


def build_voice_request(
    ctx: AppContext,
    project: Project,
    shot: Shot,
    line: DialogueLine,
    choice: VoiceChoice | None = None,
    *,
    label: str | None = None,
) -> GenerationRequest:
    """The request that speaks `line` with `choice` (by default its speaker's voice, `voice_of_line`); `shot` may be
    a stand-in for a preview (its id a cast member's), then numbered 0."""
    choice = choice or voice_of_line(project, line)
    number = project.index_of(shot.id) + 1 if project.has_shot(shot.id) else 0
    info = ctx.registry.spec(choice.backend).info
    if not info.voice_models:
        makers = ", ".join(i.id for i in ctx.registry.all_infos() if i.voice_models) or "none"
        raise InputRejected(f"{info.name} has no voices in Shotline; choose a voice from one that does: {makers}.")
    model = offered_model(info, choice.model or info.voice_models[0].id, info.name, MediaKind.SPEECH)
    return GenerationRequest(
        job_id=new_id(),
        shot_id=shot.id,
        backend=choice.backend,
        model=model.id,
        prompt=line.text.strip(),
        duration_us=0,
        size=project.settings.size,
        fps=project.settings.fps,
        audio=True,
        options={**dict(choice.settings), "voice": choice.voice, "line": line.id},
        label=speaker_name(project, line) if label is None else label,
        shot_number=number,
        kind=MediaKind.SPEECH,
    )


class VoicesService:
    """Lines spoken: planned and priced (nothing sent), journaled, made, and landed on the voice-over lane."""

    def __init__(self, ctx: AppContext, session: ProjectSession, generation: GenerationService | None = None) -> None:
        self._ctx = ctx
        self._session = session
        self._generation = generation or GenerationService(ctx, session)

    def plan(
        self,
        shot_ref: str | None = None,
        line_ref: str | None = None,
        *,
        choice: VoiceChoice | None = None,
        jobs_so_far: Iterable[JobRecord] | None = None,
    ) -> list[JobRecord]:
        """One job per line, priced per character and checked against the budget together; nothing is written."""
        project = self._session.project
        requests = [
            build_voice_request(self._ctx, project, shot, line, choice)
            for shot, line in lines_to_speak(project, shot_ref, line_ref)
        ]
        return self._generation.priced(requests, jobs_so_far)

    def plan_preview(
        self,
        member_ref: str,
        choice: VoiceChoice,
        words: str = PREVIEW_WORDS,
        *,
        jobs_so_far: Iterable[JobRecord] | None = None,
    ) -> list[JobRecord]:
        """One job that speaks `words` in `choice` for a cast member (its row names the member, as a member's drafted
        pictures do), priced and journaled like a line's: a paid voice's preview is paid once, and kept."""
        project = self._session.project
        member = project.member(member_ref)
        line = DialogueLine(id="", text=words, member_id=member.id)
        shot = Shot(id=member.id, prompt="")
        request = build_voice_request(self._ctx, project, shot, line, choice, label=f"@{member.name}")
        return self._generation.priced([request], jobs_so_far)

    def make(self, records: Sequence[JobRecord]) -> list[StartedJob]:
        """Journal every line's job, then run them (on the runner); land each outcome with `land`."""
        return self._generation.run(self._generation.write_down(list(records)))

    def land(self, started: StartedJob) -> VoiceTake:
        """Wait for one line's job and place its take on the voice-over lane (one undoable step); raises the job's
        BackendError."""
        outcome = started.handle.result()
        self._generation.attach(outcome)
        take = _voice_take(self._session.journal.get(outcome.job_id))
        place(self._session, take, outcome.take.info)
        return take


def place_outcome(session: ProjectSession, outcome: GenerationOutcome) -> AudioClip | None:
    """Place a finished voice job (the window's, or one resumed) on the voice-over lane; None when its line is gone
    or it was a cast member's voice preview."""
    made = outcome.take.generation
    if made is None:
        return None
    options = made.request.get("options", {})
    take = VoiceTake(
        job_id=outcome.job_id,
        shot_id=outcome.shot_id,
        line_id=str(options.get("line", "")) if isinstance(options, dict) else "",
        media=outcome.take.media,
        backend=made.backend,
        model=made.model,
        voice=str(options.get("voice", "")) if isinstance(options, dict) else "",
        estimated_cost=made.estimated_cost,
        billed_cost=made.billed_cost,
    )
    return place(session, take, outcome.take.info) if take.line_id else None


def place(session: ProjectSession, take: VoiceTake, info: MediaInfo | None = None) -> AudioClip | None:
    """Put `take` on the voice-over lane as its line's clip (swapping the clip's take when the line has one); None
    when its shot or line is gone (the take stays in the journal). `info` is the sound's MediaInfo if known."""
    project = session.project
    if not project.has_shot(take.shot_id):
        return None
    shot = project.shot(take.shot_id)
    if not any(line.id == take.line_id for line in shot.dialogue):
        return None
    facts = info if info is not None else admit(session.bundle.resolve(take.media))
    start = _start(project, shot, take.line_id)
    speaker = speaker_name(project, line_of(shot, take.line_id)) or "Unnamed"
    name = f"{speaker}'s line in shot {project.index_of(shot.id) + 1}"
    apply = partial(put_voice_take, line_id=take.line_id, media=take.media, info=facts, start_us=start, name=name)
    session.execute(Command("Speak line", apply))
    return voice_clip(session.project, take.line_id)


def _start(project: Project, shot: Shot, line_id: str) -> int:
    """Where a line's new clip starts: at its shot, after the voiced lines before it in the shot."""
    at = start_of(project, shot.id)
    for line in shot.dialogue:
        if line.id == line_id:
            break
        if (clip := voice_clip(project, line.id)) is not None:
            at = max(at, clip.end_us)
    return at


def voice_takes(records: Iterable[JobRecord], line_id: str | None = None) -> list[VoiceTake]:
    """The finished voice takes in the journal (of one line, when given), oldest first."""
    return [
        _voice_take(record)
        for record in records
        if record.kind is MediaKind.SPEECH
        and record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED)
        and record.media_path
        and (line_id is None or _line_of(record) == line_id)
    ]


def spoken_words(bundle_path: Path, clip: AudioClip) -> tuple[tuple[str, int, int], ...]:
    """When each word of a voice clip's take is said, in the take's own time: (word, start µs, end µs), from the
    file its provider's word times were kept in beside the sound (core.ports.WORDS_SUFFIX); () when it gave none.
    Read from inside the project only: a clip's media is a project path."""
    sidecar = bundle_path / PurePosixPath(clip.media).with_suffix(WORDS_SUFFIX)
    try:
        said = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else []
    except (OSError, ValueError):
        return ()
    words: list[tuple[str, int, int]] = []
    for word in said if isinstance(said, list) else ():
        if not isinstance(word, dict):
            return ()
        text, start, end = word.get("text"), word.get("start_us"), word.get("end_us")
        if not (isinstance(text, str) and isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
            return ()  # a hand-edited file: the captions spread over the take instead
        words.append((text, start, end))
    return tuple(words)


def picked_take(project: Project, line_id: str) -> str | None:
    """The media of the take the line's clip plays, or None when the line has no clip."""
    clip = voice_clip(project, line_id)
    return clip.media if clip is not None else None


def _line_of(record: JobRecord) -> str:
    options = record.request.get("options", {})
    return str(options.get("line", "")) if isinstance(options, dict) else ""


def _voice_take(record: JobRecord) -> VoiceTake:
    options = record.request.get("options", {})
    return VoiceTake(
        job_id=record.id,
        shot_id=record.shot_id,
        line_id=_line_of(record),
        media=record.media_path,
        backend=record.backend,
        model=record.model,
        voice=str(options.get("voice", "")) if isinstance(options, dict) else "",
        estimated_cost=record.estimated_cost,
        billed_cost=record.billed_cost,
    )
