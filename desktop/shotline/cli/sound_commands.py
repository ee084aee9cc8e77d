"""Commands for the film's sound: music and voice-over clips, lane settings, a shot's own sound, crossfades.

Each command that changes something prints the thing as it now is, so a script (or a person) sees what happened.
Clips are named by id or by their 1-based number in `shotline sound list`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from shotline.cli.naming import named
from shotline.cli.params import TIME
from shotline.cli.session_scope import editing, reading, saved
from shotline.cli.shot_settings import shot_set
from shotline.core import commands
from shotline.core.model import AudioClip, AudioLane, LaneKind, Project, Shot, TransitionKind
from shotline.core.timecode import format_time
from shotline.core.timeline import crossfades, describe_film_length
from shotline.services.intake import NewMedia
from shotline.services.session import ProjectSession
from shotline.services.sound import add_sound, clip_ref, crossfade

GAIN = click.FloatRange(min=-60, max=24)
"""The gain range the edits accept; checked here too so a typo is a usage error (exit 2) before the project opens."""


def _gain(db: float) -> str:
    return f"{db:+.1f} dB"


def _flags(muted: bool, solo: bool) -> str:
    return " ".join(word for word, on in (("muted", muted), ("solo", solo)) if on) or "-"


def _clip_line(project: Project, clip: AudioClip) -> str:
    number = project.audio.index(clip) + 1
    return (
        f"{number:>3}  {clip.id[:8]}  {clip.lane:<8} at {format_time(clip.start_us)}  "
        f"length {format_time(clip.duration_us)}{_looped(clip)}  gain {_gain(clip.gain_db)}  "
        f"fades {format_time(clip.fade_in_us)}/{format_time(clip.fade_out_us)}  "
        f"{_flags(clip.muted, clip.solo)}  {clip.source_name}"
    )


def _looped(clip: AudioClip) -> str:
    return f" (loops its {format_time(clip.trim.duration_us)})" if clip.loop_us > clip.trim.duration_us else ""


def _lane_line(lane: AudioLane) -> str:
    duck = f"duck {_gain(lane.duck_db)} release {format_time(lane.duck_release_us)}" if lane.duck_db < 0 else "no duck"
    return f"{lane.id:<8} {lane.name:<12} gain {_gain(lane.gain_db)}  {duck}  {_flags(lane.muted, lane.solo)}"


def _shot_line(project: Project, shot: Shot) -> str:
    number = project.index_of(shot.id) + 1
    count = len(shot.dialogue)
    speech = f"dialogue ({count} line{'s' if count != 1 else ''})" if count else "no dialogue"
    out = shot.transition_out
    handover = f"crossfade {format_time(out.duration_us)}" if out.kind is TransitionKind.CROSSFADE else "cut"
    return (
        f"shot {number} ({shot.id[:8]})  sound gain {_gain(shot.gain_db)}  {_flags(shot.muted, shot.solo)}  "
        f"{speech}  then {handover}"
    )


def _clip_json(project: Project, clip: AudioClip) -> dict[str, Any]:
    return {
        "number": project.audio.index(clip) + 1,
        "id": clip.id,
        "lane": clip.lane,
        "source_name": clip.source_name,
        "media": clip.media,
        "start_us": clip.start_us,
        "end_us": clip.end_us,
        "trim_us": {"in": clip.trim.in_us, "out": clip.trim.out_us},
        "duration_us": clip.duration_us,
        "gain_db": clip.gain_db,
        "muted": clip.muted,
        "solo": clip.solo,
        "fade_in_us": clip.fade_in_us,
        "fade_out_us": clip.fade_out_us,
        "loop_us": clip.loop_us,
    }


def _lane_json(lane: AudioLane) -> dict[str, Any]:
    return {
        "id": lane.id,
        "name": lane.name,
        "kind": str(lane.kind),
        "gain_db": lane.gain_db,
        "muted": lane.muted,
        "solo": lane.solo,
        "duck_db": lane.duck_db,
        "duck_release_us": lane.duck_release_us,
    }


def _changes(**given: Any) -> dict[str, Any]:
    """The options the creator gave (None means not given), or a usage error if there were none."""
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise click.UsageError("Nothing to change; give at least one option (see --help).")
    return changes


def _echo_clip(session: ProjectSession, clip_id: str) -> None:
    saved(session)
    project = session.project
    click.echo(_clip_line(project, project.audio_clip(clip_id)))


@click.group()
def sound() -> None:
    """Music and voice-over clips on the audio lanes."""


@sound.command("add")
@click.argument("project")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--lane", "lane_id", default="music", show_default=True, help="Lane id: music, voice or another.")
@click.option("--at", "at", type=TIME, default=0, help="Where the sound starts on the timeline (default 0).")
def sound_add(project: str, file: Path, lane_id: str, at: int) -> None:
    """Place a sound FILE on a lane; prints the new clip."""
    with editing(project) as session:
        lane = session.project.lane(lane_id)
        if lane.kind is LaneKind.CLIPS:
            # Checked before the file is copied into the project, so a refused add leaves nothing behind.
            raise click.BadParameter(
                f"the {lane.name} lane carries the shots' own sound; use --lane music or --lane voice",
                param_hint="--lane",
            )
        new_media = NewMedia(session.bundle)
        with new_media.removed_on_failure():  # saved here, so a save that fails leaves no copy behind either
            clip = add_sound(session, file, lane.id, at, new_media)
            session.save()
        _echo_clip(session, clip.id)


@sound.command("list")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def sound_list(project: str, as_json: bool) -> None:
    """Show the audio clips (number, lane, start, length, gain, fades, mute/solo) and the lanes' settings."""
    with reading(project) as session:
        project_now = session.project
    if as_json:
        report = {
            "clips": [_clip_json(project_now, clip) for clip in project_now.audio],
            "lanes": [_lane_json(lane) for lane in project_now.lanes],
        }
        click.echo(json.dumps(report, indent=2))
        return
    click.echo("Sound clips:" if project_now.audio else "No sound clips yet; add one with `shotline sound add`.")
    for clip in project_now.audio:
        click.echo(_clip_line(project_now, clip))
    click.echo("Lanes:")
    for lane in project_now.lanes:
        click.echo(f"  {_lane_line(lane)}")


