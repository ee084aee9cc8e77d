"""How an export's picture and sound are written: three routes, each ending in one rename onto the target.

- "lossless": the clips' picture and sound packets copied (`stream_copy`); nothing is decoded.
- "copy picture": the picture's packets copied; the sound mixed, brought to its loudness and encoded on its own
  (`soundtrack`), then the two joined (`encode.mux_argv`, both copied). The default whenever the pictures allow it:
  mixing and normalising the sound need nothing from the picture, so an untouched film exports at copy speed.
- "re-encode": the picture encoded from the plan's graph (`encode.encode_argv`), the sound as above, then joined.
A sound-only export is the encoded sound itself. A copy that cannot be made after all (ffmpeg refuses a packet, or
the copy would hold other than the film's frames) gives way to encoding, and the reasons say why.

Every file is written beside the target under a hidden name (`partial`) and the target is replaced only once the
result probes as playable; failing or cancelling removes them all. Progress is one fraction over all passes, each
weighted by its expected cost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from shotline.core.cleanup import together
from shotline.core.errors import MediaError, RenderFailed, in_creator_words
from shotline.core.model import Project
from shotline.core.partial import partial_path
from shotline.core.ports import ProgressSink
from shotline.media.audio_graph import mix_source
from shotline.media.encode import encode_argv, mux_argv
from shotline.media.encoders import Encoder, audio_args, pick_encoder, software
from shotline.media.lossless import Route, RouteDecision, decide
from shotline.media.loudness import Loudness
from shotline.media.mix import AudioMix, build_mix
from shotline.media.plan import RenderPlan
from shotline.media.probe import probe
from shotline.media.process import ProcessRegistry, run_ffmpeg
from shotline.media.sound_source import SoundSource
from shotline.media.soundtrack import Soundtrack, encode_soundtrack, soundtrack_suffix
from shotline.media.stream_copy import render_copy
from shotline.media.subtitles import write_burn_in, write_srt
from shotline.media.take_loudness import Foretold, SoundLevels, foretell

log = logging.getLogger(__name__)


COPIED = "stream copy"
LevelsOf = Callable[[Path, int, int], SoundLevels]
"""A sound file's measured cells at a rate and layout (`media.take_loudness`)."""


@dataclass(frozen=True, slots=True)
class Written:
    """What writing the film did: the route that ran and why, the picture's encoder, the sound's measured loudness."""

    route: Route
    reasons: tuple[str, ...]
    encoder: str
    loudness: Loudness | None
    """Measured on the encoded sound (None when the sound was copied, so not measured yet)."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Job:
    """One export's fixed inputs, passed down the passes together."""

    project: Project
    plan: RenderPlan
    output: Path
    ffmpeg: Path
    resolve: Callable[[str], Path]
    registry: ProcessRegistry
    tags: dict[str, str]
    levels: LevelsOf | None
    burn_in: Path | None = None
    """The ASS file of the captions to draw into the picture (`media.subtitles`)."""
    subtitles: Path | None = None
    """The SRT file of the captions to carry as a subtitle track."""


async def write_film(
    project: Project,
    plan: RenderPlan,
    output: Path,
    *,
    ffmpeg: Path,
    resolve: Callable[[str], Path],
    progress: ProgressSink | None,
    registry: ProcessRegistry,
    tags: dict[str, str],
    levels: LevelsOf | None = None,
) -> Written:
    """Write `plan` to `output` by the best route `lossless.decide` allows, with `tags` as its container tags.
    `levels(file, rate, channels)` gives a sound file's measured cells (`media.take_loudness`), so the sound's gain is
    set before it is encoded; without it the mix is metered first."""
    decision = await asyncio.to_thread(decide, project, plan)
    job = _Job(project, plan, output, ffmpeg, resolve, registry, tags, levels)
    if decision.lossless:
        passes = Passes(progress, {"copy": 1.0})
        try:
            await render_copy(plan, output, progress=passes.sink("copy"), metadata=tags)
            passes.finish("copy")
            return Written("lossless", decision.reasons, COPIED, None)
        except RenderFailed as failure:
            # the copy is an optimisation: if it cannot be done after all, the film is still exported
            log.warning("lossless copy failed, re-encoding: %s", failure)
            decision = RouteDecision(
                "re-encode", (f"The lossless copy failed ({failure}), so the film was re-encoded",)
            )
    return await _mix_and_join(job, decision, Passes(progress, _weights(plan, decision)))


def _weights(plan: RenderPlan, decision: RouteDecision) -> dict[str, float]:
    # rough costs relative to encoding the picture: mixing, measuring and encoding sound are a small part of it
    sound = {"sound": 0.14}
    if plan.settings.codec.audio_only:
        return sound
    picture, mux = (0.1, 0.03) if decision.copies_picture else (1.0, 0.01)
    return {**sound, "picture": picture, "mux": mux}


