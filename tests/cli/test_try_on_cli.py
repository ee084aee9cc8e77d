"""`shotline generate --shot N --try BACKEND/MODEL …`: one shot on several models, against the fake Runway and fal
servers — what each pair makes and costs said before sending, a paid one asked first, one job per pair, each paid
once through faults and resumes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.cli.shotline_cli import copy_of, info, ok, shotline
from tests.fakes.fal import KEY as FAL_KEY
from tests.fakes.fal import FakeFal
from tests.fakes.runway import KEY as RUNWAY_KEY
from tests.fakes.runway import FakeRunway

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

TRY = ("--try", "runway/gen4.5", "--try", "fal/kling-3-standard")


@pytest.fixture(scope="module")
def one_shot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = tmp_path_factory.mktemp("made") / "film.shotline"
    ok("new", made, "--size", "320x180", "--fps", "24")
    ok("add", made, "--prompt", "A lighthouse at dawn, waves on the rocks", "--duration", "5")
    return made


@pytest.fixture
def project(tmp_path: Path, one_shot: Path) -> Path:
    return copy_of(one_shot, tmp_path)


@contextmanager
def _fakes(fal: FakeFal | None = None) -> Iterator[tuple[FakeRunway, FakeFal, dict[str, str]]]:
    runway = FakeRunway()
    with runway, fal or FakeFal() as fal_fake:
        env = {
            "SHOTLINE_RUNWAY_BASE_URL": runway.url,
            "RUNWAYML_API_SECRET": RUNWAY_KEY,
            "SHOTLINE_FAL_BASE_URL": fal_fake.url,
            "FAL_KEY": FAL_KEY,
            "SHOTLINE_POLL_SECONDS": "0.05",
        }
        yield runway, fal_fake, env


def _jobs(project: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok("jobs", project, "--json", env=env))
    return rows


def _takes(project: Path) -> int:
    (shot,) = info(project)["shots"]
    count: int = shot["takes"]
    return count


def test_a_shot_tried_on_two_models_gets_a_take_from_each_labelled_by_model_cost_and_time(project: Path) -> None:
    with _fakes() as (runway, fal, env):
        result = shotline("generate", project, "--shot", "1", *TRY, "--yes", "--wait", env=env)

        assert result.code == 0, result.err
        # before sending: per pair what it will make and cost, and the total
        assert "Shot 1 on 2 models:" in result.err
        assert "Runway · Gen-4.5: a 5 s clip at 16:9 · ≈ $0.60" in result.err
        assert "fal.ai · Kling 3.0 Standard: a 5 s clip at 16:9 · ≈ $0.63" in result.err
        assert "Total: ≈ $1.23" in result.err
        # one job per pair, each sent once, to its own model
        (create,) = runway.creates()
        assert create.json()["model"] == "gen4.5"
        (submit,) = fal.submits()
        assert submit.path == "/fal-ai/kling-video/v3/standard/text-to-video"
        jobs = _jobs(project, env)
        assert sorted((job["backend"], job["model"], job["phase"]) for job in jobs) == [
            ("fal", "kling-3-standard", "attached"),
            ("runway", "gen4.5", "attached"),
        ]
    assert _takes(project) == 2
    # the landed takes, captioned as the comparison captions them
    assert "Take 1 · Runway · Gen-4.5  $0.60 billed · made in " in result.out
    assert "Take 2 · fal.ai · Kling 3.0 Standard  ≈ $0.63 · not reported · made in " in result.out


def test_a_paid_try_on_asks_first_and_a_no_sends_and_writes_nothing(project: Path) -> None:
    with _fakes() as (runway, fal, env):
        refused = shotline("generate", project, "--shot", "1", *TRY, "--wait", stdin="n\n", env=env)
        unanswered = shotline("generate", project, "--shot", "1", *TRY, "--wait", env=env)  # a script: no input

        for result in (refused, unanswered):
            assert result.code == 1 and "Traceback" not in result.err
            assert "Trying shot 1 on 2 models is estimated at about $1.23." in result.err
            assert "Nothing was sent. To start a paid try-on without being asked, add --yes." in result.err
        assert runway.creates() == [] and fal.submits() == []
        assert _jobs(project, env) == []

        agreed = shotline("generate", project, "--shot", "1", *TRY, "--wait", stdin="y\n", env=env)
        assert agreed.code == 0, agreed.err
        assert len(runway.creates()) == len(fal.submits()) == 1
    assert _takes(project) == 2


def test_a_pair_whose_provider_refuses_costs_nothing_and_the_others_take_lands(project: Path) -> None:
    with _fakes(FakeFal(exhausted=True)) as (runway, fal, env):
        result = shotline("generate", project, "--shot", "1", *TRY, "--yes", "--wait", env=env)

        assert result.code == 1 and "Traceback" not in result.err
        assert "1 of 2 pair(s) failed" in result.err
        assert "Take 1 · Runway · Gen-4.5  $0.60 billed" in result.out
        costs = {job["backend"]: (job["phase"], job["cost"]) for job in _jobs(project, env)}
        assert costs == {"runway": ("attached", "$0.60 billed"), "fal": ("failed", "$0.00 · not sent")}

        resumed = ok("resume", project, "--wait", env=env)  # nothing is left to finish, so nothing is sent again
        assert "No unfinished jobs." in resumed
        assert len(runway.creates()) == len(fal.submits()) == 1
    assert _takes(project) == 1


def test_a_try_on_sent_then_collected_through_a_cut_download_is_paid_once(project: Path) -> None:
    with _fakes() as (runway, fal, env):
        ok("generate", project, "--shot", "1", *TRY, "--yes", env=env)  # sent, not waited for
        assert len(runway.creates()) == len(fal.submits()) == 1
        fal.files.inject("GET", r"/files/.*", kind="truncate")  # the clip's first download is cut off

        ok("resume", project, "--wait", env=env)
        again = ok("resume", project, "--wait", env=env)

        assert fal.files.count("GET", r"/files/.*") == 2  # the cut download, fetched again from the provider
        assert "No unfinished jobs." in again
        assert len(runway.creates()) == len(fal.submits()) == 1  # each pair created once, whatever happened
        assert sorted(job["phase"] for job in _jobs(project, env)) == ["attached", "attached"]
    assert _takes(project) == 2


def test_a_pair_whose_create_answer_is_lost_is_never_sent_again(project: Path) -> None:
    with _fakes() as (runway, fal, env):
        # Runway made the task, but its answer never arrived: sending again might pay for a second one
        runway.inject("POST", r"/v1/text_to_video", kind="drop", after_handler=True)
        result = shotline("generate", project, "--shot", "1", *TRY, "--yes", "--wait", env=env)

        assert result.code == 1 and "Traceback" not in result.err
        assert "check your provider dashboard before generating again" in result.err
        assert "Take 1 · fal.ai · Kling 3.0 Standard" in result.out
        assert "No unfinished jobs." in ok("resume", project, "--wait", env=env)
        assert len(runway.creates()) == len(fal.submits()) == 1
        costs = {job["backend"]: (job["phase"], job["cost"]) for job in _jobs(project, env)}
        # counted as possibly billed, never as free
        assert costs == {
            "runway": ("uncertain", "≈ $0.60 · not reported"),
            "fal": ("attached", "≈ $0.63 · not reported"),
        }
    assert _takes(project) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--shot", "1", "--try", "runway/gen4.5", "--try", "runway"), "runway/gen4.5 is given twice"),
        (("--shot", "1", "--try", "runway/gen4.5"), "2 to 4 backend/model pairs at once, not 1"),
        (("--try", "runway/gen4.5", "--try", "fal/kling-3-standard"), "--try needs one --shot"),
        (("--shot", "1", "--try", "runway/gen4.5", "--try", "fal/kling-9"), "fal.ai has no model 'kling-9'"),
    ],
)
def test_a_try_on_that_cannot_go_as_asked_sends_and_writes_nothing(
    project: Path, args: tuple[str, ...], said: str
) -> None:
    env = {"RUNWAYML_API_SECRET": RUNWAY_KEY, "FAL_KEY": FAL_KEY, "SHOTLINE_RUNWAY_BASE_URL": "http://127.0.0.1:9"}
    result = shotline("generate", project, *args, "--yes", "--wait", env=env)

    assert result.code != 0 and "Traceback" not in result.err
    assert said in result.err
    assert not (project / "jobs.sqlite").exists() or _journal_rows(project) == 0


def _journal_rows(project: Path) -> int:
    with sqlite3.connect(project / "jobs.sqlite") as db:
        (count,) = db.execute("select count(*) from jobs").fetchone()
    return int(count)