@sound.command("move")
@click.argument("project")
@click.argument("clip")
@click.option("--at", "at", type=TIME, required=True, help="New start on the timeline.")
@click.option("--lane", "lane_id", default=None, help="Move it to this lane as well.")
def sound_move(project: str, clip: str, at: int, lane_id: str | None) -> None:
    """Move CLIP (id or number) to another time, and optionally another lane."""
    with editing(project) as session:
        target = clip_ref(session, clip)
        session.execute(commands.move_audio_clip(target.id, at, lane_id))
        _echo_clip(session, target.id)


@sound.command("trim")
@click.argument("project")
@click.argument("clip")
@click.option("--in", "in_", type=TIME, required=True, help="Time in the sound file where the clip starts playing.")
@click.option("--out", type=TIME, required=True, help="Time in the sound file where it stops.")
def sound_trim(project: str, clip: str, in_: int, out: int) -> None:
    """Set which part of CLIP's sound file plays; its start on the timeline stays put. A looped clip repeats the new
    part for as long as it played before."""
    with editing(project) as session:
        target = clip_ref(session, clip)
        session.execute(commands.trim_audio_clip(target.id, in_, out))
        _echo_clip(session, target.id)


@sound.command("fit")
@click.argument("project")
@click.argument("clip")
def sound_fit(project: str, clip: str) -> None:
    """Make CLIP end with the film: a shorter sound loops to the film's end, a longer one is cut there; both fade out
    briefly at the end. One undo step."""
    with editing(project) as session:
        target = clip_ref(session, clip)
        session.execute(commands.fit_audio_clip(target.id))
        _echo_clip(session, target.id)


@sound.command("length")
@click.argument("project")
@click.argument("clip")
@click.argument("length", type=TIME)
def sound_length(project: str, clip: str, length: int) -> None:
    """Make CLIP play for LENGTH from its start: longer than its trimmed sound, it loops that sound (each repeat
    crossfading into the next); as long or shorter, it plays once, cut there. Fades shorten to fit. One undo step."""
    with editing(project) as session:
        target = clip_ref(session, clip)
        session.execute(commands.set_audio_clip_length(target.id, length))
        _echo_clip(session, target.id)


@sound.command("set")
@click.argument("project")
@click.argument("clip")
@click.option("--gain", type=GAIN, default=None, help="Gain in dB (-60 to +24).")
@click.option("--mute/--unmute", "muted", default=None, help="Silence the clip, or play it again.")
@click.option("--solo/--unsolo", "solo", default=None, help="Play only soloed things while any is soloed.")
@click.option("--fade-in", type=TIME, default=None, help="Fade-in length.")
@click.option("--fade-out", type=TIME, default=None, help="Fade-out length.")
def sound_set(
    project: str,
    clip: str,
    gain: float | None,
    muted: bool | None,
    solo: bool | None,
    fade_in: int | None,
    fade_out: int | None,
) -> None:
    """Change CLIP's gain, mute, solo or fades."""
    changes = _changes(gain_db=gain, muted=muted, solo=solo, fade_in_us=fade_in, fade_out_us=fade_out)
    with editing(project) as session:
        target = clip_ref(session, clip)
        session.execute(commands.set_audio_clip(target.id, **changes))
        _echo_clip(session, target.id)


