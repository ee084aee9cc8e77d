"""What a generation should cost, from dated price tables kept as data so prices can change without a release.

One TOML file per backend (`resources/prices/<backend>.toml`); a file of the same name in the creator's own
prices folder replaces the shipped one. A table looks like this (amounts in USD, written as strings so they stay
exact):

    as_of = "2026-11-01"
    source = "https://provider.example/pricing"

    [models."model-id"]
    per_second = "0.10"                        # the base price per second of output
    per_second_with_audio = "0.15"             # optional: used when the request asks for sound
    per_generation = "0.00"                    # optional: a flat fee per job, added to the above
    [models."model-id".per_second_by_resolution]
    "1080p" = "0.20"                           # optional: replaces per_second at that resolution

A model without an entry has no estimate (shown as "unknown"), never a guessed one.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from shotline.core.ports import BackendInfo, GenerationRequest

log = logging.getLogger(__name__)

_US_PER_SECOND = Decimal(1_000_000)
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ModelPrice:
    per_second: Decimal
    per_second_with_audio: Decimal | None = None
    per_generation: Decimal = Decimal(0)
    per_second_by_resolution: Mapping[str, Decimal] = field(default_factory=dict)

    def cost(self, request: GenerationRequest) -> Decimal:
        if request.resolution in self.per_second_by_resolution:
            rate = self.per_second_by_resolution[request.resolution]
        elif request.audio and self.per_second_with_audio is not None:
            rate = self.per_second_with_audio
        else:
            rate = self.per_second
        return self.per_generation + rate * Decimal(request.duration_us) / _US_PER_SECOND


@dataclass(frozen=True, slots=True)
class BackendPrices:
    as_of: str
    source: str
    models: Mapping[str, ModelPrice]


@dataclass(frozen=True, slots=True)
class Estimate:
    amount: Decimal
    as_of: str
    """The date of the price table it came from; prices change, so the creator sees how old it is."""

    def __str__(self) -> str:
        return f"${self.amount.quantize(_CENT)}" if self.amount >= _CENT else f"${self.amount.normalize()}"


class PriceTable:
    """Every backend's prices, loaded once from the shipped tables and the creator's overrides."""

    def __init__(self, backends: Mapping[str, BackendPrices] | None = None) -> None:
        self._backends = dict(backends or {})

    @classmethod
    def load(cls, folders: Iterable[Path]) -> PriceTable:
        """Read `<backend>.toml` from each folder in turn; a later folder's file replaces an earlier one's."""
        backends: dict[str, BackendPrices] = {}
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.toml")):
                try:
                    backends[path.stem] = _parse(tomllib.loads(path.read_text(encoding="utf-8")))
                except (OSError, ValueError, TypeError, KeyError, InvalidOperation) as exc:
                    log.warning("Ignoring the price table %s: %s", path, exc)
        return cls(backends)

    def prices(self, backend_id: str) -> BackendPrices | None:
        return self._backends.get(backend_id)

    def estimate(self, info: BackendInfo, request: GenerationRequest) -> Estimate | None:
        """The request's cost; the table wins, a plug-in's declared price per second is the fallback."""
        table = self._backends.get(info.id)
        if table is not None and (price := table.models.get(request.model)) is not None:
            return Estimate(price.cost(request), table.as_of)
        model = info.model(request.model)
        if model is not None and model.price_per_second is not None:
            return Estimate(model.price_per_second * Decimal(request.duration_us) / _US_PER_SECOND, "")
        return None


def _parse(data: Mapping[str, Any]) -> BackendPrices:
    models = {}
    for model_id, entry in dict(data.get("models", {})).items():
        by_resolution = dict(entry.get("per_second_by_resolution", {}))
        models[str(model_id)] = ModelPrice(
            per_second=Decimal(str(entry["per_second"])),
            per_second_with_audio=_optional(entry.get("per_second_with_audio")),
            per_generation=Decimal(str(entry.get("per_generation", "0"))),
            per_second_by_resolution={str(name): Decimal(str(value)) for name, value in by_resolution.items()},
        )
    return BackendPrices(as_of=str(data.get("as_of", "")), source=str(data.get("source", "")), models=models)


def _optional(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
