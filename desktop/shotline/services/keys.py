"""API keys per backend: stored in the OS keyring, overridden by the provider's environment variable."""

from __future__ import annotations

from dataclasses import dataclass

from shotline.backends.stills import checks_keys
from shotline.core.errors import AuthFailed, KeyStoreError, ProviderUnreachable, TransientError
from shotline.core.ports import BackendInfo, KeyCheck
from shotline.jobs.runner import JobHandle
from shotline.services.context import AppContext
from shotline.storage.secrets import KeySource


@dataclass(frozen=True, slots=True)
class KeyStatus:
    backend: BackendInfo
    source: KeySource

    @property
    def description(self) -> str:
        if not self.backend.needs_key:
            return f"{self.backend.id} needs no key."
        env = " or ".join(self.backend.key_env_vars)
        return {
            KeySource.ENVIRONMENT: f"{self.backend.id}: key from the environment ({env}); it overrides the keyring.",
            KeySource.KEYRING: f"{self.backend.id}: key stored in the system keyring.",
            KeySource.MEMORY: f"{self.backend.id}: key held in memory for this session only.",
            KeySource.NONE: f"{self.backend.id}: no key. Set one with `shotline keys set {self.backend.id}` or {env}.",
        }[self.source]

    @property
    def plain(self) -> str:
        """The same for the window: the backend's name and plain words, no command lines."""
        name = self.backend.name
        if not self.backend.needs_key:
            return f"{name} needs no key."
        env = " or ".join(self.backend.key_env_vars)
        return {
            KeySource.ENVIRONMENT: f"{name}: the key comes from the {env} setting of this computer, not the keyring.",
            KeySource.KEYRING: f"{name}: key stored in your system keyring.",
            KeySource.MEMORY: f"{name}: key kept in memory until Shotline quits.",
            KeySource.NONE: f"{name}: no key yet. Paste it from your {name} account and press Set.",
        }[self.source]


def key_test_failure(name: str, error: BaseException) -> str:
    """Why a key test gave no yes, in plain words: a refused key is not the same as a provider out of reach."""
    if isinstance(error, AuthFailed):
        return f"The key did not work: {name} refused it. Check that it was copied whole, then set it again."
    if isinstance(error, ProviderUnreachable):
        return f"Could not reach {name}, so the key was not tested. Check the internet connection and try again."
    if isinstance(error, TransientError):
        return f"{name} had a problem answering, so the key was not tested. Try again in a few minutes."
    return f"{name} could not test the key: {error}"


def _keyed_backend(ctx: AppContext, backend_id: str) -> BackendInfo:
    info = ctx.registry.spec(backend_id).info
    if not info.needs_key:
        raise KeyStoreError(f"{info.name} runs without a key; there is nothing to store.")
    return info


def key_status(ctx: AppContext, backend_id: str) -> KeyStatus:
    info = ctx.registry.spec(backend_id).info
    source = ctx.secrets.source(backend_id) if info.needs_key else KeySource.NONE
    return KeyStatus(info, source)


def set_key(ctx: AppContext, backend_id: str, key: str) -> KeyStatus:
    info = _keyed_backend(ctx, backend_id)
    key = key.strip()
    if not key:
        raise KeyStoreError("The key is empty; nothing was stored.")
    ctx.secrets.set(backend_id, key)
    return KeyStatus(info, ctx.secrets.source(backend_id))


def delete_key(ctx: AppContext, backend_id: str) -> KeyStatus:
    info = _keyed_backend(ctx, backend_id)
    ctx.secrets.delete(backend_id)
    return KeyStatus(info, ctx.secrets.source(backend_id))


KEY_TEST_SECONDS = 30.0


def can_try_key(ctx: AppContext, backend_id: str) -> bool:
    """Whether the backend offers a cheap authenticated read to try its key with."""
    return ctx.registry.spec(backend_id).info.needs_key and checks_keys(ctx.backend(backend_id))


def start_key_try(ctx: AppContext, backend_id: str) -> JobHandle[str]:
    """Start trying the key with one cheap authenticated read (nothing is generated or billed) on the runner.

    The handle's result is the provider's confirmation; its error, AuthFailed (or another BackendError) with why.
    """
    info = _keyed_backend(ctx, backend_id)
    backend = ctx.backend(backend_id)
    if not checks_keys(backend) or not isinstance(backend, KeyCheck):
        raise KeyStoreError(f"{info.name} cannot test a key without generating something; try a short shot instead.")
    return ctx.runner.submit(backend.check_key())


def try_key(ctx: AppContext, backend_id: str) -> str:
    """`start_key_try`, waited for."""
    return start_key_try(ctx, backend_id).result(timeout=KEY_TEST_SECONDS)
