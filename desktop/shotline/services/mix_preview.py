"""The timeline's sound as the export will mix it, rendered quickly with pydub for the preview player to play.

The preview is the same `AudioMix` the export plays (`build_mix` on a plan of the whole timeline in the project's
own frame), without loudness normalisation, written as a WAV into the project's cache/ folder. Its file name is a
hash of the mix itself — every sound's source with its size and modification time, and every `Sound` field — so
an unchanged mix is never rendered twice, and a replaced source file gets a fresh render. Only the few newest
previews are kept. Rendering is blocking CPU work: `make_preview` / `start_preview` run it off the GUI thread.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import replace
from pathlib import Path

from shotline.core.errors import MediaMissing
from shotline.core.model import CLIP_SOUND_LANE, ExportSettings, Project, TransitionKind
from shotline.jobs.runner import JobHandle, to_preview_thread
from shotline.media.mix import AudioMix, build_mix
from shotline.media.mixdown import write_wav
from shotline.media.plan import plan_export
from shotline.services.context import AppContext
from shotline.services.media_files import check_lengths
from shotline.services.session import ProjectSession
from shotline.storage.bundle import ProjectBundle, cached

log = logging.getLogger(__name__)

PREVIEW_FOLDER = "previews"
KEEP_PREVIEWS = 4
"""Previews kept in the cache: the one playing and a few recent ones, so undo and redo find theirs again."""
_MIX_FORMAT = "mixdown-1"
"""Part of every key: bump it when the mixdown itself changes, so old previews are not played as new ones."""


def needs_mix(project: Project) -> bool:
    """True when the timeline sounds different from its takes' own sound played one after another.

    That is: audio clips on the lanes, or any setting of the shots' own sound (gain, mute, solo, the clip-sound
    lane's settings) or a crossfade. Lane settings with no clips on them change nothing, so they do not count.
    """
    if project.audio:
        return True
    clip_lane = next((lane for lane in project.lanes if lane.id == CLIP_SOUND_LANE), None)
    if clip_lane is not None and (clip_lane.gain_db != 0 or clip_lane.muted or clip_lane.solo):
        return True
    return any(
        shot.gain_db != 0
        or shot.muted
        or shot.solo
        or (shot.transition_out.kind is TransitionKind.CROSSFADE and shot.transition_out.duration_us > 0)
        for shot in project.shots
    )


def preview_settings(project: Project) -> ExportSettings:
    """The whole timeline in the project's own frame and sample rate, levels as mixed (no loudness pass)."""
    return replace(ExportSettings.for_project(project), loudness_lufs=None, lossless=False)


def preview_mix_of(project: Project, bundle: ProjectBundle) -> AudioMix:
    """The export's mix of the whole timeline. Raises EditError (e.g. a shot without a take) or MediaMissing."""
    plan = plan_export(project, preview_settings(project), bundle.resolve)
    return build_mix(project, plan, bundle.resolve)


def preview_key(mix: AudioMix) -> str:
    """A name for this exact mix of these exact files. Raises MediaMissing when a sound's file is gone."""
    digest = hashlib.sha1(f"{_MIX_FORMAT}|{mix!r}".encode())
    for source in sorted({sound.source for sound in mix.sounds}):
        try:
            stat = source.stat()
        except FileNotFoundError:
            raise MediaMissing(
                f"The sound file {source.name} is missing (looked for {source}). "
                "Relink it or remove it from its lane to hear the mix."
            ) from None
        digest.update(f"|{source}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def preview_path(bundle: ProjectBundle, key: str) -> Path:
    return bundle.cache_dir / PREVIEW_FOLDER / f"mix-{key}.wav"


def preview_mix(project: Project, bundle: ProjectBundle) -> Path:
    """The WAV of the timeline's mix: reused when this mix was rendered before, else rendered now (blocking).

    Raises EditError / MediaMissing with a sentence for the creator when the timeline cannot be mixed yet.
    """
    check_lengths(project, bundle)  # a take declared a day long would be mixed a day long (62 GB in memory)
    mix = preview_mix_of(project, bundle)
    dest = preview_path(bundle, preview_key(mix))
    if cached(dest):
        _touch(dest)  # still in use: pruning keeps the most recently used
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    # written beside and renamed, so the player never opens a half-written file
    partial = dest.with_name(f".{dest.stem}.{uuid.uuid4().hex[:8]}.partial.wav")
    try:
        write_wav(mix, partial)
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    _prune(dest.parent, keep=dest)
    return dest


async def make_preview(project: Project, bundle: ProjectBundle) -> Path:
    """`preview_mix` on a worker thread, for the async runner."""
    return await to_preview_thread(preview_mix, project, bundle)


def start_preview(ctx: AppContext, session: ProjectSession) -> JobHandle[Path]:
    """Render the session's current mix on the runner. Call on the thread that owns the session: the project is
    captured now, so edits made while it renders belong to the next preview."""
    return ctx.runner.submit(make_preview(session.project, session.bundle))


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError as error:
        log.debug("Could not mark %s as used: %s", path, error)


def _prune(folder: Path, keep: Path) -> None:
    """Delete all but the `KEEP_PREVIEWS` most recently used previews (never `keep`)."""
    previews = sorted(folder.glob("mix-*.wav"), key=_used_at, reverse=True)
    for old in previews[KEEP_PREVIEWS:]:
        if old == keep:
            continue
        try:
            old.unlink(missing_ok=True)
        except OSError as error:  # e.g. still open in a player on Windows: it goes next time
            log.debug("Could not remove the old preview %s: %s", old, error)


def _used_at(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
