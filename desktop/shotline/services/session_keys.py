"""Keys without a usable OS keyring: held in this process's memory for this run only, never written anywhere.

When the keyring refuses (KeyStoreError), the window offers this switch. The provider's environment variable
still wins, and every key kept here is added to the log redaction like any other.
"""

from __future__ import annotations

import logging

from shotline.services.context import AppContext
from shotline.storage.secrets import EnvironmentOverride, KeySource, MemorySecretStore

log = logging.getLogger(__name__)


class SessionKeys:
    """A SecretStore over memory that tells the log redaction about each key it holds."""

    def __init__(self, ctx: AppContext) -> None:
        env_vars = {info.id: info.key_env_vars for info in ctx.registry.all_infos()}
        self._store = EnvironmentOverride(MemorySecretStore(), env_vars)
        self._known = ctx.known_keys

    def get(self, backend_id: str) -> str | None:
        key = self._store.get(backend_id)
        if key:
            self._known.add(key)
        return key

    def set(self, backend_id: str, key: str) -> None:
        self._store.set(backend_id, key)
        self._known.add(key.strip())

    def delete(self, backend_id: str) -> None:
        self._store.delete(backend_id)

    def source(self, backend_id: str) -> KeySource:
        return self._store.source(backend_id)


def keys_in_memory(ctx: AppContext) -> bool:
    return isinstance(ctx.secrets, SessionKeys)


def keep_keys_in_memory(ctx: AppContext) -> None:
    """From now on, keys set in this run stay in memory only; backends created after this read them from there."""
    if keys_in_memory(ctx):
        return
    ctx.secrets = SessionKeys(ctx)
    log.info("The keyring is unavailable; API keys are kept in memory for this run only")
