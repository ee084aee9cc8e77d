"""The continuity check on projects built to have each kind of problem (real clips, probed and stored as the app stores
them): it finds each one, names the shot, offers fixes that mend it — and finds nothing in the demo project."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.model import GenerationRecord, GenerationSettings, Origin, Shot, Size, Take, Trim, new_id
from shotline.media.probe import probe
from shotline.services.context import AppContext, open_context
from shotline.services.continuity import Fix, Problem, check, frames_taken
from shotline.services.demo import open_or_create_demo
from shotline.services.session import ProjectSession
from shotline.storage.secrets import MemorySecretStore
from tests.clips import make_clip, run

pytestmark = pytest.mark.ffmpeg

SECOND = 1_000_000


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180), fps=Fraction(24)) as opened:
        yield opened


def _take(
    session: ProjectSession,
    tmp_path: Path,
    *,
    seconds: float = 1,
    asked_us: int | None = SECOND,
    size: tuple[int, int] = (320, 180),
    fps: str = "24",
    colour: str | None = None,
) -> Take:
    """A take of a real clip in the project; generated (asking `asked_us`) unless `asked_us` is None (imported)."""
    name = f"{new_id()}.mp4"
    clip = make_clip(tmp_path / name, seconds=seconds, size=size, fps=fps, colour=colour)
    info = probe(clip)
    record = None
    if asked_us is not None:
        request = {"duration_us": asked_us, "aspect": "16:9"}
        record = GenerationRecord(job_id=new_id(), backend="fal", model="kling-2.1", request=request)
    origin = Origin.IMPORTED if record is None else Origin.GENERATED
    media = session.bundle.import_media(clip)
    return Take(new_id(), media, origin, info, Trim(0, info.duration_us), record)


def _shot(session: ProjectSession, *takes: Take, title: str = "", **settings: object) -> Shot:
    shot = Shot(new_id(), "a harbour at dawn", title=title, generation=GenerationSettings(**settings))  # type: ignore[arg-type]
    session.execute(commands.add_shot(shot))
    for take in takes:
        session.execute(commands.attach_take(shot.id, take, pick=take is takes[0]))
    return session.project.shot(shot.id)


def _found(session: ProjectSession) -> list[tuple[Problem, int]]:
    return [(finding.problem, finding.number) for finding in check(session.project, session.bundle.resolve)]


def test_a_take_cut_short_is_found_and_a_take_of_the_asked_length_offered(
    session: ProjectSession, tmp_path: Path
) -> None:
    _shot(session, _take(session, tmp_path))
    cut = _take(session, tmp_path, seconds=1, asked_us=2 * SECOND)
    right = _take(session, tmp_path, seconds=2, asked_us=2 * SECOND)
    shot = _shot(session, cut, right, title="Harbour")

    [finding] = check(session.project, session.bundle.resolve)
    assert (finding.problem, finding.number, finding.shot_id) == (Problem.LENGTH, 2, shot.id)
    assert finding.text.startswith("Shot 2 (Harbour): its take is 1 s long, but 2 s was asked of fal/kling-2.1")
    assert "cut short" in finding.text
    assert [action.fix for action in finding.actions] == [Fix.REPICK, Fix.REGENERATE]
    assert finding.actions[0].label == "Pick take 2 (2 s)"

    command = finding.actions[0].command()
    assert command is not None
    session.execute(command)
    assert _found(session) == []


def test_a_take_longer_than_asked_is_found_until_it_is_trimmed_to_the_asked_length(
    session: ProjectSession, tmp_path: Path
) -> None:
    _shot(session, _take(session, tmp_path, seconds=2, asked_us=SECOND))
    [finding] = check(session.project, session.bundle.resolve)
    assert finding.problem is Problem.LENGTH and "longer than asked" in finding.text
    refit = finding.actions[0]
    assert refit.fix is Fix.REFIT and refit.label == "Trim to the 1 s asked"
    command = refit.command()
    assert command is not None
    session.execute(command)
    assert session.project.shots[0].duration_us == SECOND
    assert _found(session) == []


def test_lengths_within_a_frame_and_imported_takes_are_not_findings(session: ProjectSession, tmp_path: Path) -> None:
    _shot(session, _take(session, tmp_path, seconds=1, asked_us=SECOND + 30_000))  # under one 24 fps frame
    _shot(session, _take(session, tmp_path, seconds=1, asked_us=None))  # imported: nothing was asked
    # the creator's own trim of a take made as asked is theirs, not a finding
    trimmed = _take(session, tmp_path, seconds=2, asked_us=2 * SECOND)
    _shot(session, replace(trimmed, trim=Trim(250_000, 750_000)))
    assert _found(session) == []


def test_a_take_at_another_aspect_is_found_with_a_generate_at_the_films_aspect(
    session: ProjectSession, tmp_path: Path
) -> None:
    tall = _take(session, tmp_path, size=(180, 320))
    _shot(session, tall, aspect="9:16")
    [finding] = check(session.project, session.bundle.resolve)
    assert finding.problem is Problem.ASPECT
    assert finding.text == "Shot 1: its take is 180×320 (9:16), in a 16:9 film: the export will put bars around it."
    [regenerate] = finding.actions
    assert regenerate.fix is Fix.REGENERATE and regenerate.label == "Generate again at 16:9"
    assert regenerate.settings is not None and regenerate.settings.aspect == "16:9"
    # 16:9 at another size is the film's shape
    session.execute(commands.attach_take(session.project.shots[0].id, _take(session, tmp_path, size=(640, 360))))
    assert _found(session) == []


def test_a_take_at_another_frame_rate_is_found(session: ProjectSession, tmp_path: Path) -> None:
    _shot(session, _take(session, tmp_path, fps="30"), _take(session, tmp_path, fps="24"))
    [finding] = check(session.project)
    assert finding.problem is Problem.FRAME_RATE
    assert finding.text.startswith("Shot 1: its take runs at 30 fps in a 24 fps film")
    assert [action.label for action in finding.actions] == ["Pick take 2 (1 s)", "Generate again"]


def test_a_shot_set_to_continue_that_starts_on_another_picture_is_found(
    session: ProjectSession, tmp_path: Path
) -> None:
    _shot(session, _take(session, tmp_path, colour="darkred"))
    _shot(session, _take(session, tmp_path, colour="darkred"), continues=True)  # picks up where shot 1 ends
    jump = _shot(session, _take(session, tmp_path, colour="navy"), continues=True)
    _shot(session, _take(session, tmp_path, colour="darkred"))  # not set to continue: a cut is the creator's own

    [finding] = check(session.project, session.bundle.resolve)
    assert (finding.problem, finding.number, finding.shot_id) == (Problem.SEAM, 3, jump.id)
    assert "Shot 3 is set to continue from shot 2, but its first frame differs visibly" in finding.text
    [action] = finding.actions
    assert action.fix is Fix.REGENERATE and action.from_previous
    assert action.label == "Start from shot 2's last frame again and generate"
    assert check(session.project) == []  # without a way to read the files, seams are not looked at


def test_a_seam_offers_a_take_that_starts_where_the_shot_before_ends_and_says_when_its_model_cannot_start_there(
    session: ProjectSession, tmp_path: Path
) -> None:
    _shot(session, _take(session, tmp_path, colour="darkred"))
    jump, match = _take(session, tmp_path, colour="navy"), _take(session, tmp_path, colour="darkred")
    shot = _shot(session, jump, match, continues=True)

    [finding] = check(session.project, session.bundle.resolve, starts_from_frame=lambda shot: True)
    assert [action.label for action in finding.actions] == [
        "Pick take 2 (1 s)",
        "Start from shot 1's last frame again and generate",
    ]
    [finding] = check(session.project, session.bundle.resolve, starts_from_frame=lambda shot: False)
    assert finding.text.endswith("Its model cannot start from a given frame: choose one that can, then generate.")
    assert [action.fix for action in finding.actions] == [Fix.REPICK]
    # the catalogue's answer: the offline title cards start from no frame
    with open_context(secrets=MemorySecretStore()) as ctx:
        assert not frames_taken(ctx.registry)(shot)

    command = finding.actions[0].command()
    assert command is not None
    session.execute(command)
    assert _found(session) == []


def test_a_seam_is_measured_where_the_trims_meet(session: ProjectSession, tmp_path: Path) -> None:
    # one clip, red for its first second and blue for its second: used by two shots, it meets itself red to blue
    # played whole, and red to red when shot 1 ends inside the red second
    clip = tmp_path / "red-then-blue.mp4"
    colours = [f"color=c={c}:s=320x180:r=24:d=1" for c in ("darkred", "navy")]
    run(["-f", "lavfi", "-i", colours[0], "-f", "lavfi", "-i", colours[1], "-filter_complex", "concat=n=2:v=1:a=0",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)])  # fmt: skip
    info = probe(clip)
    whole = Trim(0, info.duration_us)
    take = Take(new_id(), session.bundle.import_media(clip), Origin.IMPORTED, info, whole)
    _shot(session, take)
    _shot(session, replace(take, id=new_id()), continues=True)
    assert [problem for problem, _ in _found(session)] == [Problem.SEAM]
    session.execute(commands.trim_shot(session.project.shots[0].id, 0, SECOND // 2))
    assert _found(session) == []


def test_a_cast_member_the_model_was_not_given_is_found_through_the_casts_hook(
    session: ProjectSession, tmp_path: Path
) -> None:
    _shot(session, _take(session, tmp_path), title="Market")
    [finding] = check(session.project, session.bundle.resolve, lambda project, shot: ("Mara", "Old Port"))
    assert finding.problem is Problem.CAST_DROPPED
    assert (
        finding.text == "Shot 1 (Market): its take was made without @Mara, @Old Port (its model had no place for them)."
    )
    assert [action.fix for action in finding.actions] == [Fix.REGENERATE]


@pytest.mark.slow
def test_the_demo_project_has_nothing_to_find(tmp_path: Path) -> None:
    with open_context(secrets=MemorySecretStore()) as ctx:
        _demo_is_clean(ctx, tmp_path)


def _demo_is_clean(ctx: AppContext, tmp_path: Path) -> None:
    with open_or_create_demo(ctx, tmp_path / "demo.shotline") as demo:
        assert demo.project.shots and all(shot.picked_take for shot in demo.project.shots)
        assert check(demo.project, demo.bundle.resolve) == []


def test_a_shot_set_to_continue_stays_set_through_a_save_and_others_write_nothing_new(
    session: ProjectSession, tmp_path: Path
) -> None:
    _shot(session, _take(session, tmp_path))
    _shot(session, _take(session, tmp_path), continues=True)
    session.save()
    path = session.bundle.path
    session.close()
    saved = json.loads((path / "project.json").read_text(encoding="utf-8"))
    assert ["continues" in shot["generation"] for shot in saved["shots"]] == [False, True]
    with ProjectSession.open(path) as again:
        assert [shot.generation.continues for shot in again.project.shots] == [False, True]
