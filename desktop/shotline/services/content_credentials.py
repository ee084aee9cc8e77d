"""Where the C2PA signing identity comes from: the PEM files the settings name, or for one run the files named by
SHOTLINE_C2PA_CERT and SHOTLINE_C2PA_KEY.

The settings hold paths only (`c2pa_identity`: `certificate`, `private_key`, optional `timestamp_url`), never a key.
The identity is checked with c2pa before it is handed out, so an export never renders only to find it cannot sign.
Importing c2pa and checking an identity take most of a second, so the window asks through the `start_…` functions,
which do it on the runner's thread pool.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from shotline.core.errors import ShotlineError
from shotline.jobs.runner import JobHandle
from shotline.media.content_credentials import CannotSign, SigningIdentity, load_identity, missing_library
from shotline.services.context import AppContext

__all__ = [
    "ENV_CERT",
    "ENV_KEY",
    "CannotSign",
    "SigningIdentity",
    "environment_override",
    "identity_from",
    "identity_setting",
    "signing_identity",
    "start_identity_check",
    "start_library_check",
    "start_signing_check",
]

ENV_CERT = "SHOTLINE_C2PA_CERT"
ENV_KEY = "SHOTLINE_C2PA_KEY"


def signing_identity(ctx: AppContext, environ: Mapping[str, str] | None = None) -> SigningIdentity:
    """The identity exports are signed with; CannotSign says why there is none (c2pa missing, nothing set up,
    unreadable files, or a certificate or key c2pa refuses)."""
    environ = os.environ if environ is None else environ
    configured = ctx.settings.c2pa_identity
    certificate = environ.get(ENV_CERT) or configured.get("certificate", "")
    key = environ.get(ENV_KEY) or configured.get("private_key", "")
    if not certificate or not key:
        # Importing c2pa loads a large native library (over half a second from a cold disk, holding the GIL, so
        # the window stalls): not worth it only to say that nothing is set up. An absent package costs nothing.
        absent = missing_library() if importlib.util.find_spec("c2pa") is None else None
        raise CannotSign(
            absent
            or "no signing identity is set up: name a PEM certificate chain and its private key as "
            f'"certificate" and "private_key" under "c2pa_identity" in {ctx.settings_store.path}, '
            f"or in {ENV_CERT} and {ENV_KEY}"
        )
    reason = missing_library()
    if reason:
        raise CannotSign(reason)
    return _load(certificate, key, configured.get("timestamp_url", ""))


def identity_from(setting: Mapping[str, str]) -> SigningIdentity:
    """The identity a `c2pa_identity` setting names, checked with c2pa, as Preferences tries it before saving (the
    environment variables are not consulted); CannotSign says why it cannot sign."""
    reason = missing_library()
    if reason:
        raise CannotSign(reason)
    certificate, key = setting.get("certificate", ""), setting.get("private_key", "")
    if not certificate or not key:
        raise CannotSign("choose both a certificate chain file and its private key file")
    return _load(certificate, key, setting.get("timestamp_url", ""))


def identity_setting(fields: Mapping[str, str]) -> dict[str, str]:
    """The `c2pa_identity` setting for what the creator typed as `certificate`, `private_key` and `timestamp_url`
    (empty ones left out); ShotlineError for a file given without its partner, a path that is not a full one, or a
    timestamp server that is not an http(s) URL."""
    setting = {name: fields.get(name, "").strip() for name in ("certificate", "private_key", "timestamp_url")}
    if bool(setting["certificate"]) != bool(setting["private_key"]):
        raise ShotlineError("Content Credentials need both the certificate chain file and its private key file.")
    for name, what in (("certificate", "certificate chain"), ("private_key", "private key")):
        if setting[name] and not Path(setting[name]).expanduser().is_absolute():
            raise ShotlineError(f"The {what} must be given as a full path (got {setting[name]!r}).")
    url = urlsplit(setting["timestamp_url"])
    if setting["timestamp_url"] and (url.scheme not in ("http", "https") or not url.netloc):
        raise ShotlineError(
            f"The timestamp server must be an http:// or https:// address (got {setting['timestamp_url']!r})."
        )
    return {name: value for name, value in setting.items() if value}


def environment_override(environ: Mapping[str, str] | None = None) -> str | None:
    """What SHOTLINE_C2PA_CERT / SHOTLINE_C2PA_KEY replace for this run, as a sentence; None when neither is set."""
    environ = os.environ if environ is None else environ
    overrides = [
        f"the {what} in {variable} ({environ[variable]})"
        for variable, what in ((ENV_CERT, "certificate chain"), (ENV_KEY, "private key"))
        if environ.get(variable)
    ]
    if not overrides:
        return None
    chosen = "files" if len(overrides) > 1 else "file"
    return f"This run signs with {' and '.join(overrides)} instead of the {chosen} chosen here."


def start_library_check(ctx: AppContext) -> JobHandle[str | None]:
    """`missing_library` on the runner's thread pool: why signing is impossible here, or None."""
    return ctx.runner.submit(asyncio.to_thread(missing_library))


def start_identity_check(ctx: AppContext, setting: Mapping[str, str]) -> JobHandle[SigningIdentity]:
    """`identity_from(setting)` on the runner's thread pool."""
    return ctx.runner.submit(asyncio.to_thread(identity_from, dict(setting)))


def start_signing_check(ctx: AppContext) -> JobHandle[SigningIdentity]:
    """`signing_identity` (settings or environment) on the runner's thread pool."""
    return ctx.runner.submit(asyncio.to_thread(signing_identity, ctx))


def _load(certificate: str, key: str, timestamp_url: str) -> SigningIdentity:
    chain_pem = _read(certificate, "certificate chain")
    key_pem = _read(key, "private key")
    return load_identity(chain_pem, key_pem, timestamp_url or None)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise CannotSign(f"the {what} {path} cannot be read ({exc.strerror or exc})") from None
