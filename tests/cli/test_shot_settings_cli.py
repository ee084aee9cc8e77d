"""`add` and `shot set` accept only backends and models that exist, and leave a shot its model can make.

An unknown backend or model is refused with the list of choices (it used to be accepted, and every `generate`
failed after). A new backend starts on its default model and the shot is fitted to it as the window's inspector
fits it (`services.shots.fit_to_model`), so a 4 s shot on a 5–10 s model becomes 5 s instead of failing at
`generate`; a length or aspect the creator gave and the model cannot make is refused, never quietly changed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.registry import BackendRegistry
from shotline.core.model import GenerationSettings
from shotline.core.ports import BackendInfo
from shotline.services.shots import fit_to_model
from tests.cli.shotline_cli import info, ok, shotline

DEFAULT = GenerationSettings()


@pytest.fixture(scope="module")
def infos() -> list[BackendInfo]:
    return BackendRegistry(builtins=BUILTIN_SPECS, discover=False).infos()


@pytest.fixture(scope="module")
def longer(infos: list[BackendInfo]) -> BackendInfo:
    """A backend whose default model cannot make a shot of the default length."""
    return next(i for i in infos if i.default_model.min_duration_us > DEFAULT.duration_us)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    ok("new", tmp_path / "Film")
    return tmp_path / "Film.shotline"


def test_an_unknown_backend_is_refused_with_the_choices(project: Path, infos: list[BackendInfo]) -> None:
    refused = shotline("add", project, "--prompt", "A harbour", "--backend", "runwy")
    assert refused.code == 2 and "Traceback" not in refused.err
    assert "runwy" in refused.err
    assert all(backend.id in refused.err for backend in infos), refused.err
    assert info(project)["shots"] == []


def test_an_unknown_model_is_refused_with_that_backends_models(project: Path, longer: BackendInfo) -> None:
    refused = shotline("add", project, "--prompt", "A harbour", "--backend", longer.id, "--model", "gen9")
    assert refused.code == 2 and "'gen9'" in refused.err
    assert all(model.id in refused.err for model in longer.models), refused.err
    assert info(project)["shots"] == []


def test_a_new_backend_fits_the_shot_to_its_default_model(project: Path, longer: BackendInfo) -> None:
    ok("add", project, "--prompt", "A harbour at dawn", "--backend", longer.id)
    shot = info(project)["shots"][0]
    expected = fit_to_model(replace(DEFAULT, backend=longer.id), longer.default_model)
    assert (shot["backend"], shot["model"]) == (longer.id, longer.default_model.id)
    assert shot["duration_us"] == expected.duration_us != DEFAULT.duration_us
    model = longer.default_model
    assert model.min_duration_us <= shot["duration_us"] <= model.max_duration_us
    assert not model.durations_us or shot["duration_us"] in model.durations_us


def test_a_length_the_model_cannot_make_is_refused_not_changed(project: Path, longer: BackendInfo) -> None:
    asked = DEFAULT.duration_us / 1e6
    refused = shotline("add", project, "--prompt", "A harbour", "--backend", longer.id, "--duration", str(asked))
    assert refused.code == 2 and "--duration" in refused.err
    assert f"not {asked:g} s" in refused.err and longer.default_model.id in refused.err
    assert info(project)["shots"] == []


def test_shot_set_checks_and_fits_the_same_way(project: Path, longer: BackendInfo) -> None:
    ok("add", project, "--prompt", "A harbour at dawn", "--duration", str(DEFAULT.duration_us / 1e6))
    before = info(project)["shots"][0]

    refused = shotline("shot", "set", project, "1", "--backend", "runwy")
    assert refused.code == 2 and longer.id in refused.err and "Traceback" not in refused.err
    assert info(project)["shots"][0] == before

    said = ok("shot", "set", project, "1", "--backend", longer.id)
    shot = info(project)["shots"][0]
    expected = fit_to_model(replace(DEFAULT, backend=longer.id), longer.default_model)
    assert (shot["backend"], shot["model"], shot["duration_us"]) == (
        longer.id,
        longer.default_model.id,
        expected.duration_us,
    )
    assert f"{longer.id}/{longer.default_model.id}" in said and f"{expected.duration_us / 1e6:g} s" in said
