"""Everything a Shotline process shares across projects: settings, keys, backends, ffmpeg and the async runner.

The composition roots (cli/, later ui/main.py) build one AppContext with `open_context` and close it on exit;
nothing here is a module-level singleton.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

import platformdirs

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.catalogue import Catalogue
from shotline.backends.pricing import PriceTable
from shotline.backends.registry import BackendContext, BackendRegistry
from shotline.core.ports import GenerationBackend
from shotline.jobs.runner import AsyncRunner
from shotline.media.bed import render_bed
from shotline.media.cards import render_card
from shotline.media.leftovers import sweep_temp
from shotline.media.locate import check_executable, configure_pydub, find_ffmpeg
from shotline.media.process import ProcessRegistry
from shotline.resources import resource
from shotline.storage.secrets import (
    EnvironmentOverride,
    KeyringSecretStore,
    KeySource,
    SecretStore,
    install_redaction,
)
from shotline.storage.settings import AppSettings, SettingsStore

log = logging.getLogger(__name__)

CARD_FONT = ("fonts", "DejaVuSans-Bold.ttf")


@dataclass
class AppContext:
    settings_store: SettingsStore
    settings: AppSettings
    secrets: SecretStore
    registry: BackendRegistry
    runner: AsyncRunner
    ffmpeg: Path
    work_dir: Path
    _backends: dict[str, GenerationBackend]
    known_keys: set[str]
    """Every key this process has read, stored or found in a provider's variable; log redaction and every backend's
    reading of its provider's answers hide each of them."""
    processes: ProcessRegistry = field(default_factory=ProcessRegistry)
    """Every ffmpeg this app runs, so closing can stop any a cancelled task left behind."""

    def backend(self, backend_id: str) -> GenerationBackend:
        """The one live backend object of this id (created on first use, on the runner's loop)."""
        if backend_id not in self._backends:
            renderer = functools.partial(
                render_card, ffmpeg=self.ffmpeg, font=resource(*CARD_FONT), registry=self.processes
            )
            context = BackendContext(
                # a live view: a backend made before the keys moved to memory (the keys dialog makes them to ask
                # whether they can test a key) reads its key from where keys are kept now
                secrets=_CurrentSecrets(self),
                work_dir=self.work_dir / backend_id,
                card_renderer=renderer,
                bed_renderer=functools.partial(render_bed, ffmpeg=self.ffmpeg, registry=self.processes),
                settings={"base_urls": dict(self.settings.base_urls)},
                known_keys=lambda: tuple(self.known_keys),
            )
            self._backends[backend_id] = self.registry.create(backend_id, context)
        return self._backends[backend_id]

    def poll_seconds(self, backend_id: str) -> float:
        """The backend's own pace if it has one, else SHOTLINE_POLL_SECONDS, else the setting."""
        own = self.registry.spec(backend_id).info.poll_seconds
        if own is not None:
            return own
        override = os.environ.get("SHOTLINE_POLL_SECONDS")
        try:
            return float(override) if override else self.settings.poll_seconds
        except ValueError:
            log.warning("SHOTLINE_POLL_SECONDS=%r is not a number; using the setting", override)
            return self.settings.poll_seconds

    def close(self) -> None:
        backends = list(self._backends.values())
        self._backends.clear()

        async def close_backends() -> None:
            for backend in backends:
                try:
                    await backend.aclose()
                except Exception:
                    log.exception("closing a backend failed")

        try:
            self.runner.run(close_backends(), timeout=10)
        finally:
            self.runner.shutdown()
            if killed := self.processes.kill_all():
                log.warning("Stopped %d ffmpeg process(es) still running at shutdown", killed)

    def __enter__(self) -> AppContext:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class _RememberingSecrets:
    """Passes keys through, noting each one read so the log redaction knows it."""

    def __init__(self, store: SecretStore, known: set[str]) -> None:
        self._store = store
        self._known = known

    def get(self, backend_id: str) -> str | None:
        key = self._store.get(backend_id)
        if key:
            self._known.add(key)
        return key

    def set(self, backend_id: str, key: str) -> None:
        self._known.add(key)
        self._store.set(backend_id, key)

    def delete(self, backend_id: str) -> None:
        self._store.delete(backend_id)

    def source(self, backend_id: str) -> KeySource:
        return self._store.source(backend_id)


def cache_dir(settings: AppSettings | None = None) -> Path:
    """SHOTLINE_CACHE_DIR, else the folder chosen in Preferences, else the platform's cache folder."""
    override = os.environ.get("SHOTLINE_CACHE_DIR") or (settings.cache_folder if settings else "")
    return Path(override).expanduser() if override else Path(platformdirs.user_cache_dir("Shotline"))


class _CurrentSecrets:
    """The context's key store as it is at each read, not as it was when a backend was made."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def get(self, backend_id: str) -> str | None:
        return self._ctx.secrets.get(backend_id)


def open_context(secrets: SecretStore | None = None, ffmpeg_path: Path | None = None) -> AppContext:
    """Everything the window and the command line share. ToolMissing when no ffmpeg can be found.

    `ffmpeg_path` is a program the creator chose because none was found: it is checked, used and remembered.
    """
    store = SettingsStore()
    settings = store.load()
    if ffmpeg_path is not None:
        settings = replace(settings, ffmpeg_path=str(check_executable(ffmpeg_path.expanduser())))
    # the creator's catalogue entries (models, prices, retirements) are read over the shipped ones; a price file
    # in their older prices folder still counts, over both
    catalogue = Catalogue.load([resource("catalogue"), store.folder / "catalogue"])
    prices = PriceTable.load([store.folder / "prices"]).over(catalogue.price_table())
    registry = BackendRegistry(builtins=BUILTIN_SPECS, prices=prices, catalogue=catalogue)
    env_vars = {info.id: info.key_env_vars for info in registry.all_infos()}
    # a key given in any provider's variable is known from the start: a provider (or a local ComfyUI running in the
    # same environment) may quote it back before this run has read it
    known = {value for names in env_vars.values() for name in names if (value := os.environ.get(name, "").strip())}
    remembering = _RememberingSecrets(secrets or EnvironmentOverride(KeyringSecretStore(), env_vars), known)
    install_redaction(lambda: known)
    ffmpeg = find_ffmpeg(settings.ffmpeg_path or None)
    configure_pydub(ffmpeg)
    sweep_temp()  # temporary folders a Shotline killed outright left (never a running one's)
    if ffmpeg_path is not None:
        store.save(settings)
    work_dir = cache_dir(settings) / "backends"
    return AppContext(store, settings, remembering, registry, AsyncRunner(), ffmpeg, work_dir, {}, known)
