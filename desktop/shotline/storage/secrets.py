"""API keys: kept in the OS keyring (or in memory for one session), overridden by the provider's env variable.

A key is never written to any file Shotline owns, and there is no plaintext fallback: with no keyring, the
creator is told so and may keep the key in memory for the session. `RedactingFilter` keeps keys (in every form
`core.redaction` knows, and the usual auth headers and `key=` query parameters) out of every log line.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any, Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from shotline.core.errors import KeyStoreError
from shotline.core.redaction import REDACTED, hide_keys

log = logging.getLogger(__name__)

NO_KEYRING = (
    "No system keyring is available (on Linux install and unlock gnome-keyring or KWallet). "
    "The key can be kept in memory for this session only."
)


class KeySource(StrEnum):
    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    MEMORY = "memory"
    NONE = "none"


class SecretStore(Protocol):
    def get(self, backend_id: str) -> str | None: ...

    def set(self, backend_id: str, key: str) -> None: ...

    def delete(self, backend_id: str) -> None: ...

    def source(self, backend_id: str) -> KeySource: ...


def _clean(key: str) -> str:
    cleaned = key.strip()
    if not cleaned:
        raise KeyStoreError("The key is empty; paste the whole key from the provider's dashboard.")
    return cleaned


def _is_plaintext(backend: KeyringBackend) -> bool:
    """keyrings.alt's file backends keep keys readable on disk; we refuse them rather than fall back to them."""
    inner: Iterable[Any] = getattr(backend, "backends", ()) or (backend,)
    return any("plaintext" in type(b).__name__.lower() or type(b).__module__.startswith("keyrings.alt") for b in inner)


class KeyringSecretStore:
    """Keys in the OS keyring: service `shotline`, user = backend id."""

    def __init__(self, service: str = "shotline", backend: KeyringBackend | None = None) -> None:
        self.service = service
        self._backend = backend

    def _keyring(self) -> KeyringBackend:
        backend = self._backend or keyring.get_keyring()
        if _is_plaintext(backend):
            raise KeyStoreError(
                f"The configured keyring ({type(backend).__name__}) stores keys as readable files, so Shotline "
                "will not use it. " + NO_KEYRING.split(". ", 1)[1]
            )
        return backend

    def _call(self, action: str, call: Callable[[KeyringBackend], Any]) -> Any:
        backend = self._keyring()
        try:
            return call(backend)
        except keyring.errors.NoKeyringError as error:
            raise KeyStoreError(NO_KEYRING) from error
        except keyring.errors.KeyringLocked as error:
            raise KeyStoreError(
                f"The system keyring is locked, so the key could not be {action}. Unlock it and try again, or keep "
                "the key in memory for this session."
            ) from error
        except keyring.errors.KeyringError as error:
            raise KeyStoreError(
                f"The system keyring refused: the key could not be {action} ({type(error).__name__}). "
                "The key can be kept in memory for this session only."
            ) from error

    def get(self, backend_id: str) -> str | None:
        result = self._call("read", lambda k: k.get_password(self.service, backend_id))
        return None if result is None else str(result)

    def set(self, backend_id: str, key: str) -> None:
        cleaned = _clean(key)
        self._call("saved", lambda k: k.set_password(self.service, backend_id, cleaned))

    def delete(self, backend_id: str) -> None:
        def remove(backend: KeyringBackend) -> None:
            try:
                backend.delete_password(self.service, backend_id)
            except keyring.errors.PasswordDeleteError:
                pass  # already gone: deleting is idempotent

        self._call("removed", remove)

    def source(self, backend_id: str) -> KeySource:
        return KeySource.KEYRING if self.get(backend_id) else KeySource.NONE


class MemorySecretStore:
    """Keys held only in this process, lost when Shotline quits."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def get(self, backend_id: str) -> str | None:
        return self._keys.get(backend_id)

    def set(self, backend_id: str, key: str) -> None:
        self._keys[backend_id] = _clean(key)

    def delete(self, backend_id: str) -> None:
        self._keys.pop(backend_id, None)

    def source(self, backend_id: str) -> KeySource:
        return KeySource.MEMORY if backend_id in self._keys else KeySource.NONE

    def values(self) -> list[str]:
        return list(self._keys.values())


class EnvironmentOverride:
    """The provider's usual env variable wins over the store for this run; it is never copied into the store."""

    def __init__(
        self,
        store: SecretStore,
        env_vars: Mapping[str, tuple[str, ...]],
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.store = store
        self.env_vars = env_vars
        self.environ = environ

    def variable(self, backend_id: str) -> str | None:
        """The name of the env variable currently supplying this backend's key, if any."""
        return next((v for v in self.env_vars.get(backend_id, ()) if self.environ.get(v, "").strip()), None)

    def get(self, backend_id: str) -> str | None:
        name = self.variable(backend_id)
        return self.environ[name].strip() if name else self.store.get(backend_id)

    def set(self, backend_id: str, key: str) -> None:
        self.store.set(backend_id, key)

    def delete(self, backend_id: str) -> None:
        self.store.delete(backend_id)

    def source(self, backend_id: str) -> KeySource:
        return KeySource.ENVIRONMENT if self.variable(backend_id) else self.store.source(backend_id)


# ---------------------------------------------------------------------------------------------- redaction

_PATTERNS = (
    # Authorization: Bearer sk-…  /  'authorization': 'Key …'  (value up to the end of the quoted/line value)
    re.compile(r"(?i)(\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n,}]+"),
    re.compile(
        r"(?i)(\b(?:x-goog-api-key|x-api-key|xi-api-key|api[-_]?key|api[-_]?secret)\b[\"']?\s*[:=]\s*[\"']?)"
        r"[^\s\"',}&]+"
    ),
    re.compile(
        r"(?i)([?&](?:key|api_key|apikey|token|access_token|sig|signature|x-amz-signature|x-goog-signature)=)"
        r"[^&\s\"'#]+"
    ),
    # Scheme + token with a digit in it, so "Key frames" in prose survives but "Key fal_4f…" does not.
    re.compile(r"(\b(?:Bearer|Key|Token|Basic)\s+)(?=[A-Za-z0-9._~+/=:-]*\d)[A-Za-z0-9._~+/=:-]{8,}"),
)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` without the given keys (whole, encoded or in pieces) and without any auth header or key parameter."""
    text = hide_keys(text, secrets)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record so no current secret, auth header value or `key=` parameter reaches a handler."""

    def __init__(self, secrets: Callable[[], Iterable[str]]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            current = list(self._secrets())
        except Exception:  # a failing secrets source must not silence logging
            current = []
        # Format once, then drop args: what handlers see is the redacted text, whatever the format string was.
        record.msg = redact(record.getMessage(), current)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, current)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, current)
        return True


def install_redaction(secrets: Callable[[], Iterable[str]], logger: logging.Logger | None = None) -> RedactingFilter:
    """Add a RedactingFilter to every handler of `logger` (the root by default); call after handlers are set up."""
    target = logger or logging.getLogger()
    redactor = RedactingFilter(secrets)
    for handler in target.handlers:
        handler.addFilter(redactor)
    return redactor