async def _mix_and_join(job: _Job, decision: RouteDecision, passes: Passes) -> Written:
    """The sound mixed and encoded while the picture is copied or encoded, then both joined into the target."""
    hidden: list[Path] = []

    def hide(part: str, suffix: str | None = None) -> Path:
        path = partial_path(job.output, part, suffix)
        hidden.append(path)
        return path

    settings = job.plan.settings
    try:
        job = await asyncio.to_thread(_with_captions, job, hide)
        mixed = await _mixed(job)
        if settings.codec.audio_only:
            sound = await _sound(job, mixed, hide(""), passes)
            await check_playable(sound.path, job.output, job.plan)
            sound.path.replace(job.output)  # one rename in the same folder: atomic and instant
            return Written("re-encode", decision.reasons, audio_args(settings)[1], sound.loudness, sound.notes)
        picture, joined = hide("picture"), hide("")
        # the picture (a copy, mostly disk) runs beside the sound (ffmpeg), and the two are joined once the encoded
        # sound is metered: if the meter asks for another encode, they are joined again. The sound's command is
        # built first: the copy's Python work would slow the building, and the sound is what takes longest
        picture_task = asyncio.ensure_future(_picture(job, decision, picture, passes))

        async def join(sound_file: Path) -> None:
            await asyncio.wait([picture_task])  # its failure is the picture task's own to raise, below
            if picture_task.cancelled() or picture_task.exception() is not None:
                return
            await run_ffmpeg(
                mux_argv(picture, sound_file, joined, job.ffmpeg, metadata=job.tags, subtitles=job.subtitles),
                duration_us=job.plan.duration_us,
                progress=passes.sink("mux"),
                registry=job.registry,
                writing=job.output,
            )
            passes.finish("mux")

        sound_dest = hide("sound", soundtrack_suffix(settings))
        sound_task = _sound(job, mixed, sound_dest, passes, alongside=join)
        (route, reasons, encoder, notes), sound = await together(picture_task, sound_task)
        await check_playable(joined, job.output, job.plan)
        joined.replace(job.output)  # one rename in the same folder: atomic and instant
    finally:
        # synchronous on purpose: the clean-up must finish even while the task is being cancelled
        for path in hidden:
            path.unlink(missing_ok=True)
    return Written(route, reasons, encoder, sound.loudness, notes + sound.notes)


def _with_captions(job: _Job, hide: Callable[[str, str], Path]) -> _Job:
    """The job with the captions' files its settings ask for written beside the target (hidden, removed after)."""
    chosen, plan = job.plan.settings.captions, job.plan
    if plan.settings.codec.audio_only or not job.project.captions:
        return job
    burn_in = subtitles = None
    if chosen.burn:
        burn_in = write_burn_in(
            job.project.captions, plan.window, plan.settings.size, chosen.style, hide("captions", ".ass")
        )
    if chosen.soft:
        subtitles = write_srt(job.project.captions, plan.window, hide("captions", ".srt"))
    return replace(job, burn_in=burn_in, subtitles=subtitles)


@dataclass(frozen=True, slots=True)
class _Mixed:
    """The film's sound as ffmpeg makes it from the clips, and its loudness foretold (None: to be metered)."""

    source: SoundSource
    expected: Foretold | None


async def _mixed(job: _Job) -> _Mixed:
    """The film's sound: building the command reads each clip's first frames (where its clock starts), and
    foretelling its loudness reads each clip's cached cells, so both run off the event loop."""
    mix = await asyncio.to_thread(build_mix, job.project, job.plan, job.resolve)
    source = await asyncio.to_thread(mix_source, mix, job.ffmpeg)
    levels = job.levels
    if job.plan.settings.loudness_lufs is None or levels is None:
        return _Mixed(source, None)
    return _Mixed(source, await asyncio.to_thread(_foretold, mix, levels))


async def _sound(
    job: _Job, mixed: _Mixed, dest: Path, passes: Passes, *, alongside: Callable[[Path], Awaitable[None]] | None = None
) -> Soundtrack:
    """Mix, level and encode the film's sound into `dest` in one pass; `alongside` runs once each encoded sound is
    metered (see `encode_soundtrack`)."""
    settings = job.plan.settings
    sound = await encode_soundtrack(
        mixed.source,
        dest,
        settings,
        job.plan.samples,
        ffmpeg=job.ffmpeg,
        registry=job.registry,
        progress=passes.sink("sound"),
        metadata=job.tags if settings.codec.audio_only else None,
        expected=mixed.expected,
        alongside=alongside,
    )
    passes.finish("sound")
    return sound


