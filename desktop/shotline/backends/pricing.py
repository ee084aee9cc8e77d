"""What a generation should cost: the price formulas the model catalogue's `price` tables are written in.

Prices live with their models in `resources/catalogue/<backend>.toml` (backends/catalogue.py), dated and sourced,
as exact strings. A price table looks like this (amounts in USD):

    per_second = "0.10"                        # the base price per second of output
    per_second_with_audio = "0.15"             # optional: used when the request asks for sound
    per_generation = "0.00"                    # optional: a flat fee per job, added to the rest
    [per_second_by_resolution]
    "1080p" = "0.20"                           # optional: replaces per_second at that resolution
    [per_second_with_audio_by_resolution]
    "1080p" = "0.30"                           # optional: the same, when the request asks for sound
    [per_clip]
    "6" = "0.27"                               # optional: a flat price for a clip of that many seconds
    "10" = "0.45"                              # (providers that price by the clip, not by the second)
    per_image = "0.04"                         # a still model's price for one picture
    per_character = "0.000015"                 # a voice model's price for each character of a line it speaks
    [per_image_by_resolution]
    "high" = "0.17"                            # optional: replaces per_image at that resolution (or quality)

A model without a price has no estimate (shown as "unknown"), never a guessed one. Every price is of the request
as it is sent: `request.duration_us` is the length the model will make (core.lengths.fit_length), so the estimate
is what the provider's table says for that request.

A creator's older `prices/<backend>.toml` (this format under `[models."id"]`, with `as_of` and `source`) is still
read over the catalogue's prices, so a price they set there keeps counting.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from shotline.core.ports import BackendInfo, GenerationRequest, MediaKind

log = logging.getLogger(__name__)

_US_PER_SECOND = Decimal(1_000_000)
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ModelPrice:
    per_second: Decimal = Decimal(0)
    per_second_with_audio: Decimal | None = None
    per_generation: Decimal = Decimal(0)
    per_second_by_resolution: Mapping[str, Decimal] = field(default_factory=dict)
    per_second_with_audio_by_resolution: Mapping[str, Decimal] = field(default_factory=dict)
    per_clip: Mapping[int, Decimal] = field(default_factory=dict)
    """A flat price by the clip's length in microseconds, for providers that price a clip, not a second."""
    per_image: Decimal = Decimal(0)
    """What one still costs (a request of MediaKind.IMAGE asks for one picture)."""
    per_image_by_resolution: Mapping[str, Decimal] = field(default_factory=dict)
    per_character: Decimal = Decimal(0)
    """What a voice model charges per character of the words it speaks (a request of MediaKind.SPEECH)."""
    as_of: str = ""
    source: str = ""
    """When and where this price was read (a catalogue entry's own, else its file's)."""

    def cost(self, request: GenerationRequest) -> Decimal:
        if request.kind is MediaKind.IMAGE:
            return self.per_generation + self.per_image_by_resolution.get(request.resolution, self.per_image)
        if request.kind is MediaKind.SPEECH:
            # providers count the characters of the text sent, spaces and punctuation included
            return self.per_generation + self.per_character * len(request.prompt)
        if request.duration_us in self.per_clip:
            return self.per_generation + self.per_clip[request.duration_us]
        if request.audio and request.resolution in self.per_second_with_audio_by_resolution:
            rate = self.per_second_with_audio_by_resolution[request.resolution]
        elif request.resolution in self.per_second_by_resolution:
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

    def over(self, base: PriceTable) -> PriceTable:
        """`base` with this table's models priced as this table says (its other models kept)."""
        merged = dict(base._backends)
        for backend_id, mine in self._backends.items():
            known = merged.get(backend_id) or BackendPrices(mine.as_of, mine.source, {})
            # each price keeps the date and source of the file it came from
            dated = {
                model_id: replace(price, as_of=price.as_of or mine.as_of, source=price.source or mine.source)
                for model_id, price in mine.models.items()
            }
            merged[backend_id] = BackendPrices(known.as_of, known.source, {**known.models, **dated})
        return PriceTable(merged)

    def estimate(self, info: BackendInfo, request: GenerationRequest) -> Estimate | None:
        """The request's cost; the table wins, a plug-in's declared price per second is the fallback."""
        table = self._backends.get(info.id)
        if table is not None and (price := table.models.get(request.model)) is not None:
            return Estimate(price.cost(request), price.as_of or table.as_of)
        model = info.model(request.model)
        if model is not None and model.price_per_second is not None:
            return Estimate(model.price_per_second * Decimal(request.duration_us) / _US_PER_SECOND, "")
        return None


def _parse(data: Mapping[str, Any]) -> BackendPrices:
    models = {str(model_id): parse_price(entry) for model_id, entry in dict(data.get("models", {})).items()}
    return BackendPrices(as_of=str(data.get("as_of", "")), source=str(data.get("source", "")), models=models)


_PRICE_KEYS = frozenset(
    {
        "per_second",
        "per_second_with_audio",
        "per_generation",
        "per_second_by_resolution",
        "per_second_with_audio_by_resolution",
        "per_clip",
        "per_image",
        "per_image_by_resolution",
        "per_character",
        "as_of",
        "source",
    }
)


def parse_price(entry: Mapping[str, Any]) -> ModelPrice:
    """One price table; ValueError (or KeyError, InvalidOperation) when it is not one."""
    unknown = sorted(set(entry) - _PRICE_KEYS)
    if unknown:
        raise ValueError(f"unknown price field(s) {', '.join(unknown)}")
    if not {"per_second", "per_clip", "per_image", "per_character"} & set(entry):
        raise KeyError("per_second")
    return ModelPrice(
        per_second=_amount(entry.get("per_second", "0")),
        per_second_with_audio=_optional(entry.get("per_second_with_audio")),
        per_generation=_amount(entry.get("per_generation", "0")),
        per_second_by_resolution=_amounts(entry.get("per_second_by_resolution", {})),
        per_second_with_audio_by_resolution=_amounts(entry.get("per_second_with_audio_by_resolution", {})),
        per_clip={
            int(Decimal(str(seconds)) * _US_PER_SECOND): amount
            for seconds, amount in _amounts(entry.get("per_clip", {})).items()
        },
        per_image=_amount(entry.get("per_image", "0")),
        per_image_by_resolution=_amounts(entry.get("per_image_by_resolution", {})),
        per_character=_amount(entry.get("per_character", "0")),
        as_of=str(entry.get("as_of", "")),
        source=str(entry.get("source", "")),
    )


def _amounts(table: Any) -> dict[str, Decimal]:
    return {str(name): _amount(value) for name, value in dict(table).items()}


def _optional(value: Any) -> Decimal | None:
    return None if value is None else _amount(value)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount in USD") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} is not an amount in USD")
    return amount
