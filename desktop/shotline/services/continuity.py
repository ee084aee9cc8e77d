"""The continuity check: what in the film's picked takes is not what the creator asked for, shot by shot, each with
the fixes that would mend it — before an export (asked once, never a block) and on demand (`shotline check`, Film →
Check continuity…).

What it finds, per shot:
- LENGTH: the picked take's clip is not the length its request asked the model to make (a provider that silently
  cuts clips). The clip's own length counts, not its trim: a trim is the creator's own. A clip made longer than
  asked is found only while its trim still plays past the asked length — a trim to that length is the fix.
- ASPECT: the picked take's picture is another shape than the film's (a silent 16:9 in a vertical film).
- FRAME_RATE: the picked take runs at another rate than the film (the export repeats or drops its frames).
- SEAM: a shot set to continue from the previous one (`GenerationSettings.continues`) does not start on a picture
  like that shot's last one (`media.frame_likeness` says how alike is measured).
- CAST_DROPPED: a cast member the prompt mentions that the picked take's model was not given at all, neither a
  picture nor words (its request snapshot records where each member went: core.references).

The quick findings come from the project alone; the seam needs two frames decoded, so `check` is slow where a shot
continues another: call it off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from math import gcd
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from shotline.backends.registry import BackendRegistry
from shotline.core import commands
from shotline.core.commands import Command
from shotline.core.errors import MediaError
from shotline.core.lengths import seconds_text
from shotline.core.model import GenerationSettings, Project, Shot, Size, Take, Trim
from shotline.core.references import How, Placement, takes_first_frame
from shotline.media import frame_likeness
from shotline.services.shots import model_info

SEAM_LIMIT = 0.08
"""How different (0–1, `frame_likeness.difference`) the two frames at a seam may be before it is a finding. A clip
made from the previous shot's last frame starts within a few hundredths of it (re-encoding, the first moment of
motion); another place, light or framing is well past a tenth."""
ASPECT_TOLERANCE = Fraction(1, 100)
"""Shapes within 1% are the same to the eye (854×480 is 16:9 too); bars or a crop start beyond that."""
RATE_TOLERANCE = Fraction(1, 100)
"""Rates within 1% play alike (29.97 in a 30 fps film); beyond it the export visibly repeats or drops frames."""


class Problem(StrEnum):
    LENGTH = "length"
    ASPECT = "aspect"
    FRAME_RATE = "frame rate"
    SEAM = "seam"
    CAST_DROPPED = "cast dropped"


class Fix(StrEnum):
    REFIT = "refit"
    """An edit that mends the shot as it is (a trim to the length asked)."""
    REGENERATE = "regenerate"
    """Generate the shot again (after an edit of its settings, where the finding needs one)."""
    REPICK = "re-pick"
    """Pick another of the shot's takes that does not have the problem."""


@dataclass(frozen=True, slots=True)
class Action:
    """One fix for one shot, as a button says it and as the command line does it."""

    fix: Fix
    label: str
    """ "Pick take 2 (5 s)", "Trim to the 5 s asked", "Generate again at 9:16"."""
    shot_id: str
    take_id: str = ""
    """The take a re-pick picks."""
    trim: Trim | None = None
    """The trim a refit sets on the picked take."""
    settings: GenerationSettings | None = None
    """What a regenerate sets on the shot before it generates (None: as it is)."""
    from_previous: bool = False
    """A regenerate takes the shot's first frame from the previous shot's last frame again first."""

    def command(self) -> Command | None:
        """The undoable edit of this fix (a regenerate's settings change), None when there is no edit."""
        if self.fix is Fix.REPICK:
            return commands.pick_take(self.shot_id, self.take_id)
        if self.fix is Fix.REFIT and self.trim is not None:
            return commands.trim_shot(self.shot_id, self.trim.in_us, self.trim.out_us)
        if self.settings is not None:
            return commands.set_generation(self.shot_id, self.settings)
        return None

    def command_line(self, project: str, number: int, take_number: int = 0) -> str:
        """The `shotline` commands that do this fix, for the command line's report; "" when only the window can (a
        first frame taken again from the previous shot's last frame)."""
        if self.from_previous:
            return ""
        if self.fix is Fix.REPICK:
            return f"shotline pick {project} {number} {take_number}"
        if self.fix is Fix.REFIT and self.trim is not None:
            return f"shotline trim {project} {number} --in {_secs(self.trim.in_us)} --out {_secs(self.trim.out_us)}"
        steps = []
        if self.settings is not None:
            steps.append(f"shotline shot set {project} {number} --aspect {self.settings.aspect}")
        steps.append(f"shotline generate {project} --shot {number}")
        return " && ".join(steps)


@dataclass(frozen=True, slots=True)
class Finding:
    problem: Problem
    shot_id: str
    number: int
    """The shot's 1-based position when the check ran."""
    text: str
    """What is wrong, naming the shot: "Shot 3 (Harbour): its take is 3.2 s long, but 5 s was asked for."."""
    actions: tuple[Action, ...] = ()


