"""Keys a provider quotes back, taken out of its answers before anything in Shotline reads them.

Some providers repeat the key they were sent in an error (whole, cut short, base64-encoded in an echoed `Basic`
header, escaped inside JSON, inside JSON passed on as a string by a gateway). `without_keys` gives back the answer
with every key hidden (by `core.redaction`) in its body, headers and reason phrase; backends.http reads every answer
through it, with the key the request used and every key this process knows.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from shotline.core.redaction import hide_keys

_BINARY_TYPES = ("video/", "audio/", "image/", "application/octet-stream")
_JSON_STARTS = (b"{", b"[", b'"')
"""How a JSON document begins: a body so begun is read as JSON by an adapter whatever its Content-Type says."""


def without_keys(response: httpx.Response, keys: list[str]) -> httpx.Response:
    """The answer as Shotline may read it: body and headers without any of `keys`, in any form, anywhere in them.

    Some providers quote the key they were sent back in their errors (whole, cut short, base64-encoded in an
    echoed `Basic` header…); nothing an adapter reads (a task's failure, a 401's issues, a redirect's Location)
    may carry it on into a message, a log line or the journal. A clip's own bytes are left alone.
    """
    if not keys:
        return response
    body = response.content
    kind = response.headers.get("Content-Type", "").lower()
    if body and not (response.is_success and kind.startswith(_BINARY_TYPES) and not _is_json_like(body)):
        body = _body_without(body, response, keys)
    headers = [(name, hide_keys(value, keys)) for name, value in response.headers.multi_items()]
    reason = response.extensions.get("reason_phrase", b"")
    said = hide_keys(reason.decode("ascii", errors="replace"), keys).encode("ascii", errors="replace")
    if body is response.content and headers == list(response.headers.multi_items()) and said == reason:
        return response
    unframed = [
        (n, v) for n, v in headers if n.lower() not in ("content-length", "content-encoding", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=unframed,
        content=body,
        request=response.request,
        extensions={**response.extensions, "reason_phrase": said},
    )


def _json_in(text: str) -> Any:
    """The JSON object or list `text` holds, or None."""
    if text[:64].lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _is_json_like(body: bytes) -> bool:
    return body[:64].lstrip()[:1] in _JSON_STARTS  # a clip's first bytes are never these


def _body_without(body: bytes, response: httpx.Response, keys: list[str]) -> bytes:
    """`body` with the keys hidden in every string of its JSON (so an escaped `\\u0073k-…` is found too), else in
    its text; the same bytes only when neither its JSON nor its text holds anything to hide (a field named twice
    keeps the key in the text, in the copy a JSON reader drops)."""
    named_twice: list[bool] = []

    def fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) < len(pairs):
            named_twice.append(True)
        return found

    try:
        parsed = json.loads(body, object_pairs_hook=fields)
    except (ValueError, RecursionError):
        text = response.text
        hidden = hide_keys(text, keys)
        return body if hidden == text else hidden.encode(response.encoding or "utf-8", errors="replace")
    try:
        cleaned = _strings_without(parsed, keys)
        if cleaned == parsed and not named_twice:
            return body
        return json.dumps(cleaned).encode("ascii")  # ASCII reads the same in any charset the headers name
    except RecursionError:  # nested deeper than Python walks: hide the keys in its raw text instead
        return hide_keys(response.text, keys).encode(response.encoding or "utf-8", errors="replace")


def _strings_without(value: Any, keys: list[str]) -> Any:
    if isinstance(value, str):
        inner = _json_in(value)
        if inner is None:
            return hide_keys(value, keys)
        # JSON passed on as a string (a gateway wrapping the provider's error): its escapes hide a key until read
        cleaned = _strings_without(inner, keys)
        hidden = hide_keys(value, keys)
        return value if cleaned == inner and hidden == value else hide_keys(json.dumps(cleaned), keys)
    if isinstance(value, list):
        return [_strings_without(item, keys) for item in value]
    if isinstance(value, dict):
        return {hide_keys(name, keys): _strings_without(item, keys) for name, item in value.items()}
    return value
