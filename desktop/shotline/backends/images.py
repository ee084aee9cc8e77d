"""Pictures a shot sends with its prompt (first frame, last frame, references), read from disk for a provider.

Requests carry them as absolute paths; each backend inlines them (base64, data URIs) or uploads them. Reading
them here gives every backend the same checks and the same messages: a picture that is gone, unreadable, of a
kind the provider does not take, or too large is refused before anything is sent.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from shotline.core.errors import InputRejected

FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "JPEG": ("image/jpeg", (".jpg", ".jpeg")),
    "PNG": ("image/png", (".png",)),
    "WebP": ("image/webp", (".webp",)),
    "GIF": ("image/gif", (".gif",)),
    "BMP": ("image/bmp", (".bmp",)),
    "HEIC": ("image/heic", (".heic",)),
    "HEIF": ("image/heif", (".heif",)),
    "TIFF": ("image/tiff", (".tif", ".tiff")),
}
"""Picture kinds by the name a creator knows, with their MIME type and file suffixes."""

COMMON = ("JPEG", "PNG", "WebP")
"""What every provider takes."""


@dataclass(frozen=True, slots=True)
class Picture:
    name: str
    data: bytes
    mime: str

    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{self.base64()}"


def read_picture(
    path: str | Path, provider: str, *, kinds: tuple[str, ...] = COMMON, max_bytes: int | None = None
) -> Picture:
    """The picture at `path`, if it is one of `kinds` and at most `max_bytes`; else InputRejected saying why.

    Blocking: call it through `asyncio.to_thread` from a coroutine.
    """
    path = Path(path)
    mime = next((FORMATS[kind][0] for kind in kinds if path.suffix.lower() in FORMATS[kind][1]), None)
    if mime is None:
        raise InputRejected(f"{path.name} is not an image {provider} accepts; use {_listed(kinds)}.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputRejected(f"The image {path} cannot be read: it is not there any more. Choose it again.") from None
    except OSError as exc:
        raise InputRejected(f"The image {path} cannot be read ({exc.strerror or exc}); choose it again.") from None
    if not data:
        raise InputRejected(f"The image {path.name} is empty; choose it again.")
    if max_bytes is not None and len(data) > max_bytes:
        raise InputRejected(
            f"The image {path.name} is {len(data) / 1e6:.1f} MB; {provider} takes images up to "
            f"{max_bytes / 1e6:.1f} MB. Save it smaller or as JPEG."
        )
    return Picture(path.name, data, mime)


def _listed(kinds: tuple[str, ...]) -> str:
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"