CastDrops = Callable[[Project, Shot], Sequence[str]]
"""The names of the cast members `shot`'s prompt mentions that its picked take's model was not given."""


def dropped_from_take(project: Project, shot: Shot) -> Sequence[str]:
    """The members the picked take's request snapshot records as dropped, by their name now (a member renamed
    since is named as the creator knows it). A take made before the cast was carried records nothing."""
    take = shot.picked_take
    placed = take.generation.request.get("cast") if take is not None and take.generation is not None else None
    if not isinstance(placed, list):
        return ()
    names = {member.id: member.name for member in project.cast}
    dropped: list[str] = []
    for entry in placed:
        try:
            placement = Placement.from_json(entry)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # a snapshot this version cannot read says nothing of its cast
        if placement.how is How.DROPPED:
            dropped.append(names.get(placement.member_id, placement.name))
    return dropped


StartsFromFrame = Callable[[Shot], bool]
"""Whether `shot`'s model can start from a given first frame (`frames_taken` says it from the backends' catalogue)."""


def _any_model(shot: Shot) -> bool:
    return True


def frames_taken(registry: BackendRegistry) -> StartsFromFrame:
    """The catalogue's answer: the shot's model takes a first frame (an unknown model is given the benefit)."""

    def starts_from_frame(shot: Shot) -> bool:
        model = model_info(registry, shot.generation)
        return model is None or takes_first_frame(model)

    return starts_from_frame


def check(
    project: Project,
    resolve: Callable[[str], Path] | None = None,
    cast_drops: CastDrops = dropped_from_take,
    starts_from_frame: StartsFromFrame = _any_model,
) -> list[Finding]:
    """Every finding in `project`, in shot order. `resolve` turns a media path into its file, for the seams (None:
    seams are not looked at). Slow where a shot continues another: off the GUI thread."""
    found: list[Finding] = []
    for number, shot in enumerate(project.shots, start=1):
        take = shot.picked_take
        if take is None:
            continue
        found += _length(project, shot, number, take)
        found += _aspect(project, shot, number, take)
        found += _rate(project, shot, number, take)
        if resolve is not None and shot.generation.continues and number > 1:
            found += _seam(project, shot, number, take, resolve, starts_from_frame(shot))
        if names := cast_drops(project, shot):
            mentioned = ", ".join(f"@{name}" for name in names)
            text = f"{name_of(shot, number)}: its take was made without {mentioned} (its model had no place for them)."
            found.append(Finding(Problem.CAST_DROPPED, shot.id, number, text, (_regenerate(shot),)))
    return found


def name_of(shot: Shot, number: int) -> str:
    """ "Shot 3 (Harbour)"; "Shot 3" for a shot with no title, or one titled by its number."""
    title = shot.title.strip()
    return f"Shot {number} ({title})" if title and title.casefold() != f"shot {number}" else f"Shot {number}"


def asked_length(take: Take) -> int | None:
    """The length the take's request asked its model to make (µs); None for a take that was not generated."""
    if take.generation is None:
        return None
    asked = take.generation.request.get("duration_us")
    return asked if isinstance(asked, int) and not isinstance(asked, bool) and asked > 0 else None


def aspect_text(size: Size) -> str:
    """ "9:16" for 1080×1920."""
    common = gcd(size.width, size.height)
    return f"{size.width // common}:{size.height // common}"


def _frame_us(take: Take, project: Project) -> int:
    fps = take.info.fps or project.settings.fps
    return round(1_000_000 / fps)


def _length_off(take: Take, project: Project) -> bool:
    asked = asked_length(take)
    if asked is None:
        return False
    frame = _frame_us(take, project)
    made = take.info.duration_us
    if made < asked - frame:
        return True
    # longer than asked: the creator's trim to the asked length (or shorter) has already mended it
    return made > asked + frame and take.trim.duration_us > asked + frame


def _length(project: Project, shot: Shot, number: int, take: Take) -> Iterator[Finding]:
    if not _length_off(take, project):
        return
    asked = asked_length(take)
    assert asked is not None
    made = take.info.duration_us
    how = "cut short" if made < asked else "longer than asked"
    text = (
        f"{name_of(shot, number)}: its take is {seconds_text(made)} long, but {seconds_text(asked)} was asked of "
        f"{_model_of(take)} ({how})."
    )
    actions = [_repick(shot, other, project) for other in _others(shot) if not _length_off(other, project)]
    if made > asked:
        trim = Trim(take.trim.in_us, min(take.trim.in_us + asked, take.info.duration_us))
        actions.insert(0, Action(Fix.REFIT, f"Trim to the {seconds_text(asked)} asked", shot.id, trim=trim))
    actions.append(_regenerate(shot))
    yield Finding(Problem.LENGTH, shot.id, number, text, tuple(actions))


def _shape_off(take: Take, film: Size) -> bool:
    size = take.info.display_size
    if not take.info.has_video or size is None:
        return False
    return abs(size.aspect - film.aspect) > film.aspect * ASPECT_TOLERANCE


