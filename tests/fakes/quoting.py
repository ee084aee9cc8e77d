"""A provider quoting the key back: the text it answers with, and the pieces of the key no output may hold.

`quoted_back(key)` spells the key in every form a provider might echo it — whole, base64 (standard and URL-safe, at
each of the three alignments, and inside an echoed `Basic user:key`), percent-encoded, after `Bearer`, cut short by
the provider — with the whole key straddling the CUT-th character, where Shotline cuts what a provider says.
`pieces(key)` is every PIECE-character run of the key and of its encodings, to search every output for.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

MARK = "QUOTED-BACK"
"""Starts the provider's text, so a test can see the provider's words did reach the creator."""
PIECE = 12
CUT = 300
"""How much of a provider's message Shotline keeps (backends.http.provider_message)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def quoted_back(key: str) -> str:
    raw = key.encode()
    head = (
        f"{MARK}: Invalid credentials Basic {_b64(b'user:' + raw)}; token={quote(key, safe='')}; "
        f"seen {_b64(raw)} / {_b64(b'x' + raw)}; "
    )
    assert len(head) < CUT - len(key) // 2, "the head must leave room for the key across the cut"
    head = head.ljust(CUT - len(key) // 2, ".")
    urlsafe = base64.urlsafe_b64encode(b"xy" + raw).decode().rstrip("=")
    return f"{head}{key} | Authorization: Bearer {key} | {_b64(b'xy' + raw)} | {urlsafe} | cut short: {key[:14]}"


def pieces(key: str) -> set[str]:
    raw = key.encode()
    forms = {key, quote(key, safe="")}
    for before in (b"", b"x", b"xy", b"user:"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(before + raw).decode().rstrip("=")
            forms.add(encoded[(len(before) // 3 + 1) * 4 : -4])  # leave out characters shared with the neighbours
    return {form[at : at + PIECE] for form in forms for at in range(len(form) - PIECE + 1)}


def leaks(key: str, outputs: dict[str, str]) -> list[tuple[str, str]]:
    """(where, piece) for each piece of the key found in an output."""
    return sorted({(where, piece) for piece in pieces(key) for where, text in outputs.items() if piece in text})
