"""The hidden files an export is written through, beside its target so the final rename is atomic.

Each is named `.<target>.partial-<8 hex>[.<part>]<ending>`, a pattern `core.errors.in_creator_words` recognises,
so a message about one names the file the creator chose instead.
"""

from __future__ import annotations

import uuid
from pathlib import Path


def partial_path(output: Path, part: str = "", suffix: str | None = None) -> Path:
    """A hidden name beside `output` for one `part` of it ("" for the whole file), ending in `suffix` (default: the
    target's own ending, so ffmpeg picks the same container)."""
    ending = output.suffix if suffix is None else suffix
    middle = f".{part}" if part else ""
    return output.with_name(f".{output.name}.partial-{uuid.uuid4().hex[:8]}{middle}{ending}")
