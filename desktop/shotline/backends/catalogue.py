"""The model catalogue as data: every backend's models, what each can do, what it costs, and when it was read.

One TOML file per backend (`resources/catalogue/<backend>.toml`), so a new model, a new price or a retired one
needs no release. The creator's own `catalogue` folder (beside settings.json) is read after the shipped one: each
`[models."id"]` table there adds that model or replaces the shipped one of that id whole, and its file's `as_of`
and `source` date what it brings (so the creator keeps every other shipped model, and the updates to them).

A file looks like this (lengths in seconds, amounts in USD written as strings so they stay exact):

    as_of = "2026-11-22"                      # when the models and prices below were read
    source = "https://provider.example/docs"  # where

    [models."model-id"]                       # the id the provider knows it by; the first model is the default
    label = "Model 1.0"
    kind = "video"                            # or "image": a still model (no lengths), priced per_image;
                                              # or "speech": a voice model, priced per_character (voices = [...])
                                              # or "music": a music model (lengths as a clip's), priced per_second
    lengths = [5, 10]                         # the lengths it makes; or a range:
    # min_length = 2, max_length = 10, length_step = 1   (step 0: any length in the range)
    fit = "nearest"                           # nearest | at_least | exact (core.lengths.LengthFit)
    aspects = ["16:9", "9:16"]
    resolutions = ["720p", "1080p"]
    audio = true                              # and text_to_video, image_to_video, first_last_frame, seed,
    reference_images = 3                      # negative_prompt, extend, remix (true/false)
    reference_tag = "@Image{number}"          # how the prompt names reference image n ({index} from 0, {name})
    reference_kinds = ["character", "place"]  # the cast kinds its slots take (all four unless named)
    dialogue = "block"                        # how a model with audio is sent the lines: says | block | labelled
    references_with_frames = false           # references and a first/last frame never go in one request
    retired = "2026-10-22"                    # the day the provider stopped serving it, and what it suggests
    replacement = "other-id"
    shares = "veo-3.1"                        # start from shared.toml's model of that name (below)

    [models."model-id".price]                 # or  price = "unknown"  where no price is published
    per_second = "0.10"                       # see backends.pricing.ModelPrice for every form
    as_of = "2026-11-22"                      # optional: when this price was read, if not the file's date
    source = "https://provider.example/pricing"

    [models."model-id".route]                 # how the adapter sends it (its own fields; see the adapter)
    text = "owner/endpoint"

`shared.toml` holds what a model several backends serve can do, declared once (`[models."veo-3.1"]`, no price or
route); each backend's entry names it with `shares` and adds its own id, label, price and route, and may override
any capability its provider does differently.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from shotline.backends.pricing import BackendPrices, ModelPrice, PriceTable, parse_price
from shotline.core.dialogue import DialogueForm
from shotline.core.errors import InputRejected, ModelRetired
from shotline.core.lengths import LengthFit, fit_length, lengths_text, seconds_text
from shotline.core.model import CastKind
from shotline.core.ports import BackendInfo, MediaKind, ModelInfo
from shotline.resources import resource

log = logging.getLogger(__name__)

SHARED = "shared"
"""The file (shared.toml) of models several backends serve; no backend may be called this."""
UNKNOWN = "unknown"

_US = Decimal(1_000_000)
_FLAGS = (
    "audio",
    "text_to_video",
    "image_to_video",
    "first_last_frame",
    "seed",
    "negative_prompt",
    "extend",
    "remix",
    "references_with_frames",
)
_LISTS = ("aspects", "resolutions", "voices")
_LENGTHS = ("lengths", "min_length", "max_length", "length_step", "fit")
_OWN = ("price", "route", "shares")
_REFERENCES = ("reference_images", "reference_tag", "reference_kinds")
_KNOWN = frozenset(
    ("label", "kind", "dialogue", *_REFERENCES, "retired", "replacement", *_FLAGS, *_LISTS, *_LENGTHS, *_OWN)
)


class CatalogueError(ValueError):
    """A model table Shotline cannot read; the message names the file and the model."""


@dataclass(frozen=True, slots=True)
class CatalogueModel:
    info: ModelInfo
    price: ModelPrice | None = None
    """None when no price is published (or none was read): the estimate is then "unknown", never a guess."""
    route: Mapping[str, Any] = field(default_factory=dict)
    """How the adapter sends this model (endpoint ids, field names); each adapter reads its own keys."""
    as_of: str = ""
    source: str = ""
    """When and where this model's entry was read: its file's `as_of` and `source`."""


@dataclass(frozen=True, slots=True)
class BackendModels:
    """One backend's models from the catalogue, in the order their files list them."""

    backend_id: str
    models: tuple[CatalogueModel, ...]
    as_of: str = ""
    source: str = ""

    def infos(self) -> tuple[ModelInfo, ...]:
        """The video models: what a shot is made with."""
        return tuple(model.info for model in self.models if model.info.kind is MediaKind.VIDEO)

    def stills(self) -> tuple[ModelInfo, ...]:
        """The image models: what draft stills are made with."""
        return tuple(model.info for model in self.models if model.info.kind is MediaKind.IMAGE)

    def voices(self) -> tuple[ModelInfo, ...]:
        """The speech models: what a cast member's lines are spoken with."""
        return tuple(model.info for model in self.models if model.info.kind is MediaKind.SPEECH)

    def music(self) -> tuple[ModelInfo, ...]:
        """The music models: what a bed for the music lane is made with."""
        return tuple(model.info for model in self.models if model.info.kind is MediaKind.MUSIC)

    def entry(self, model_id: str) -> CatalogueModel | None:
        return next((model for model in self.models if model.info.id == model_id), None)

    def route(self, model_id: str) -> Mapping[str, Any]:
        found = self.entry(model_id)
        return found.route if found is not None else {}

    def prices(self) -> BackendPrices:
        return BackendPrices(
            as_of=self.as_of,
            source=self.source,
            models={model.info.id: model.price for model in self.models if model.price is not None},
        )


