"""route() and snap_cuts_to_keyframes() on a real project bundle with imported clips."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.model import ExportSettings, Size, Trim
from shotline.services.importing import import_files
from shotline.services.lossless import SNAP_LABEL, route, snap_cuts_to_keyframes
from shotline.services.session import ProjectSession
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg

SIZE = Size(320, 180)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", size=SIZE) as opened:
        yield opened


def settings(session: ProjectSession) -> ExportSettings:
    return replace(ExportSettings.for_project(session.project), loudness_lufs=None)


def import_two(session: ProjectSession, tmp_path: Path) -> None:
    """Two 3-second clips with a keyframe every second (at 0, 1 and 2 s)."""
    clips = [
        make_clip(tmp_path / f"{name}.mp4", seconds=3, size=(320, 180), fps="24", audio=(48000, 2), gop=24)
        for name in ("dawn", "dusk")
    ]
    import_files(session, clips)


def test_an_empty_project_says_why_it_cannot_export(session: ProjectSession) -> None:
    decision = route(session, settings(session))
    assert not decision.lossless
    assert "no shots yet" in decision.reasons[0]


def test_imported_clips_cut_on_keyframes_copy_and_loudness_re_encodes(session: ProjectSession, tmp_path: Path) -> None:
    import_two(session, tmp_path)
    assert session.project.settings.fps == Fraction(24)
    assert route(session, settings(session)).lossless
    loud = route(session, replace(settings(session), loudness_lufs=-14.0))
    assert loud.route == "copy picture" and any("Loudness normalisation" in reason for reason in loud.reasons)


def test_snapping_is_one_undo_step_that_makes_the_export_lossless(session: ProjectSession, tmp_path: Path) -> None:
    import_two(session, tmp_path)
    first, second = session.project.shots
    session.execute(commands.trim_shot(first.id, 250_000, 2_500_000))
    session.execute(commands.trim_shot(second.id, 1_500_000, 3_000_000))
    trims_before = [shot.picked_take.trim for shot in session.project.shots]  # type: ignore[union-attr]
    decision = route(session, settings(session))
    assert not decision.lossless
    assert any("between keyframes" in reason for reason in decision.reasons)

    result = snap_cuts_to_keyframes(session)

    assert result.changed == 2 and result.skipped == ()
    trims = [shot.picked_take.trim for shot in session.project.shots]  # type: ignore[union-attr]
    assert trims == [Trim(1_000_000, 2_000_000), Trim(2_000_000, 3_000_000)]
    assert route(session, settings(session)).lossless
    assert session.history.undo_label == SNAP_LABEL
    session.undo()
    assert [shot.picked_take.trim for shot in session.project.shots] == trims_before  # type: ignore[union-attr]


def test_nothing_to_snap_records_no_step(session: ProjectSession, tmp_path: Path) -> None:
    import_two(session, tmp_path)
    label = session.history.undo_label
    assert snap_cuts_to_keyframes(session).changed == 0
    assert session.history.undo_label == label