@sound.command("remove")
@click.argument("project")
@click.argument("clip")
def sound_remove(project: str, clip: str) -> None:
    """Take CLIP off its lane (its file stays in the project folder)."""
    with editing(project) as session:
        target = clip_ref(session, clip)
        session.execute(commands.remove_audio_clip(target.id))
        saved(session)
        click.echo(f"Removed {target.source_name or target.id} from the {target.lane} lane.")


@click.group()
def lane() -> None:
    """Settings of an audio lane (clips, music, voice)."""


@lane.command("set")
@click.argument("project")
@click.argument("lane_id", metavar="LANE")
@click.option("--gain", type=GAIN, default=None, help="Gain in dB for everything on the lane.")
@click.option("--mute/--unmute", "muted", default=None, help="Silence the lane, or play it again.")
@click.option("--solo/--unsolo", "solo", default=None, help="Play only soloed things while any is soloed.")
@click.option("--duck", type=click.FloatRange(min=-60, max=0), default=None, help="Lower by this many dB (<= 0)...")
@click.option("--release", type=TIME, default=None, help="...and come back up over this long after speech ends.")
def lane_set(
    project: str,
    lane_id: str,
    gain: float | None,
    muted: bool | None,
    solo: bool | None,
    duck: float | None,
    release: int | None,
) -> None:
    """Change LANE's gain, mute, solo, or how far it ducks under dialogue and voice-over (0 = no ducking)."""
    changes = _changes(gain_db=gain, muted=muted, solo=solo, duck_db=duck, duck_release_us=release)
    with editing(project) as session:
        session.execute(commands.set_lane(session.project.lane(lane_id).id, **changes))
        saved(session)
        click.echo(_lane_line(session.project.lane(lane_id)))


@click.group()
def shot() -> None:
    """A shot's own settings."""


shot.add_command(shot_set)  # what the shot asks its backend for (cli.shot_settings, shared with `add`)


@shot.command("sound")
@click.argument("project")
@click.argument("shot_ref", metavar="SHOT")
@click.option("--gain", type=GAIN, default=None, help="Gain in dB of the shot's own sound.")
@click.option("--mute/--unmute", "muted", default=None, help="Silence the shot's sound, or play it again.")
@click.option("--solo/--unsolo", "solo", default=None, help="Play only soloed things while any is soloed.")
def shot_sound(project: str, shot_ref: str, gain: float | None, muted: bool | None, solo: bool | None) -> None:
    """Change SHOT's own sound (id or position): gain, mute, solo. A shot with dialogue lines (`shotline line add`)
    carries speech: the music ducks under it."""
    changes = _changes(gain_db=gain, muted=muted, solo=solo)
    with editing(project) as session:
        target = session.project.shot(shot_ref)
        session.execute(commands.set_shot_sound(target.id, **changes))
        saved(session)
        click.echo(_shot_line(session.project, session.project.shot(target.id)))


@click.command("crossfade")
@click.argument("project")
@click.argument("shot_ref", metavar="SHOT")
@click.argument("length", type=TIME)
def crossfade_command(project: str, shot_ref: str, length: int) -> None:
    """Crossfade SHOT into the next one over LENGTH (picture and sound); 0 makes it a cut again."""
    with editing(project) as session:
        target = session.project.shot(shot_ref)
        crossfade(session, target.id, length)
        saved(session)
        click.echo(_handover_line(session.project, target.id))


def _handover_line(project: Project, shot_id: str) -> str:
    """What SHOT now does into the next one, in the frames the export blends, and the film's length after it."""
    number = project.index_of(shot_id) + 1
    outgoing, incoming = project.shots[number - 1], project.shots[number]
    blend = next((fade for fade in crossfades(project) if fade.outgoing.shot.id == shot_id), None)
    if blend is None:
        handover = f"now cuts to {named(number + 1, incoming)}"
    else:
        length = format_time(outgoing.transition_out.duration_us)
        handover = f"now crossfades into {named(number + 1, incoming)} over {length} ({blend.frames} frames)"
    name = named(number, outgoing)
    return f"{name[0].upper()}{name[1:]} {handover}; the film lasts {describe_film_length(project)}."


COMMANDS = [sound, lane, shot, crossfade_command]