class Catalogue:
    """Every backend's models: the shipped catalogue with the creator's own entries read over it."""

    def __init__(self, backends: Mapping[str, BackendModels] | None = None) -> None:
        self._backends = dict(backends or {})

    @classmethod
    def load(cls, folders: Iterable[Path]) -> Catalogue:
        """Read each folder's `<backend>.toml` (and `shared.toml`) in turn; a later folder's model of the same id
        replaces an earlier one's. A file or model that cannot be read is logged and skipped, never fatal."""
        shared: dict[str, dict[str, Any]] = {}
        backends: dict[str, BackendModels] = {}
        for folder in folders:
            if not folder.is_dir():
                continue
            shared_file = folder / f"{SHARED}.toml"
            if shared_file.is_file():
                data = _read(shared_file)
                shared.update({str(name): dict(table) for name, table in dict(data.get("models", {})).items()})
            for path in sorted(folder.glob("*.toml")):
                if path.stem == SHARED:
                    continue
                data = _read(path)
                if not data:
                    continue
                known = backends.get(path.stem, BackendModels(path.stem, ()))
                backends[path.stem] = _merged(known, _parse_backend(path, data, shared))
        return cls(backends)

    def backend(self, backend_id: str) -> BackendModels | None:
        return self._backends.get(backend_id)

    def ids(self) -> list[str]:
        return list(self._backends)

    def info(self, info: BackendInfo) -> BackendInfo:
        """`info` with its models from the catalogue (as it was when the catalogue has no file for it)."""
        models = self._backends.get(info.id)
        if models is None or not models.models:
            return info
        videos, stills, voices, music = models.infos() or info.models, models.stills(), models.voices(), models.music()
        if (videos, stills, voices, music) == (info.models, info.still_models, info.voice_models, info.music_models):
            return info
        return dataclasses.replace(info, models=videos, still_models=stills, voice_models=voices, music_models=music)

    def models(self, backend_id: str) -> BackendModels:
        """The backend's models; an empty list when the catalogue has no file for it."""
        return self._backends.get(backend_id) or BackendModels(backend_id, ())

    def price_table(self) -> PriceTable:
        return PriceTable({backend_id: models.prices() for backend_id, models in self._backends.items()})


@functools.cache
def shipped() -> Catalogue:
    """The catalogue Shotline ships (resources/catalogue); the adapters declare their models from it."""
    return Catalogue.load([resource("catalogue")])


def shipped_models(backend_id: str) -> tuple[ModelInfo, ...]:
    return shipped().models(backend_id).infos()


def shipped_stills(backend_id: str) -> tuple[ModelInfo, ...]:
    return shipped().models(backend_id).stills()


def shipped_voices(backend_id: str) -> tuple[ModelInfo, ...]:
    return shipped().models(backend_id).voices()


def shipped_music(backend_id: str) -> tuple[ModelInfo, ...]:
    return shipped().models(backend_id).music()


def served(catalogue: Catalogue | None, info: BackendInfo) -> tuple[BackendInfo, BackendModels]:
    """What a backend object serves: its models as `catalogue` (the app's, with the creator's entries) has them,
    else as shipped; an adapter checks and sends a request by these, so a model added as data is sent too."""
    chosen = catalogue or shipped()
    return chosen.info(info), chosen.backend(info.id) or shipped().models(info.id)


