"""Answers that carry a quoted-back key where the usual reading of a provider's text does not look (issue 13, class
1): every one goes through ProviderHttp against a real server on 127.0.0.1, and nothing Shotline may read, show,
log or keep from it holds any piece of the key, in any of the forms tests.fakes.quoting searches for, nor the key
with its characters written as JSON escapes (`\\u0073\\u006b…`, which any reader of the message turns back).

- a status answer in JSON whose Content-Type calls it a clip (the body was left alone as a clip's own bytes, while
  the adapter reads it as JSON all the same);
- a JSON error naming the same field twice, the key in the copy a JSON reader drops (the raw text kept it);
- the status line's reason phrase;
- the key written as JSON escapes, in a plain-text error and inside a JSON string holding JSON (a gateway wrapping
  the provider's own error);
- a download answered 200 with a page of text quoting the key instead of the clip (written into the clip's file).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.http import KeyAuth, ProviderHttp
from shotline.core.errors import BackendError
from tests.backends.adapter_kit import FixedSecrets
from tests.fakes.quoting import MARK, leaks, quoted_back
from tests.fakes.server import FakeServer, Reply

KEY = "sk-proj-Tq7ZxW2mKv9RbL4nHs8YcJ1dFg6Pe3Ua"


def escaped(text: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in text)


def unescaped(text: str) -> str:
    """`text` with every JSON escape `\\uXXXX` turned back into its character, as a reader of it would."""
    return re.sub(r"\\\\?u([0-9a-fA-F]{4})", lambda found: chr(int(found[1], 16)), text)


SAID = f"{MARK} escaped: {escaped(KEY)} | {quoted_back(KEY)}"

ANSWERS: dict[str, Callable[[], Reply]] = {
    "JSON called a clip": lambda: Reply(
        200, body=json.dumps({"status": "FAILED", "failure": SAID}).encode(), content_type="application/octet-stream"
    ),
    "a field named twice": lambda: Reply(200, body=f'{{"failure": {json.dumps(SAID)}, "failure": "{MARK}"}}'.encode()),
    "the reason phrase": lambda: Reply(200, json={"status": MARK}, reason=f"Bad key {KEY}"),
    "escaped in plain text": lambda: Reply(401, body=SAID.encode(), content_type="text/plain"),
    "escaped in JSON inside JSON": lambda: Reply(
        502, json={"error": json.dumps({"detail": SAID}).replace(KEY, escaped(KEY))}
    ),
}


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    for name, answer in ANSWERS.items():
        server.route("GET", "/" + name.replace(" ", "-"), lambda _call, _match, answer=answer: answer())
    server.route("GET", r"/clip", lambda _call, _match: Reply(200, body=SAID.encode(), content_type="text/plain"))
    with server:
        yield server


def _run(url: str, scenario: Callable[[ProviderHttp], Any]) -> Any:
    async def main() -> Any:
        http = ProviderHttp(
            backend_id="test", provider="Test Provider", base=url, secrets=FixedSecrets(KEY), key_auth=KeyAuth()
        )
        try:
            return await scenario(http)
        except BackendError as error:
            return error
        finally:
            await http.aclose()

    return asyncio.run(main())


def _what_is_read(answer: Any) -> str:
    if isinstance(answer, BaseException):
        return str(answer)
    return "\n".join([answer.text, str(answer.json()), answer.reason_phrase, str(answer.headers)])


@pytest.mark.parametrize("name", list(ANSWERS))
def test_no_piece_of_the_key_is_read_from_an_odd_answer(
    fake: FakeServer, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    answer = _run(fake.url, lambda http: http.read("GET", "/" + name.replace(" ", "-")))
    read = _what_is_read(answer)
    assert MARK in read, "the provider's words must reach Shotline (else nothing is tested)"
    found = leaks(KEY, {"read": unescaped(read), "log": unescaped(caplog.text)})
    assert not found, found[:3]


def test_a_page_of_text_sent_for_the_clip_is_not_kept_as_the_clip(fake: FakeServer, tmp_path: Path) -> None:
    dest = tmp_path / "clip.mp4"
    failed = _run(fake.url, lambda http: http.download("/clip", dest, lambda _fraction: None))
    assert isinstance(failed, BackendError), "a page of text is not a clip"
    assert MARK in str(failed)
    kept = dest.read_bytes().decode("latin-1") if dest.exists() else ""
    assert not leaks(KEY, {"error": unescaped(str(failed)), "file": unescaped(kept)})
