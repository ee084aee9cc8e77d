"""core.redaction: a key is found in every form a provider may quote it back in, and honest text is left alone."""

from __future__ import annotations

import base64
import os
import uuid
from urllib.parse import quote, quote_plus

import pytest

from shotline.core.redaction import REDACTED, hide_keys

KEY = "sk-proj-Zq8/Lm+3Rt7=Vw2xYk9pQe4nHs6_Jd1c"  # with "/", "+" and "=": a hard case for URL and base64 forms
FAL_KEY = "4f1c2d3e-5a6b-7c8d-9e0f:0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def _pieces(text: str, key: str, size: int = 10) -> list[str]:
    return [key[at : at + size] for at in range(len(key) - size + 1) if key[at : at + size] in text]


def _b64(data: bytes, *, urlsafe: bool = False, pad: bool = True) -> str:
    encoded = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()
    return encoded if pad else encoded.rstrip("=")


@pytest.mark.parametrize("key", [KEY, FAL_KEY], ids=["slashes and plus", "id:secret"])
@pytest.mark.parametrize(
    "echo",
    [
        lambda key: f"Invalid API key {key}.",
        lambda key: f"Authorization: Bearer {key}",
        lambda key: f"?token={quote(key, safe='')}&x=1",
        lambda key: f"?token={quote(key, safe='').lower()}",
        lambda key: f"key={quote_plus(key)}",
        *(
            (lambda key, before=before, urlsafe=urlsafe, pad=pad: _b64(before + key.encode(), urlsafe=urlsafe, pad=pad))
            for before in (b"", b"x", b"xy", b"user:")
            for urlsafe in (False, True)
            for pad in (False, True)
        ),
        lambda key: f"Basic {_b64(b'user:' + key.encode())} rejected",
        lambda key: quote(_b64(b"x" + key.encode()), safe=""),
        lambda key: f"the key {key[:14]}",  # cut short by the provider
        lambda key: f"{key[-9:]} is not a key",  # its end, after a cut at the start
        lambda key: f"key {key[:8]}…{key[-4:]}",  # masked in the middle, OpenAI style
        lambda key: "x" * (300 - len(key) // 2) + key,  # across where Shotline cuts a message
    ],
)
def test_every_form_a_provider_echoes_is_hidden(key: str, echo: object) -> None:
    said = echo(key)  # type: ignore[operator]
    hidden = hide_keys(said, [key])
    assert REDACTED in hidden
    for form in {key, quote(key, safe=""), *(_b64(before + key.encode()) for before in (b"", b"x", b"xy"))}:
        assert _pieces(hidden, form, 10) == [], hidden
    assert not hidden.endswith(key[:8]) and not hidden.startswith(key[-8:])


def test_honest_text_ids_and_an_inline_clip_are_left_alone() -> None:
    keys = [KEY, FAL_KEY]
    text = (
        f"Task {uuid.uuid4()} failed: the prompt did not pass moderation (SAFETY.INPUT.TEXT). Key frames every 2 s; "
        "see https://docs.example.com/errors#429 and request req_7d6c5b4a39281f0e."
    )
    assert hide_keys(text, keys) == text
    clip = base64.b64encode(os.urandom(300_000)).decode()
    assert hide_keys(clip, keys) == clip


def test_short_values_are_not_taken_for_keys() -> None:
    assert hide_keys("test passed; abc done", ["test", "abc", ""]) == "test passed; abc done"


def test_text_without_keys_is_returned_as_is() -> None:
    assert hide_keys("nothing to see", []) == "nothing to see"
