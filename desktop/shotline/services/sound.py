"""Music and voice-over: bring sound files onto a lane, and change clips, lanes and a shot's own sound by name."""

from __future__ import annotations

from pathlib import Path

from shotline.core import commands
from shotline.core.errors import MediaUnreadable
from shotline.core.model import AudioClip, Transition, TransitionKind, Trim, new_id
from shotline.services.intake import NewMedia, check, shown, source
from shotline.services.session import ProjectSession
from shotline.services.take_loudness import measure_on_import
from shotline.storage.bundle import ProjectBundle


def prepare_sound(
    bundle: ProjectBundle, path: Path, lane_id: str, start_us: int, new_media: NewMedia | None = None
) -> AudioClip:
    """Check a file and copy it into media/ as an audio clip (not yet in the project; may run off the GUI thread).
    The copy is noted in `new_media`, for a caller that may still fail to remove."""
    path = source(path)
    info = check(path)
    if not info.has_audio:
        raise MediaUnreadable(f"{path.name} has no sound; choose a music or voice-over file (WAV, MP3, M4A…).")
    media = bundle.import_media(path)
    if new_media is not None:
        new_media.add(media)
    measure_on_import(bundle, media)  # off the GUI thread, so an export can set its gain at once
    return AudioClip(
        id=new_id(),
        media=media,
        lane=lane_id,
        start_us=max(0, start_us),
        trim=Trim(0, info.duration_us),
        info=info,
        source_name=shown(path.name),
    )


def add_sound(
    session: ProjectSession, path: Path, lane_id: str, start_us: int = 0, new_media: NewMedia | None = None
) -> AudioClip:
    """Place a sound file on a lane at `start_us`: one undoable step. Checks the lane before copying anything. The
    copy is noted in `new_media`, for a caller that may still fail (to save, say) to remove."""
    session.project.lane(lane_id)
    new = new_media or NewMedia(session.bundle)
    with new.removed_on_failure():
        clip = prepare_sound(session.bundle, path, lane_id, start_us, new)
        session.execute(commands.add_audio_clip(clip))
    return clip


def clip_ref(session: ProjectSession, ref: str) -> AudioClip:
    """An audio clip by id, or by 1-based position in the project's list of audio clips."""
    audio = session.project.audio
    if ref.isdigit() and 1 <= int(ref) <= len(audio):
        return audio[int(ref) - 1]
    return session.project.audio_clip(ref)


def crossfade(session: ProjectSession, shot_ref: str, duration_us: int) -> None:
    """Crossfade a shot into the next one (picture and sound); a zero length makes it a cut again."""
    shot = session.project.shot(shot_ref)
    kind = TransitionKind.CROSSFADE if duration_us > 0 else TransitionKind.CUT
    session.execute(commands.set_transition(shot.id, Transition(kind, duration_us if duration_us > 0 else 0)))
