"""The model catalogue as data: shipped per backend, dated and sourced, a model several backends serve declared
once, and the creator's own entries read over the shipped ones."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.catalogue import SHARED, Catalogue, shipped
from shotline.core.lengths import LengthFit, fit_length
from shotline.core.ports import BackendInfo, BackendKind
from shotline.resources import resource
from tests.backends.kit import request

S = 1_000_000

CLOUDY = """
as_of = "2026-10-01"
source = "https://cloudy.example/models"

[models.v1]
label = "Cloudy 1"
lengths = [5, 10]
fit = "at_least"
aspects = ["16:9"]
audio = true

[models.v1.price]
per_second = "0.10"
per_second_with_audio = "0.15"
per_generation = "0.05"
per_second_by_resolution = { "1080p" = "0.40" }

[models.v2]
label = "Cloudy 2"
min_length = 2
max_length = 12.5
length_step = 0.5
price = "unknown"
route = { endpoint = "cloudy/v2" }

[models.veo]
shares = "veo-x"
label = "Veo X on Cloudy"
seed = false
price = { per_clip = { "4" = "1.00", "8" = "1.60" }, as_of = "2026-10-05", source = "https://cloudy.example/veo" }
"""

SHARED_MODELS = """
[models."veo-x"]
label = "Veo X"
lengths = [4, 8]
aspects = ["16:9", "9:16"]
first_last_frame = true
seed = true
"""


def _folder(tmp_path: Path, name: str, **files: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for stem, text in files.items():
        (folder / f"{stem}.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_file_declares_models_lengths_prices_and_routes(tmp_path: Path) -> None:
    catalogue = Catalogue.load([_folder(tmp_path, "shipped", cloudy=CLOUDY, shared=SHARED_MODELS)])
    assert catalogue.ids() == ["cloudy"], "shared.toml is not a backend"
    cloudy = catalogue.models("cloudy")
    v1, v2, veo = cloudy.infos()
    assert (v1.durations_us, v1.length_fit, v1.aspects, v1.audio) == (
        (5 * S, 10 * S),
        LengthFit.AT_LEAST,
        ("16:9",),
        True,
    )
    assert fit_length(v1, 5_100_000).made_us == 10 * S
    assert (v2.min_duration_us, v2.max_duration_us, v2.length_step_us) == (2 * S, 12_500_000, 500_000)
    assert cloudy.route("v2") == {"endpoint": "cloudy/v2"} and cloudy.route("v1") == {}
    # the shared model's capabilities, with what this backend does differently
    assert (veo.label, veo.durations_us, veo.first_last_frame, veo.seed) == (
        "Veo X on Cloudy",
        (4 * S, 8 * S),
        True,
        False,
    )

    prices = catalogue.price_table()
    info = BackendInfo("cloudy", "Cloudy", BackendKind.CLOUD, cloudy.infos())
    four = request(backend="cloudy", model="v1", duration_us=5 * S, audio=False)
    found = prices.estimate(info, four)
    assert found is not None and found.amount == Decimal("0.55") and found.as_of == "2026-10-01"
    with_sound = prices.estimate(info, replace(four, audio=True))
    assert with_sound is not None and with_sound.amount == Decimal("0.80")
    full_hd = prices.estimate(info, replace(four, resolution="1080p"))
    assert full_hd is not None and full_hd.amount == Decimal("2.05")
    assert prices.estimate(info, request(backend="cloudy", model="v2", duration_us=4 * S)) is None, "unknown"
    clip = prices.estimate(info, request(backend="cloudy", model="veo", duration_us=8 * S))
    assert clip is not None and clip.amount == Decimal("1.60") and clip.as_of == "2026-10-05"
    assert cloudy.entry("veo") is not None and cloudy.entry("veo").price.source == "https://cloudy.example/veo"  # type: ignore[union-attr]


def test_the_creators_entries_add_and_replace_models_and_keep_the_rest(tmp_path: Path) -> None:
    shipped_folder = _folder(tmp_path, "shipped", cloudy=CLOUDY, shared=SHARED_MODELS)
    own = _folder(
        tmp_path,
        "own",
        cloudy='as_of = "2026-11-20"\nsource = "my notes"\n'
        '[models.v2]\nlabel = "Cloudy 2 (mine)"\nlengths = [6]\nprice = { per_second = "0.20" }\n'
        '[models.v3]\nlabel = "Cloudy 3"\nlengths = [4]\nshares = "veo-x"\n',
    )
    cloudy = Catalogue.load([shipped_folder, own]).models("cloudy")
    assert [m.id for m in cloudy.infos()] == ["v1", "v2", "veo", "v3"], "a replaced model keeps its place"
    assert cloudy.entry("v2").info.durations_us == (6 * S,)  # type: ignore[union-attr]
    assert cloudy.entry("v2").as_of == "2026-11-20" and cloudy.entry("v1").as_of == "2026-10-01"  # type: ignore[union-attr]
    assert cloudy.entry("v3").info.first_last_frame, "a creator's model may share a shipped one"  # type: ignore[union-attr]
    price = cloudy.entry("v2").price  # type: ignore[union-attr]
    assert price is not None and price.per_second == Decimal("0.20") and price.as_of == "2026-11-20"


def test_a_model_that_cannot_be_read_is_skipped_with_a_warning_naming_its_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = (
        '[models.good]\nlabel = "Good"\n'
        '[models.typo]\nlabel = "Typo"\nlenghts = [5]\n'
        '[models.priced]\nlabel = "Priced"\nprice = { per_second = "ten cents" }\n'
        '[models.lost]\nlabel = "Lost"\nshares = "nothing"\n'
        '[models.fit]\nlabel = "Fit"\nfit = "closest"\n'
    )
    broken = _folder(tmp_path, "own", cloudy=text, other="this is not toml")
    with caplog.at_level(logging.WARNING, logger="shotline.backends.catalogue"):
        catalogue = Catalogue.load([broken, tmp_path / "missing"])
    assert [m.id for m in catalogue.models("cloudy").infos()] == ["good"]
    for said in ("lenghts", "ten cents", "'nothing'", "closest", "other.toml"):
        assert said in caplog.text
    assert "cloudy.toml" in caplog.text


def test_the_shipped_catalogue_is_dated_sourced_and_names_every_builtin_backend() -> None:
    catalogue = Catalogue.load([resource("catalogue")])
    for spec in BUILTIN_SPECS:
        models = catalogue.models(spec.info.id)
        assert models.models, f"no catalogue for {spec.info.id}"
        assert models.as_of and models.source, spec.info.id
        live = [model.info for model in models.models if not model.info.retired]
        first = (models.infos() or models.voices())[0]  # a voices-only backend's (ElevenLabs) default is a voice's
        assert live and live[0] == first, f"{spec.info.id}: the default model must be one still served"
        for model in models.models:
            if model.price is not None:
                assert model.price.as_of and model.price.source, f"{spec.info.id} {model.info.id}"
            if model.info.replacement:
                assert models.entry(model.info.replacement) is not None, f"{model.info.id} names an unknown model"
    assert (resource("catalogue") / f"{SHARED}.toml").is_file()


def test_veo_31_is_declared_once_for_every_backend_that_serves_it() -> None:
    runway = shipped().models("runway")
    veo, fast = runway.entry("veo3.1"), runway.entry("veo3.1_fast")
    assert veo is not None and fast is not None
    assert replace(veo.info, id="", label="") == replace(fast.info, id="", label="")
    assert veo.info.durations_us == (4 * S, 6 * S, 8 * S) and veo.info.first_last_frame
    # what a backend's provider does differently it says in its own entry: Runway's Veo takes no seed, fal's does
    on_fal = shipped().models("fal").entry("veo3.1")
    assert on_fal is not None and on_fal.info.seed and not veo.info.seed
