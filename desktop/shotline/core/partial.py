"""The hidden files an export is written through, beside its target so the final rename is atomic, and the
temporary folders Shotline makes under the system's temp folder.

Each hidden file is named `.<target>.partial-<8 hex>.pid<owner>[.<part>]<ending>`, a pattern
`core.errors.in_creator_words` recognises, so a message about one names the file the creator chose instead. Each
temporary folder is named `shotline-<purpose>-<owner>-<random>`. The owner is the pid of the Shotline that made it:
one killed outright leaves them behind, and `media.leftovers` removes those whose owner is gone.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

_PARTIAL = re.compile(r"^\..+\.partial-[0-9a-f]{8}\.pid(?P<owner>[0-9]+)(?:\..*)?$", re.DOTALL)
_TEMP = re.compile(r"^shotline-[a-z]+-(?P<owner>[0-9]+)-")


def partial_path(output: Path, part: str = "", suffix: str | None = None) -> Path:
    """A hidden name beside `output` for one `part` of it ("" for the whole file), ending in `suffix` (default: the
    target's own ending, so ffmpeg picks the same container)."""
    ending = output.suffix if suffix is None else suffix
    middle = f".{part}" if part else ""
    return output.with_name(f".{output.name}.partial-{uuid.uuid4().hex[:8]}.pid{os.getpid()}{middle}{ending}")


def temp_prefix(purpose: str) -> str:
    """The start of the name of a temporary folder for `purpose` ("meter", "card"), for `tempfile`'s `prefix`."""
    return f"shotline-{purpose}-{os.getpid()}-"


def partial_owner(name: str) -> int | None:
    """The pid that made the hidden file or folder `name` (see `partial_path`), or None if it is not one."""
    found = _PARTIAL.match(name)
    return int(found["owner"]) if found else None


def temp_owner(name: str) -> int | None:
    """The pid that made the temporary folder `name` (see `temp_prefix`), or None if it is not one."""
    found = _TEMP.match(name)
    return int(found["owner"]) if found else None
