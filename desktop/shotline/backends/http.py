"""The one place Shotline talks HTTP to a provider: base URLs, keys, retries, error messages and downloads.

Every cloud and local backend builds a `ProviderHttp` and goes through it, so the money rules hold for all of them:

- A **read** (status, list, result, cancel, download) is idempotent and is retried on 429, 5xx, timeouts and
  dropped connections, honouring `Retry-After`. This is the one place a request is tried again, by the plans in
  `backends.policy` (READS, CREATES, DOWNLOADS), whose worst cases are written down there; the job code above
  never repeats a request.
- A **create** is sent once. Only an answer that proves nothing was created is retried (429, or a connection
  that never opened); a timeout, a dropped connection or a 5xx after the request went out raises
  `AmbiguousSubmit`, and the job is reconciled through the provider instead of being sent again.
- Plain http is refused except to this computer, so a key never crosses a network unencrypted.
- The key is sent only to the provider's own host: a redirect to a file host (signed URLs, the Files API) is
  followed without it.
- Everything a provider says enters Shotline here, and leaves here without any key: each answer's body and headers,
  and the text of a failed connection, go through `core.redaction` (the key in every form a provider might quote it
  back, and every key this process knows; backends.quoted_keys walks an answer's body, headers and reason phrase)
  before an adapter reads, cuts, logs, journals or shows any of it.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from shotline.backends.policy import CREATES, DOWNLOADS, READS, JobGone, Retries
from shotline.backends.quoted_keys import without_keys
from shotline.backends.registry import BackendContext
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    BackendError,
    InputRejected,
    JobFailed,
    ProviderUnreachable,
    QuotaExceeded,
    TransientError,
)
from shotline.core.errors import LinkExpired as LinkExpired  # the adapters raise it from here
from shotline.core.ports import ProgressSink, SecretSource
from shotline.core.redaction import hide_keys

log = logging.getLogger(__name__)

_CHUNK = 1 << 16
_REDIRECTS = 5
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_PAGE_TYPES = ("text/", "json", "xml")
"""Content-Types no clip is sent as: a download answered with one is a page (an error, a sign-in) in its place."""
_PAGE_BYTES = 1 << 16
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""Generous for reads; a create that takes longer than this is treated as ambiguous, never resent."""

ErrorHook = Callable[[httpx.Response, str], BackendError | None]
"""An adapter's own reading of an error answer (safety block, retired model…); None falls back to the status."""


# ---------------------------------------------------------------------------------------------- configuration


def base_url(ctx: BackendContext, backend_id: str, default: str) -> str:
    """SHOTLINE_<ID>_BASE_URL, else the creator's setting, else the provider's own URL; checked for safety."""
    override = os.environ.get(f"SHOTLINE_{backend_id.upper()}_BASE_URL", "").strip()
    configured = str(ctx.settings.get("base_urls", {}).get(backend_id, "") or "").strip()
    return checked_url(override or configured or default, backend_id)


def http_timeout(ctx: BackendContext) -> httpx.Timeout:
    """The request timeout: the default, or `http_timeout` seconds from the context (tests make it short)."""
    seconds = ctx.settings.get("http_timeout")
    return httpx.Timeout(float(seconds), connect=min(float(seconds), 10.0)) if seconds else DEFAULT_TIMEOUT


def checked_url(url: str, backend_id: str = "") -> str:
    """The URL without a trailing slash; plain http only to loopback, so keys never travel unencrypted."""
    parts = urlsplit(url)
    where = f" for {backend_id}" if backend_id else ""
    if parts.username or parts.password:
        # a password in an address would sit in the settings file and in every message that names the address
        raise InputRejected(
            f"The address{where} holds a user name or password before {parts.hostname}; Shotline keeps keys in "
            "the system's keyring, never in an address. Remove it, and give the key in the API keys window."
        )
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputRejected(f"{url!r} is not a web address{where}; write it like https://api.example.com.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InputRejected(
            f"Shotline only uses plain http:// with this computer (127.0.0.1 or localhost); {url!r}{where} would "
            "send your key unencrypted. Use its https:// address."
        )
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------- the client


@dataclass(frozen=True)
class KeyAuth:
    """How a provider wants its key: a header name and a format ("Bearer {key}", "Key {key}", "{key}")."""

    header: str = "Authorization"
    template: str = "Bearer {key}"
    missing_hint: str = ""
    """Where to get a key, added to the "no key" message (e.g. the provider's dashboard URL)."""