def offered_model(info: BackendInfo, model_id: str, provider: str, kind: MediaKind = MediaKind.VIDEO) -> ModelInfo:
    """The model a request names (a still model for MediaKind.IMAGE, a voice's for SPEECH); ModelRetired naming its
    replacement for one the provider no longer serves, InputRejected naming those it does for one it never had."""
    lookup, models, what, made = {
        MediaKind.VIDEO: (info.model, info.models, "model", "clips"),
        MediaKind.IMAGE: (info.still_model, info.still_models, "still model", "stills"),
        MediaKind.SPEECH: (info.voice_model, info.voice_models, "voice model", "voices"),
        MediaKind.MUSIC: (info.music_model, info.music_models, "music model", "music"),
    }[kind]
    model = lookup(model_id)
    if model is None:
        offered = ", ".join(m.id for m in models if not m.retired)
        if not offered:
            raise InputRejected(f"{provider} makes no {made} in Shotline; choose another backend for them.")
        raise InputRejected(f"{provider} has no {what} {model_id!r} in Shotline; choose one of: {offered}.")
    if model.retired:
        instead = lookup(model.replacement) if model.replacement else None
        advice = f" Choose {instead.label} ({instead.id}) instead." if instead else " Choose another model."
        raise ModelRetired(
            f"{provider} no longer offers {model.label} ({model.id}; retired {model.retired}).{advice}",
            replacement=instead.id if instead else None,
        )
    return model


def sent_length(model: ModelInfo, duration_us: int) -> int:
    """A request's length as the adapter sends it: `duration_us` is already one the model makes (build_request
    fitted it, core.lengths.fit_length), so this only checks it; an adapter converts it to its units, never
    rounds it. InputRejected, naming the lengths the model makes, for any other."""
    if fit_length(model, duration_us).changed:
        raise InputRejected(
            f"{model.label} makes clips of {lengths_text(model)}, not {seconds_text(duration_us)}; "
            "change the shot's length."
        )
    return duration_us


def sent_seconds(model: ModelInfo, duration_us: int) -> int:
    """`sent_length` in whole seconds, for the providers that take only those."""
    length = sent_length(model, duration_us)
    if length % 1_000_000:
        raise InputRejected(
            f"{model.label} takes whole seconds, not {seconds_text(length)}; fix its lengths in the model catalogue."
        )
    return length // 1_000_000


# ---------------------------------------------------------------------------------------------- reading


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("Ignoring the model catalogue file %s: %s", path, exc)
        return {}


def _merged(known: BackendModels, new: BackendModels) -> BackendModels:
    """`known` with `new`'s models added, or put in the place of the one of the same id."""
    replaced = {model.info.id: model for model in new.models}
    kept = [replaced.pop(model.info.id, model) for model in known.models]
    return BackendModels(
        known.backend_id,
        (*kept, *(model for model in new.models if model.info.id in replaced)),
        as_of=known.as_of or new.as_of,
        source=known.source or new.source,
    )


def _parse_backend(path: Path, data: Mapping[str, Any], shared: Mapping[str, Mapping[str, Any]]) -> BackendModels:
    as_of, source = _text(data.get("as_of")), _text(data.get("source"))
    models = []
    for model_id, table in dict(data.get("models", {})).items():
        try:
            models.append(parse_model(str(model_id), table, shared, as_of=as_of, source=source))
        except CatalogueError as exc:
            log.warning("Ignoring %s in the model catalogue file %s: %s", model_id, path, exc)
    return BackendModels(path.stem, tuple(models), as_of=as_of, source=source)


