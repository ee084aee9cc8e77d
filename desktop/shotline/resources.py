"""Where the files from the repository's resources/ folder are at run time.

A wheel carries them as `shotline/_resources`; an editable checkout reads the repository folder itself. This is
the one place that knows, so packaging has a single thing to copy.
"""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    packaged = Path(__file__).with_name("_resources")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
