"""Pictures sent with a prompt: every backend refuses a missing, foreign, empty or oversized one the same way."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from shotline.backends.images import read_picture
from shotline.core.errors import InputRejected

PNG = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 56


def test_a_picture_is_typed_by_its_kind_and_inlined(tmp_path: Path) -> None:
    path = tmp_path / "First Frame.PNG"
    path.write_bytes(PNG)
    picture = read_picture(path, "Acme")
    assert (picture.name, picture.mime) == ("First Frame.PNG", "image/png")
    assert picture.data_uri() == "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.mark.parametrize(
    ("name", "content", "kinds", "max_bytes", "words"),
    [
        ("still.gif", b"GIF89a", ("JPEG", "PNG", "WebP"), None, "not an image Acme accepts; use JPEG, PNG or WebP"),
        ("gone.png", None, ("PNG",), None, "not there any more"),
        ("blank.jpg", b"", ("JPEG",), None, "is empty"),
        ("big.png", PNG * 5000, ("PNG",), 200_000, "is 0.3 MB; Acme takes images up to 0.2 MB"),
    ],
)
def test_what_cannot_be_sent_is_refused_with_the_reason(
    tmp_path: Path, name: str, content: bytes | None, kinds: tuple[str, ...], max_bytes: int | None, words: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputRejected) as refused:
        read_picture(path, "Acme", kinds=kinds, max_bytes=max_bytes)
    assert words in str(refused.value)