def parse_model(
    model_id: str,
    table: Any,
    shared: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    as_of: str = "",
    source: str = "",
) -> CatalogueModel:
    """One `[models."id"]` table as a model; CatalogueError saying what is wrong with it."""
    if not isinstance(table, Mapping):
        raise CatalogueError("it is not a table of the model's settings")
    table = dict(table)
    shares = table.get("shares")
    if shares is not None:
        base = (shared or {}).get(str(shares))
        if base is None:
            raise CatalogueError(f"it shares {shares!r}, which shared.toml does not declare")
        table = {**{k: v for k, v in base.items() if k not in _OWN}, **table}
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise CatalogueError(f"Shotline does not know the setting(s) {', '.join(unknown)}")
    if not isinstance(table.get("label"), str) or not table["label"].strip():
        raise CatalogueError("it has no label")
    capabilities: dict[str, Any] = {"label": table["label"].strip()}
    if "kind" in table:
        try:
            capabilities["kind"] = MediaKind(str(table["kind"]))
        except ValueError:
            kinds = " or ".join(kind.value for kind in MediaKind)
            raise CatalogueError(f"kind must be {kinds}, not {table['kind']!r}") from None
    for name in _FLAGS:
        if name in table:
            capabilities[name] = _flag(table[name], name)
    for name in _LISTS:
        if name in table:
            capabilities[name] = _strings(table[name], name)
    if "reference_images" in table:
        count = table["reference_images"]
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise CatalogueError("reference_images must be a whole number of images")
        capabilities["reference_images"] = count
    capabilities.update(_references(table))
    if "dialogue" in table:
        try:
            capabilities["dialogue"] = DialogueForm(str(table["dialogue"]))
        except ValueError:
            forms = ", ".join(form.value for form in DialogueForm)
            raise CatalogueError(f"dialogue must be one of {forms}, not {table['dialogue']!r}") from None
    capabilities.update(_lengths(table))
    capabilities["retired"] = _text(table.get("retired"))
    capabilities["replacement"] = _text(table.get("replacement"))
    route = table.get("route", {})
    if not isinstance(route, Mapping):
        raise CatalogueError("its route must be a table")
    return CatalogueModel(
        info=ModelInfo(id=model_id, **capabilities),
        price=_price(table.get("price"), as_of, source),
        route=dict(route),
        as_of=as_of,
        source=source,
    )


def _references(table: Mapping[str, Any]) -> dict[str, Any]:
    """How the model's prompt names its reference images, and which kinds of cast member its slots take."""
    found: dict[str, Any] = {}
    if "reference_tag" in table:
        tag = table["reference_tag"]
        try:
            str(tag).format(index=0, number=1, name="Name")
        except (KeyError, IndexError, ValueError):
            tag = None
        if not isinstance(tag, str):
            raise CatalogueError('reference_tag must be text naming {index}, {number} or {name}, like "@Image{number}"')
        found["reference_tag"] = tag
    if "reference_kinds" in table:
        names = _strings(table["reference_kinds"], "reference_kinds")
        try:
            found["reference_kinds"] = tuple(CastKind(name) for name in names)
        except ValueError:
            kinds = ", ".join(kind.value for kind in CastKind)
            raise CatalogueError(f"reference_kinds must name kinds of cast member: {kinds}") from None
    return found


def _lengths(table: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "lengths" in table:
        listed = table["lengths"]
        if not isinstance(listed, list) or not listed:
            raise CatalogueError("lengths must be a list of seconds, like [5, 10]")
        found["durations_us"] = tuple(sorted(_us(value, "lengths") for value in listed))
        found["min_duration_us"] = found["durations_us"][0]
        found["max_duration_us"] = found["durations_us"][-1]
    for name, key in (("min_length", "min_duration_us"), ("max_length", "max_duration_us")):
        if name in table:
            found[key] = _us(table[name], name)
    if "length_step" in table:
        found["length_step_us"] = _us(table["length_step"], "length_step", allow_zero=True)
    if found.get("min_duration_us", 0) > found.get("max_duration_us", 60_000_000):
        raise CatalogueError("min_length is longer than max_length")
    if "fit" in table:
        try:
            found["length_fit"] = LengthFit(str(table["fit"]))
        except ValueError:
            raise CatalogueError(
                f"fit must be one of {', '.join(fit.value for fit in LengthFit)}, not {table['fit']!r}"
            ) from None
    return found


def _price(value: Any, as_of: str, source: str) -> ModelPrice | None:
    if value is None or value == UNKNOWN:
        return None
    if not isinstance(value, Mapping):
        raise CatalogueError(f'price must be a table or "{UNKNOWN}"')
    try:
        price = parse_price(value)
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise CatalogueError(f"its price cannot be read ({exc})") from None
    return dataclasses.replace(price, as_of=price.as_of or as_of, source=price.source or source)


def _us(value: Any, name: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CatalogueError(f"{name} must be in seconds")
    try:
        seconds = Decimal(str(value))
    except InvalidOperation:
        raise CatalogueError(f"{name} must be in seconds, not {value!r}") from None
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise CatalogueError(f"{name} must be a length in seconds above zero")
    return int(seconds * _US)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise CatalogueError(f"{name} must be true or false")
    return value


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogueError(f'{name} must be a list of names, like ["16:9", "9:16"]')
    return tuple(value)


def _text(value: Any) -> str:
    if isinstance(value, datetime.date):  # an unquoted TOML date
        return value.isoformat()
    return "" if value is None else str(value)