def _aspect(project: Project, shot: Shot, number: int, take: Take) -> Iterator[Finding]:
    film = project.settings.size
    if not _shape_off(take, film):
        return
    size = take.info.display_size
    assert size is not None
    wanted = aspect_text(film)
    text = (
        f"{name_of(shot, number)}: its take is {size.width}×{size.height} ({aspect_text(size)}), "
        f"in a {wanted} film: the export will put bars around it."
    )
    actions = [_repick(shot, other, project) for other in _others(shot) if not _shape_off(other, film)]
    if _ratio(shot.generation.aspect) != film.aspect:
        settings = replace(shot.generation, aspect=wanted)
        actions.append(Action(Fix.REGENERATE, f"Generate again at {wanted}", shot.id, settings=settings))
    else:
        actions.append(_regenerate(shot))
    yield Finding(Problem.ASPECT, shot.id, number, text, tuple(actions))


def _rate_off(take: Take, film_fps: Fraction) -> bool:
    fps = take.info.fps
    return take.info.has_video and fps is not None and abs(fps - film_fps) > film_fps * RATE_TOLERANCE


def _rate(project: Project, shot: Shot, number: int, take: Take) -> Iterator[Finding]:
    film_fps = project.settings.fps
    if not _rate_off(take, film_fps):
        return
    assert take.info.fps is not None
    text = (
        f"{name_of(shot, number)}: its take runs at {_fps_text(take.info.fps)} fps in a {_fps_text(film_fps)} fps "
        "film: the export will repeat or drop frames, and motion may stutter."
    )
    actions = [_repick(shot, other, project) for other in _others(shot) if not _rate_off(other, film_fps)]
    actions.append(_regenerate(shot))
    yield Finding(Problem.FRAME_RATE, shot.id, number, text, tuple(actions))


def _seam(
    project: Project, shot: Shot, number: int, take: Take, resolve: Callable[[str], Path], can_start: bool
) -> Iterator[Finding]:
    previous = project.shots[number - 2].picked_take
    if previous is None:
        return
    try:
        ending = frame_likeness.frame_at(resolve(previous.media), last_frame_us(previous, project))
        starting = frame_likeness.frame_at(resolve(take.media), take.trim.in_us)
    except (MediaError, OSError):
        return  # a missing or unreadable file is the relink's and the export's to name, not a continuity finding
    apart = frame_likeness.difference(ending, starting)
    if apart <= SEAM_LIMIT:
        return
    text = (
        f"{name_of(shot, number)} is set to continue from shot {number - 1}, but its first frame differs visibly "
        f"from that shot's last frame ({apart:.0%} apart; a continuation is within {SEAM_LIMIT:.0%})."
    )
    actions = [_repick(shot, other, project) for other in _others(shot) if _apart(ending, other, resolve) <= SEAM_LIMIT]
    if can_start:
        label = f"Start from shot {number - 1}'s last frame again and generate"
        actions.append(Action(Fix.REGENERATE, label, shot.id, from_previous=True))
    else:
        text += " Its model cannot start from a given frame: choose one that can, then generate."
    yield Finding(Problem.SEAM, shot.id, number, text, tuple(actions))


def _apart(ending: NDArray[np.float64], take: Take, resolve: Callable[[str], Path]) -> float:
    """How far `take`'s first played frame is from the picture `ending` (a take that cannot be read: all the way)."""
    try:
        return frame_likeness.difference(ending, frame_likeness.frame_at(resolve(take.media), take.trim.in_us))
    except (MediaError, OSError):
        return 1.0


def last_frame_us(take: Take, project: Project) -> int:
    """Where the last frame the take plays starts, on its clock."""
    return max(take.trim.in_us, take.trim.out_us - _frame_us(take, project))


def _others(shot: Shot) -> list[Take]:
    return [take for take in shot.takes if take.id != shot.picked_take_id and take.info.has_video]


def _repick(shot: Shot, take: Take, project: Project) -> Action:
    number = shot.takes.index(take) + 1
    return Action(Fix.REPICK, f"Pick take {number} ({seconds_text(take.duration_us)})", shot.id, take_id=take.id)


def _regenerate(shot: Shot) -> Action:
    take = shot.picked_take
    again = take is not None and take.generation is not None  # an imported clip was never generated
    return Action(Fix.REGENERATE, "Generate again" if again else "Generate a take", shot.id)


def _model_of(take: Take) -> str:
    record = take.generation
    assert record is not None
    return f"{record.backend}/{record.model}" if record.model else record.backend


def _ratio(aspect: str) -> Fraction | None:
    width, _, height = aspect.partition(":")
    try:
        return Fraction(int(width), int(height))
    except (ValueError, ZeroDivisionError):
        return None


def _fps_text(fps: Fraction) -> str:
    return f"{float(fps):.3f}".rstrip("0").rstrip(".")


def _secs(us: int) -> str:
    return f"{us / 1_000_000:.6f}".rstrip("0").rstrip(".")