class ProviderHttp:
    """An httpx client bound to one provider, with Shotline's retry, error and key rules.

    `key_auth` None means the provider takes no key (a local ComfyUI). The key is read from `secrets` for every
    request (never kept here), so a key set or fixed while Shotline runs is used at once. `known_keys` gives every
    other key this process holds (`BackendContext.known_keys`): none of them passes through either.
    """

    def __init__(
        self,
        *,
        backend_id: str,
        provider: str,
        base: str,
        secrets: SecretSource | None = None,
        key_auth: KeyAuth | None = None,
        headers: Mapping[str, str] | None = None,
        on_error: ErrorHook | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        known_keys: Callable[[], Iterable[str]] = tuple,
    ) -> None:
        self.backend_id = backend_id
        self.provider = provider
        self.base = base
        self._secrets = secrets
        self._key_auth = key_auth
        self._known_keys = known_keys
        self._on_error = on_error
        self._client = httpx.AsyncClient(
            base_url=base,
            headers=dict(headers or {}),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client

    async def aclose(self) -> None:
        await self._client.aclose()

    # ------------------------------------------------------------------------------------------ keys

    def key(self) -> str:
        """The provider key, or AuthFailed saying how to set one."""
        key = self._secrets.get(self.backend_id) if self._secrets is not None else None
        if not key:
            hint = self._key_auth.missing_hint if self._key_auth else ""
            raise AuthFailed(
                f"No API key for {self.provider}. Add it in Edit → API keys or with "
                f"`shotline keys set {self.backend_id}`.{' ' + hint if hint else ''}"
            )
        return key

    def auth_headers(self) -> dict[str, str]:
        return self._auth_headers(self.key() if self._key_auth is not None else None)

    def _auth_headers(self, key: str | None) -> dict[str, str]:
        if self._key_auth is None or key is None:
            return {}
        return {self._key_auth.header: self._key_auth.template.format(key=key)}

    def is_own_host(self, url: str) -> bool:
        """Whether `url` points at the provider's API itself (the only place its key may be sent)."""
        target, own = httpx.URL(url), httpx.URL(self.base)
        return (target.scheme, target.host, target.port) == (own.scheme, own.host, own.port)

    # ------------------------------------------------------------------------------------------ requests

    async def read(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An idempotent request, retried on 429/5xx/timeouts with Retry-After or backoff; a 2xx answer or raises."""
        for attempt in range(1, READS.attempts + 1):
            try:
                response = await self._send(method, path, **kwargs)
            except httpx.TransportError as exc:
                if attempt == READS.attempts:
                    raise ProviderUnreachable(
                        f"{self.provider} could not be reached after {attempt} tries ({self._said(exc)})."
                    ) from exc
                await self._pause(READS, attempt, None, f"{method} {path}: {self._said(exc)}")
                continue
            if response.status_code in _RETRY_STATUSES and attempt < READS.attempts:
                await self._pause(READS, attempt, response, f"{method} {path}: HTTP {response.status_code}")
                continue
            return self._checked(response)
        raise AssertionError("unreachable")

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        return json_of(await self.read("GET", path, **kwargs), self.provider)

    async def create(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The request that starts a (possibly billed) job: sent once; retried only when it surely did nothing."""
        for attempt in range(1, CREATES.attempts + 1):
            try:
                response = await self._send(method, path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # the connection never opened, so the provider cannot have seen the request
                raise ProviderUnreachable(
                    f"{self.provider} could not be reached ({self._said(exc)}); nothing was sent. Try again later."
                ) from exc
            except httpx.TransportError as exc:
                raise AmbiguousSubmit(
                    f"The connection to {self.provider} broke after the request was sent ({self._said(exc)}); "
                    "the job may have started."
                ) from exc
            if response.status_code == 429 and attempt < CREATES.attempts:
                # a 429 is the provider saying it created nothing; waiting as told and asking again is safe
                await self._pause(CREATES, attempt, response, f"{method} {path}: rate limited")
                continue
            if response.status_code >= 500:
                raise AmbiguousSubmit(
                    f"{self.provider} answered HTTP {response.status_code} to the create request; "
                    "the job may have started anyway."
                )
            return self._checked(response)
        raise AssertionError("unreachable")

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        key = self.key() if self._key_auth is not None else None
        headers = {**self._auth_headers(key), **kwargs.pop("headers", {})}
        response = await self._client.request(method, path, headers=headers, **kwargs)
        log.debug("%s %s %s → %d", self.provider, method, response.request.url.path, response.status_code)
        return self._heard(response, key)

    async def _pause(self, plan: Retries, attempt: int, response: httpx.Response | None, what: str) -> None:
        delay = retry_delay(attempt, response, plan)
        log.info("%s: %s; trying again in %.1f s", self.provider, what, delay)
        await asyncio.sleep(delay)

    # ------------------------------------------------------------------------------------------ errors

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        message = provider_message(response)
        if self._on_error is not None and (error := self._on_error(response, message)) is not None:
            raise error
        raise error_for(response.status_code, self.provider, message)

    # ------------------------------------------------------------------------------------------ keys out

    def _keys(self, used: str | None = None) -> list[str]:
        """The key this request used (read again when not given) and every key the process knows."""
        keys = list(self._known_keys())
        if used is None and self._key_auth is not None and self._secrets is not None:
            try:
                used = self._secrets.get(self.backend_id)
            except Exception:  # a keyring failing now must not hide why the request failed
                log.warning("%s: the key could not be read again to keep it out of an error", self.provider)
        return [*keys, used] if used else keys

    def _hide(self, text: str, key: str | None = None) -> str:
        return hide_keys(text, self._keys(key))

    def _said(self, exc: BaseException) -> str:
        """Why a connection failed, in httpx's words, which may quote what the server sent (a bad status line)."""
        return self._hide(str(exc) or type(exc).__name__)

    def _heard(self, response: httpx.Response, key: str | None) -> httpx.Response:
        """The answer as Shotline may read it: body and headers without any key (backends.quoted_keys)."""
        return without_keys(response, self._keys(key))

    # ------------------------------------------------------------------------------------------ downloads

    async def download(
        self,
        url: str,
        dest: Path,
        progress: ProgressSink,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Stream `url` into `dest`, continuing a partial file with a Range request; complete, or raises.

        The key goes only to the provider's own host. Every attempt checks the length against Content-Length,
        so a truncated transfer is resumed rather than kept.
        """
        for attempt in range(1, DOWNLOADS.attempts + 1):
            try:
                await self._download_once(url, dest, progress, params, headers)
                return
            except LinkExpired:
                raise
            except (TransientError, httpx.TransportError) as exc:
                if attempt == DOWNLOADS.attempts:
                    raise TransientError(
                        f"Downloading from {self.provider} failed {attempt} times ({self._said(exc)})."
                    ) from exc
                await self._pause(DOWNLOADS, attempt, None, f"download: {self._said(exc)}")

    async def _download_once(
        self,
        url: str,
        dest: Path,
        progress: ProgressSink,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> None:
        have = await asyncio.to_thread(_size_of, dest)
        target = urljoin(self.base + "/", url)
        for _ in range(_REDIRECTS + 1):
            request_headers = dict(headers or {})
            if self.is_own_host(target):
                request_headers.update(self.auth_headers())
            if have:
                request_headers["Range"] = f"bytes={have}-"
            request = self._client.build_request("GET", target, params=params, headers=request_headers)
            params = None  # the redirect target carries its own query
            response = await self._client.send(request, stream=True)
            try:
                if response.is_redirect:
                    location = self._hide(response.headers.get("Location", ""))
                    target = urljoin(str(response.request.url), location)
                    checked_url(target, self.backend_id)
                    continue
                if response.status_code == 416 and have:
                    have = 0  # the partial file is longer than the clip: start again
                    await asyncio.to_thread(dest.unlink, missing_ok=True)
                    continue
                if response.status_code in (403, 404, 410) and not self.is_own_host(target):
                    raise LinkExpired(
                        f"The link to the clip at {self.provider} has expired (HTTP {response.status_code})."
                    )
                if response.status_code in _RETRY_STATUSES:
                    raise TransientError(f"{self.provider} answered HTTP {response.status_code} to the download")
                if not response.is_success:
                    await response.aread()
                    self._checked(self._heard(response, None))
                if any(kind in response.headers.get("Content-Type", "").lower() for kind in _PAGE_TYPES):
                    raise await self._page_for_clip(response)
                await _stream_to(response, dest, have, progress)
                return
            finally:
                await response.aclose()
        raise JobFailed(f"{self.provider} redirected the download more than {_REDIRECTS} times.")

    async def _page_for_clip(self, response: httpx.Response) -> JobFailed:
        """A download answered with a page instead of the clip: what it says (a provider's page may quote the key,
        so it is read through `_heard` as any answer is), never written where the clip goes."""
        page = bytearray()
        async for chunk in response.aiter_bytes(_CHUNK):
            page += chunk
            if len(page) >= _PAGE_BYTES:
                break
        page_only = httpx.Response(
            response.status_code, headers=response.headers, content=bytes(page[:_PAGE_BYTES]), request=response.request
        )
        heard = self._heard(page_only, None)
        said = provider_message(heard)
        return JobFailed(
            f"{self.provider} sent a page instead of the clip{f' ({said})' if said else ''}. Generate the shot again."
        )


async def _stream_to(response: httpx.Response, dest: Path, have: int, progress: ProgressSink) -> None:
    resumed = response.status_code == 206 and have > 0
    start = have if resumed else 0
    length = response.headers.get("Content-Length")
    total = start + int(length) if length and length.isdigit() else None
    written = start
    with dest.open("ab" if resumed else "wb") as handle:
        async for chunk in response.aiter_raw(_CHUNK) if _is_identity(response) else response.aiter_bytes(_CHUNK):
            await asyncio.to_thread(handle.write, chunk)
            written += len(chunk)
            if total:
                progress(min(written / total, 1.0))
        handle.flush()
        await asyncio.to_thread(os.fsync, handle.fileno())
    if total is not None and written < total:
        raise TransientError(f"the download stopped at {written} of {total} bytes")
    if written == 0:
        await asyncio.to_thread(dest.unlink, missing_ok=True)
        raise TransientError("the download was empty")
    progress(1.0)


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _is_identity(response: httpx.Response) -> bool:
    return response.headers.get("Content-Encoding", "identity") in {"identity", ""}


# ---------------------------------------------------------------------------------------------- helpers


def retry_delay(attempt: int, response: httpx.Response | None, plan: Retries = READS) -> float:
    """Retry-After (seconds or a date) when given, else `plan`'s backoff with jitter; never over its longest wait."""
    if response is not None and (header := response.headers.get("Retry-After")):
        try:
            return min(max(float(header), 0.0), plan.max_wait_s)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return min(max(when.timestamp() - time.time(), 0.0), plan.max_wait_s)
    return plan.wait_s(attempt, random.random())


def provider_message(response: httpx.Response) -> str:
    """The human part of an error body, whichever of the usual shapes the provider uses."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300]
    return _message_in(body)[:300]


def _message_in(body: Any) -> str:
    if isinstance(body, str):
        return body
    if isinstance(body, list) and body:
        return "; ".join(filter(None, (_message_in(item) for item in body[:3])))
    if isinstance(body, dict):
        for key in ("error", "detail", "message", "msg", "failure", "title"):
            if body.get(key):
                return _message_in(body[key])
    return ""


def error_for(status: int, provider: str, message: str) -> BackendError:
    """The creator-facing error for an HTTP failure status."""
    said = f" ({provider} said: {message})" if message else ""
    if status == 401:
        return AuthFailed(f"{provider} did not accept the API key{said}. Check it in Edit → API keys.")
    if status == 403:
        return AuthFailed(f"{provider} refused access{said}. The key may lack permission for this model.")
    if status == 402:
        return QuotaExceeded(f"Your {provider} account is out of credit{said}. Add credit on the provider's site.")
    if status == 429:
        return QuotaExceeded(f"{provider} is limiting requests{said}. Wait a little and try again.")
    if status in (400, 409, 413, 415, 422):
        return InputRejected(f"{provider} refused the request{said}. Change the shot's settings and try again.")
    if status == 404:
        return JobGone(f"{provider} does not know this job or address{said}.")
    if status >= 500:
        return TransientError(f"{provider} had a problem (HTTP {status}){said}. Try again later.")
    return JobFailed(f"{provider} answered HTTP {status}{said}.")


def json_of(response: httpx.Response, provider: str) -> Any:
    """The JSON body, or a TransientError naming the provider when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        raise TransientError(f"{provider} sent an answer Shotline could not read (not JSON).") from None
