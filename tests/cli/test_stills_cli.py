"""`shotline stills PROJECT SHOT --count N`: draft stills of a shot, printed as files, asked about before paying, and
picked as the shot's first frame or a cast member's picture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok, shotline
from tests.fakes.openai import KEY
from tests.fakes.openai_images import FakeOpenAIImages

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    made = tmp_path / "film.shotline"
    ok("new", made, "--size", "320x180", "--fps", "24")
    ok("add", made, "--prompt", "@Mara on the pier at dawn", "--duration", "5")
    return made


def _document(project: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((project / "project.json").read_text(encoding="utf-8"))
    return loaded


def test_animatic_stills_are_printed_listed_and_picked(project: Path) -> None:
    made = ok("stills", project, "1", "--count", "3", "--backend", "animatic").split()

    assert len(made) == 3 and len(set(made)) == 3
    for still in map(Path, made):
        assert still.parent == project / "media" and still.suffix == ".png" and still.stat().st_size > 0
    assert info(project)["shots"][0]["takes"] == 0, "a still is not a take"
    assert ok("stills", project, "1", "--list").split() == made

    assert "is now the shot's first frame" in ok("stills", project, "1", "--pick", made[1])
    (shot,) = _document(project)["shots"]  # type: ignore[misc]
    assert shot["generation"]["first_frame"] == f"media/{Path(made[1]).name}"
    ok("cast", "add", project, "Mara")
    assert "to Mara's pictures" in ok("stills", project, "1", "--pick", made[2], "--cast", "Mara")
    (member,) = _document(project)["cast"]  # type: ignore[misc]
    assert member["images"] == [f"media/{Path(made[2]).name}"]


def test_a_file_that_is_not_one_of_the_shots_stills_is_refused(project: Path, tmp_path: Path) -> None:
    stray = tmp_path / "stray.png"
    stray.write_bytes(b"not one of them")
    result = shotline("stills", project, "1", "--pick", stray)
    assert result.code != 0 and "stray.png is not one of this shot's stills" in result.err
    assert "Traceback" not in result.err


def test_paid_stills_are_priced_and_asked_about_before_anything_is_sent(project: Path) -> None:
    with FakeOpenAIImages() as fake:
        env = {"SHOTLINE_OPENAI_BASE_URL": fake.api_url, "OPENAI_API_KEY": KEY, "SHOTLINE_POLL_SECONDS": "0.05"}
        args = ("stills", project, "1", "--count", "2", "--backend", "openai", "--model", "gpt-image-1")
        refused = shotline(*args, stdin="n\n", env=env)
        assert refused.code != 0 and "Nothing was sent" in refused.err
        assert "2 still(s) with OpenAI-compatible (Sora 2) · GPT Image 1: ≈ $0.13" in refused.err
        assert "Drafting 2 still(s) is estimated at about $0.13. Start it?" in refused.err
        assert fake.made == 0 and json.loads(ok("jobs", project, "--json", env=env)) == []

        agreed = shotline(*args, stdin="y\n", env=env)
        assert agreed.code == 0, agreed.err
        assert fake.made == 2
        assert [Path(line).suffix for line in agreed.out.split()] == [".png", ".png"]
        jobs = json.loads(ok("jobs", project, "--json", env=env))
        assert [(job["phase"], job["estimated_cost"]) for job in jobs] == [("attached", "0.063")] * 2


def test_a_still_left_unfinished_is_collected_by_resume_as_a_picture(project: Path) -> None:
    from shotline.services.context import open_context
    from shotline.services.session import ProjectSession
    from shotline.services.stills import StillsService
    from shotline.storage.secrets import MemorySecretStore

    with open_context(secrets=MemorySecretStore()) as ctx, ProjectSession.open(project) as session:
        service = StillsService(ctx, session)
        (record,) = service.plan(session.project.shots[0].id, 1, backend="animatic")
        session.journal.add(record)  # journaled, never run: as after a crash before sending

    result = shotline("resume", project, "--wait")

    assert result.code == 0, result.err
    assert result.out.strip() == f"New still {project / 'media' / record.id}.png"
    assert info(project)["shots"][0]["takes"] == 0


def test_backends_lists_each_backends_still_models_apart_from_its_clip_models() -> None:
    listed = ok("backends")
    rows = {row["id"]: row for row in json.loads(ok("backends", "--json"))}

    assert "gpt-image-1          GPT Image 1 (stills)" in listed
    assert [still["id"] for still in rows["animatic"]["stills"]] == ["still-card"]
    assert [still["id"] for still in rows["openai"]["stills"]] == ["gpt-image-1", "gpt-image-1-mini"]
    assert "gpt-image-1" not in [model["id"] for model in rows["openai"]["models"]]
    assert rows["comfyui"]["stills"] == []
