"""Where the C2PA signing identity comes from: the PEM files the settings name, or for one run the files named by
SHOTLINE_C2PA_CERT and SHOTLINE_C2PA_KEY.

The settings hold paths only (`c2pa_identity`: `certificate`, `private_key`, optional `timestamp_url`), never a key.
The identity is checked with c2pa before it is handed out, so an export never renders only to find it cannot sign.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from shotline.media.content_credentials import CannotSign, SigningIdentity, load_identity, missing_library
from shotline.services.context import AppContext

__all__ = ["ENV_CERT", "ENV_KEY", "CannotSign", "SigningIdentity", "signing_identity"]

ENV_CERT = "SHOTLINE_C2PA_CERT"
ENV_KEY = "SHOTLINE_C2PA_KEY"


def signing_identity(ctx: AppContext, environ: Mapping[str, str] | None = None) -> SigningIdentity:
    """The identity exports are signed with; CannotSign says why there is none (c2pa missing, nothing set up,
    unreadable files, or a certificate or key c2pa refuses)."""
    reason = missing_library()
    if reason:
        raise CannotSign(reason)
    environ = os.environ if environ is None else environ
    configured = ctx.settings.c2pa_identity
    certificate = environ.get(ENV_CERT) or configured.get("certificate", "")
    key = environ.get(ENV_KEY) or configured.get("private_key", "")
    if not certificate or not key:
        raise CannotSign(
            "no signing identity is set up: name a PEM certificate chain and its private key as "
            f'"certificate" and "private_key" under "c2pa_identity" in {ctx.settings_store.path}, '
            f"or in {ENV_CERT} and {ENV_KEY}"
        )
    chain_pem = _read(certificate, "certificate chain")
    key_pem = _read(key, "private key")
    return load_identity(chain_pem, key_pem, configured.get("timestamp_url") or None)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise CannotSign(f"the {what} {path} cannot be read ({exc.strerror or exc})") from None