def _foretold(mix: AudioMix, levels: LevelsOf) -> Foretold | None:
    """The mix's loudness foretold from its clips' cells; None (the mix is metered instead) when a clip's sound
    cannot be measured: the mix then says why. Foretelling only saves time, so nothing it meets fails the export."""
    try:
        return foretell(mix, lambda source: levels(source, mix.sample_rate, mix.channels))
    except (MediaError, OSError, ValueError) as error:
        log.info("the mix's loudness is metered, not foretold: %s", error)
        return None


async def _picture(
    job: _Job, decision: RouteDecision, dest: Path, passes: Passes
) -> tuple[Route, tuple[str, ...], str, tuple[str, ...]]:
    """Write the film's picture alone into `dest`, copied when the decision allows: (route, reasons, encoder, notes)."""
    reasons = decision.reasons
    if decision.copies_picture:
        try:
            # a step on the way to the film, which the mux writes with its index first
            await render_copy(job.plan, dest, progress=passes.sink("picture"), sound=False, fast_start=False)
            passes.finish("picture")
            return "copy picture", reasons, COPIED, ()
        except RenderFailed as failure:
            log.warning("copying the picture failed, encoding it: %s", failure)
            reasons = (f"Copying the picture failed ({failure}), so it was re-encoded",)
    encoder = await asyncio.to_thread(pick_encoder, job.plan.settings, job.ffmpeg)
    assert encoder is not None  # only sound-only exports have no picture encoder, and they have no picture
    encoder, notes = await _encode_picture(job, encoder, dest, passes)
    return "re-encode", reasons, encoder.name, notes


async def _encode_picture(job: _Job, encoder: Encoder, dest: Path, passes: Passes) -> tuple[Encoder, tuple[str, ...]]:
    """Encode the picture into `dest`. A hardware encoder that fails is retried once with software."""

    async def run(chosen: Encoder) -> None:
        await run_ffmpeg(
            await asyncio.to_thread(encode_argv, job.plan, dest, job.ffmpeg, encoder=chosen, captions=job.burn_in),
            duration_us=job.plan.duration_us,
            progress=passes.sink("picture"),
            registry=job.registry,
            writing=job.output,
        )

    try:
        await run(encoder)
    except RenderFailed as failure:
        if not encoder.hardware:
            raise
        fallback = software(encoder.codec)
        note = (
            f"The hardware encoder {encoder.name} did not work on this computer, so the film was encoded with "
            f"{fallback.name} (software) instead."
        )
        log.warning("%s ffmpeg said: %s", note, failure)
        await asyncio.to_thread(dest.unlink, missing_ok=True)
        await run(fallback)
        passes.finish("picture")
        return fallback, (note,)
    passes.finish("picture")
    return encoder, ()


async def check_playable(partial: Path, output: Path, plan: RenderPlan | None = None) -> None:
    """Refuse a written file that does not probe, or lacks the picture (or, sound only, the sound) it should have."""
    try:
        info = await asyncio.to_thread(probe, partial)
    except MediaError as exc:
        reason = in_creator_words(str(exc))  # it names the hidden partial file, which becomes `output`
        raise RenderFailed(
            f"ffmpeg finished but {output.name} does not play back ({reason}); nothing was replaced."
        ) from None
    sound_only = plan is not None and plan.settings.codec.audio_only
    if sound_only and not info.has_audio:
        raise RenderFailed(f"ffmpeg finished but {output.name} has no sound; nothing was replaced.")
    if not sound_only and not info.has_video:
        raise RenderFailed(f"ffmpeg finished but {output.name} has no picture; nothing was replaced.")


class Passes:
    """One progress fraction over several passes, some of which may run at once: each pass reports 0..1 and the
    whole is the sum of each pass's fraction times its share."""

    def __init__(self, progress: ProgressSink | None, weights: dict[str, float]) -> None:
        self._progress = progress
        total = sum(weights.values())
        self._share = {name: weight / total for name, weight in weights.items()}
        self._done = dict.fromkeys(weights, 0.0)

    def sink(self, name: str) -> ProgressSink | None:
        if self._progress is None:
            return None
        return lambda fraction: self._report(name, fraction)

    def finish(self, name: str) -> None:
        self._report(name, 1.0)

    def _report(self, name: str, fraction: float) -> None:
        self._done[name] = max(self._done[name], min(1.0, fraction))
        if self._progress is None:
            return
        if all(done == 1.0 for done in self._done.values()):
            self._progress(1.0)  # the end is exactly 1.0, whatever the floating-point sum of the shares says
        else:
            self._progress(min(1.0, sum(self._share[name] * done for name, done in self._done.items())))
