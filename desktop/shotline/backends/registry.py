"""Which generation backends exist: built-ins plus third-party plug-ins from the `shotline.backends` entry points.

A backend is described by a `BackendSpec` (what it can do, and how to build one) so the window can list backends
and their models without constructing any of them. A broken plug-in is logged and skipped; it never stops Shotline
from starting.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from shotline.backends.catalogue import Catalogue, shipped
from shotline.backends.pricing import Estimate, PriceTable
from shotline.core.errors import UnknownBackend
from shotline.core.ports import (
    BackendInfo,
    BedRenderer,
    CardRenderer,
    GenerationBackend,
    GenerationRequest,
    SecretSource,
)

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "shotline.backends"


@dataclass(frozen=True)
class BackendContext:
    """What a backend may use from the outside world; the composition root builds one per project."""

    secrets: SecretSource
    work_dir: Path
    """A folder the backend owns for its own bookkeeping (the animatic renders here)."""
    card_renderer: CardRenderer
    settings: Mapping[str, Any] = field(default_factory=dict)
    """Per-backend settings, e.g. a configurable base URL."""
    known_keys: Callable[[], Iterable[str]] = tuple
    """Every key this process holds, not only this backend's: none may pass through in what a provider says."""
    catalogue: Catalogue | None = None
    """The models the app offers (the shipped catalogue with the creator's entries); None: the shipped one."""
    bed_renderer: BedRenderer | None = None
    """How the animatic makes its music (media.bed); None where no music is made (a test's context)."""


@dataclass(frozen=True)
class BackendSpec:
    info: BackendInfo
    create: Callable[[BackendContext], GenerationBackend]


class BackendRegistry:
    """The backends this Shotline knows, by id, in the order they were found (built-ins first)."""

    def __init__(
        self,
        builtins: Iterable[BackendSpec] = (),
        *,
        group: str = ENTRY_POINT_GROUP,
        discover: bool = True,
        prices: PriceTable | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.catalogue = catalogue or shipped()
        """Where each backend's models and prices come from; a backend the catalogue has no file for keeps the
        models its spec declares (a plug-in's own)."""
        self.prices = prices or self.catalogue.price_table()
        self._specs: dict[str, BackendSpec] = {}
        self._declared: dict[str, BackendSpec] = {}
        for spec in builtins:
            self._add(spec, origin="built-in")
        if discover:
            for entry_point in entry_points(group=group):
                loaded = _load(entry_point)
                if loaded is not None:
                    self._add(loaded, origin=f"entry point {entry_point.value}")

    def _add(self, spec: BackendSpec, *, origin: str) -> None:
        known = self._declared.get(spec.info.id)
        if known is None:
            self._declared[spec.info.id] = spec
            info = self.catalogue.info(spec.info)
            self._specs[spec.info.id] = spec if info == spec.info else dataclasses.replace(spec, info=info)
        elif known is not spec:
            # The first one wins so that a plug-in cannot quietly replace a built-in backend of the same name.
            log.warning(
                "Ignoring backend %r from %s: a backend with that id is already registered", spec.info.id, origin
            )

    def infos(self) -> list[BackendInfo]:
        """The backends that make clips: what a shot, a default or a try-on is chosen from."""
        return [spec.info for spec in self._specs.values() if spec.info.models]

    def ids(self) -> list[str]:
        return [info.id for info in self.infos()]

    def all_infos(self) -> list[BackendInfo]:
        """Every backend, those that only speak (ElevenLabs) too: what keys and voices are chosen from."""
        return [spec.info for spec in self._specs.values()]

    def spec(self, backend_id: str) -> BackendSpec:
        try:
            return self._specs[backend_id]
        except KeyError:
            available = ", ".join(self._specs) or "none"
            raise UnknownBackend(
                f"No backend called {backend_id!r}. Available: {available}. "
                "Pick one of these in the shot's settings, or install the plug-in that provides it."
            ) from None

    def info(self, backend_id: str) -> BackendInfo:
        return self.spec(backend_id).info

    def create(self, backend_id: str, ctx: BackendContext) -> GenerationBackend:
        if ctx.catalogue is None:
            ctx = dataclasses.replace(ctx, catalogue=self.catalogue)
        return self.spec(backend_id).create(ctx)

    def estimate(self, request: GenerationRequest) -> Decimal | None:
        """What the request should cost in USD (the dated price table, else the model's own price); None when
        the backend is free or its price is unknown."""
        found = self.price(request)
        return found.amount if found is not None else None

    def price(self, request: GenerationRequest) -> Estimate | None:
        if request.backend not in self._specs:
            return None
        return self.prices.estimate(self._specs[request.backend].info, request)


def _load(entry_point: EntryPoint) -> BackendSpec | None:
    """Load one plug-in's spec, or log why it cannot be used and return None."""
    try:
        loaded = entry_point.load()
    except Exception:
        log.exception("Skipping backend plug-in %r (%s): it failed to load", entry_point.name, entry_point.value)
        return None
    if not isinstance(loaded, BackendSpec):
        log.error(
            "Skipping backend plug-in %r (%s): it is a %s, not a BackendSpec",
            entry_point.name,
            entry_point.value,
            type(loaded).__name__,
        )
        return None
    return loaded
