"""Dated price tables: shipped as data, replaceable by the creator's own file, exact to the cent."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.backends.pricing import PriceTable
from shotline.core.ports import BackendInfo, BackendKind, ModelInfo
from tests.backends.kit import request

CLOUDY = BackendInfo(
    id="cloudy",
    name="Cloudy",
    kind=BackendKind.CLOUD,
    models=(ModelInfo(id="v1", label="V1", price_per_second=Decimal("9")), ModelInfo(id="v2", label="V2")),
)

TABLE = """
as_of = "2026-10-01"
source = "https://cloudy.example/pricing"

[models.v1]
per_second = "0.10"
per_second_with_audio = "0.15"
per_generation = "0.05"

[models.v1.per_second_by_resolution]
"1080p" = "0.40"
"""


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "cloudy.toml").write_text(text, encoding="utf-8")
    return folder


def test_the_table_prices_by_seconds_sound_and_resolution(tmp_path: Path) -> None:
    table = PriceTable.load([_folder(tmp_path, "shipped", TABLE)])
    four_seconds = request(backend="cloudy", model="v1", duration_us=4_000_000, audio=False)

    silent = table.estimate(CLOUDY, four_seconds)
    assert silent is not None and silent.amount == Decimal("0.45") and silent.as_of == "2026-10-01"
    assert str(silent) == "$0.45"
    with_sound = table.estimate(CLOUDY, replace(four_seconds, audio=True))
    assert with_sound is not None and with_sound.amount == Decimal("0.65")
    full_hd = table.estimate(CLOUDY, replace(four_seconds, resolution="1080p", audio=True))
    assert full_hd is not None and full_hd.amount == Decimal("1.65")
    # the table wins over the plug-in's own price; a model missing from both has no estimate, never a guess
    assert table.estimate(CLOUDY, replace(four_seconds, model="v2")) is None


def test_the_creators_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    shipped = _folder(tmp_path, "shipped", TABLE)
    own = _folder(tmp_path, "own", 'as_of = "2026-11-20"\n[models.v1]\nper_second = "0.20"\n')
    estimate = PriceTable.load([shipped, own]).estimate(CLOUDY, request(backend="cloudy", model="v1"))
    assert estimate is not None and estimate.amount == Decimal("0.2") and estimate.as_of == "2026-11-20"


def test_a_broken_table_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = _folder(tmp_path, "shipped", '[models.v1]\nper_second = "ten cents"\n')
    with caplog.at_level(logging.WARNING, logger="shotline.backends.pricing"):
        table = PriceTable.load([broken, tmp_path / "missing"])
    assert "cloudy.toml" in caplog.text
    assert table.prices("cloudy") is None
    # without a table the plug-in's declared price is used
    fallback = table.estimate(CLOUDY, request(backend="cloudy", model="v1", duration_us=2_000_000))
    assert fallback is not None and fallback.amount == Decimal("18")


def test_a_creators_older_price_file_still_counts_over_the_catalogue(tmp_path: Path) -> None:
    """Prices moved into the model catalogue; a price a creator set in their prices folder before keeps counting."""
    catalogue = PriceTable.load([_folder(tmp_path, "catalogue", TABLE)])
    own = _folder(tmp_path, "own", 'as_of = "2026-11-20"\n[models.v2]\nper_second = "0.20"\n')
    table = PriceTable.load([own]).over(catalogue)
    v1 = table.estimate(CLOUDY, request(backend="cloudy", model="v1", duration_us=1_000_000, audio=False))
    v2 = table.estimate(CLOUDY, request(backend="cloudy", model="v2", duration_us=1_000_000))
    assert v1 is not None and v1.amount == Decimal("0.15") and v1.as_of == "2026-10-01"
    assert v2 is not None and v2.amount == Decimal("0.2") and v2.as_of == "2026-11-20"
