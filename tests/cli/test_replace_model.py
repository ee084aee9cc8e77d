"""Churn from the command line: `generate` names a retired model with its replacement and sends nothing;
`replace-model` shows what the replacement keeps or drops of each shot before it moves them, in one edit that
`restore` takes back; and `generate` says which settings a shot's model cannot take before it sends the job.

The retired model comes from a plug-in backend (tests/services/retired_models.py) until the catalogue marks one."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.model import GenerationSettings
from shotline.services.editing import add_shot
from shotline.services.session import ProjectSession
from tests.cli.shotline_cli import info, ok, shotline
from tests.services.retired_models import NEW, OLD

REPO = Path(__file__).resolve().parents[2]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003010100"
    "c9fe92ef0000000049454e44ae426082"
)


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test backend installed as a plug-in, as a third party's backend would be."""
    site = tmp_path / "site"
    dist = site / "retired_studio-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: retired-studio\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[shotline.backends]\nstudio = tests.services.retired_models:SPEC\n")
    paths = [str(site), str(REPO), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, paths)))


def _project(tmp_path: Path, *settings: GenerationSettings) -> Path:
    path = tmp_path / "Film.shotline"
    ok("new", path, "--size", "320x180")
    (tmp_path / "dusk.png").write_bytes(PNG)
    with ProjectSession.open(path) as session:
        dusk = session.bundle.import_media(tmp_path / "dusk.png")
        for number, generation in enumerate(settings, start=1):
            shot = add_shot(session, f"Shot {number}: a lighthouse at dusk", generation=generation)
            if generation.last_frame:
                moved = dataclasses.replace(generation, last_frame=dusk)
                session.execute(commands.set_generation(shot.id, moved))
        session.save()
    return path


ON_OLD = GenerationSettings(backend="studio", model=OLD.id, duration_us=8_000_000, seed=42, last_frame="dusk.png")


@pytest.mark.usefixtures("studio")
def test_a_retired_model_is_named_and_replaced_in_one_edit(tmp_path: Path) -> None:
    project = _project(tmp_path, ON_OLD, GenerationSettings(duration_us=2_000_000), ON_OLD)

    refused = shotline("generate", project, "--shot", "1")
    assert refused.code == 1 and "Traceback" not in refused.err
    assert "Studio One was retired by Test Studio on 2026-07-30; Studio Two replaces it." in refused.err
    assert "shotline replace-model" in refused.err
    assert ok("jobs", project).strip() == "No jobs yet."  # refused before anything was written down or sent

    shown = ok("replace-model", project)
    assert "studio/studio-one → studio/card: 2 shots" in shown
    assert "Shot 1: keeps sound; drops end frame" in shown and "seed 42; 8 s → 10 s made" in shown
    assert "$0.40 → $1.00 a take" in shown
    assert "Shot 3:" in shown and "Shot 2:" not in shown
    assert "Nothing is changed yet" in shown
    assert [shot["model"] for shot in info(project)["shots"]] == [OLD.id, "", OLD.id]

    moved = ok("replace-model", project, "--yes")
    assert "Moved 2 shots" in moved
    assert [shot["model"] for shot in info(project)["shots"]] == [NEW.id, "", NEW.id]
    assert ok("replace-model", project).strip() == "No shot uses a retired model."

    ok("restore", project)  # the one edit comes back whole
    assert [shot["model"] for shot in info(project)["shots"]] == [OLD.id, "", OLD.id]


@pytest.mark.usefixtures("studio")
def test_a_model_the_provider_says_is_gone_is_moved_by_name(tmp_path: Path) -> None:
    project = _project(tmp_path, dataclasses.replace(ON_OLD, model=NEW.id, duration_us=5_000_000, last_frame=None))
    without = shotline("replace-model", project, "studio/card")
    assert without.code == 0 and "Name the model to move its shots to" in without.err
    assert "Test Studio says Studio Two is no longer available" in without.err
    assert "--to" in without.err
    wrong = shotline("replace-model", project, "studio/card", "--to", "studio-one", "--yes")
    assert "cannot replace" in wrong.err and [s["model"] for s in info(project)["shots"]] == [NEW.id]


@pytest.mark.ffmpeg
def test_generate_says_what_the_model_cannot_take_before_sending(tmp_path: Path) -> None:
    """The animatic's title card takes no end frame and no seed; it used to drop both without a word."""
    card = GenerationSettings(backend="animatic", model="card", duration_us=2_000_000, seed=7, last_frame="dusk.png")
    project = _project(tmp_path, card)
    sent = shotline("generate", project, "--wait")
    assert sent.code == 0, sent.err
    said = [line for line in sent.err.splitlines() if line.startswith("Shot 1:")]
    assert len(said) == 1, sent.err
    assert said[0].startswith("Shot 1: Title card cannot take this shot's end frame")
    assert "cannot take this shot's end frame" in said[0] and "or seed 7: they will not be sent." in said[0]
    assert [shot["takes"] for shot in info(project)["shots"]] == [1]


@pytest.mark.usefixtures("studio")
def test_a_retired_model_is_given_to_no_shot(tmp_path: Path) -> None:
    project = _project(tmp_path, GenerationSettings(duration_us=2_000_000))
    refused = shotline("shot", "set", project, "1", "--backend", "studio", "--model", OLD.id)
    assert refused.code == 2, refused.err
    assert "Studio One was retired by Test Studio on 2026-07-30; Studio Two replaces it." in refused.err
    assert f"Choose --model {NEW.id}." in refused.err
    assert [shot["backend"] for shot in info(project)["shots"]] == ["animatic"]
    ok("shot", "set", project, "1", "--backend", "studio")  # its default, the served model
    assert [shot["model"] for shot in info(project)["shots"]] == [NEW.id]


@pytest.mark.usefixtures("studio")
def test_backends_names_a_retired_model_and_its_replacement() -> None:
    listed = ok("backends")
    assert f"{OLD.id:<20} Studio One (retired 2026-07-30; replaced by {NEW.id})" in listed
    assert f"{NEW.id:<20} Studio Two\n" in listed
    [studio] = [row for row in json.loads(ok("backends", "--json")) if row["id"] == "studio"]
    assert [(m["id"], m["retired"], m["replacement"]) for m in studio["models"]] == [
        (NEW.id, None, None),
        (OLD.id, "2026-07-30", NEW.id),
    ]
