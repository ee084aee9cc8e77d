"""The project.json format: the only place that knows its shape, its versions and how to migrate them.

A project is written as one JSON object. Exact values stay exact: Fractions as "30000/1001", Decimals as
strings, times as integer microseconds, sizes as "WxH". `loads` never lets a damaged file escape as anything
but `ProjectCorrupt` (or `ProjectTooNew`), and its message says which field is wrong so a creator (or a support
thread) can find it.

This module owns the versions (the migrations) and the file's bytes; `schema_write` turns a project into the
object and `schema_read` reads one back, checking every value against its bounds.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from shotline.core.errors import ProjectCorrupt, ProjectTooNew
from shotline.core.model import FORMAT_VERSION, Project
from shotline.storage.jsonfields import DAMAGED, Fields, check_plain, corrupt, kind
from shotline.storage.schema_read import read_project
from shotline.storage.schema_write import dumps, project_to_json

__all__ = ["MIGRATIONS", "dumps", "format_version_of", "loads", "migrate", "project_from_json", "project_to_json"]

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 128 * 1024 * 1024
"""No project.json comes near this (ten thousand shots with their takes are some 30 MB); a larger file is not read,
so a damaged or hostile one cannot fill the memory while it is parsed."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Format 2 gives projects audio lanes with their own settings; a clip's unused `duck_db` goes (lanes duck)."""
    for clip in document.get("audio", []):
        clip.pop("duck_db", None)
    return document


def _v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
    """Format 3 keeps the takes a creator deleted (`removed_takes`, each with the shot it came from) so they can be
    restored. A format-2 project has none. The version goes up, not just a field in, because an older Shotline
    would read the file, ignore the field and drop the deleted takes at its next save."""
    document.setdefault("removed_takes", [])
    return document


def _v3_to_v4(document: dict[str, Any]) -> dict[str, Any]:
    """Format 4 adds timeline markers (`markers`). A format-3 project has none; the version goes up so an older
    Shotline refuses the file rather than dropping the markers at its next save."""
    document.setdefault("markers", [])
    return document


def _v4_to_v5(document: dict[str, Any]) -> dict[str, Any]:
    """Format 5 adds the cast and places (`cast`). A format-4 project has none; the version goes up so an older
    Shotline refuses the file rather than dropping the cast (and its pictures' place in the project) at its next
    save."""
    document.setdefault("cast", [])
    return document


def _v5_to_v6(document: dict[str, Any]) -> dict[str, Any]:
    """Format 6 gives shots their dialogue lines, cast members a voice and projects captions. A shot's "has dialogue"
    flag becomes its list of lines: a set flag one unwritten line (no words, nobody named) so the shot still counts
    as speaking and the music keeps ducking under it as the creator set, and the inspector shows where its words go;
    an unwritten line is sent, voiced and captioned nowhere. Its id comes from the shot's, so the step stays pure.
    The version goes up so an older Shotline refuses the file rather than reading a list as a flag."""
    for shot in document.get("shots", []):
        said = shot.get("dialogue", False)
        if isinstance(said, bool):  # anything else is damage the reader names
            shot["dialogue"] = [{"id": f"{shot['id']}-line-1", "text": "", "speaker": ""}] if said else []
    document.setdefault("captions", [])
    return document


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5, 5: _v5_to_v6}
"""`MIGRATIONS[n]` turns a format-n document into a format-(n+1) one. Pure functions; add one per format bump,
with a golden fixture tests/data/projects/v<n>.json."""


def format_version_of(data: Mapping[str, Any]) -> int:
    f = Fields(dict(data), "")
    return f.whole("format_version", minimum=0)


def migrate(data: Mapping[str, Any], migrations: Mapping[int, Migration] | None = None) -> dict[str, Any]:
    """Bring a document of any readable format up to FORMAT_VERSION, one pure step at a time."""
    steps = MIGRATIONS if migrations is None else migrations
    version = format_version_of(data)
    if version > FORMAT_VERSION:
        raise ProjectTooNew(
            f"This project was saved by a newer Shotline (format {version}); this Shotline reads up to format "
            f"{FORMAT_VERSION}. Update Shotline to open it."
        )
    document = copy.deepcopy(dict(data))
    while version < FORMAT_VERSION:
        step = steps.get(version)
        if step is None:
            raise ProjectCorrupt(
                f"This project uses format {version}, which this Shotline can no longer read. "
                "Open it in an older Shotline and save it there first."
            )
        try:
            document = step(document)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ProjectCorrupt(
                f"{DAMAGED}: it could not be upgraded from format {version} ({type(error).__name__}: {error})."
            ) from error
        version += 1
        document["format_version"] = version
        log.info("Upgraded a project document to format %d", version)
    return document


def project_from_json(data: object, migrations: Mapping[int, Migration] | None = None) -> Project:
    """Build the model from parsed JSON; raises ProjectCorrupt naming the bad field, or ProjectTooNew."""
    if not isinstance(data, dict):
        corrupt("the top level", f"should be an object but is {kind(data)}")
    return read_project(Fields(migrate(data, migrations), ""))


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(raw: bytes) -> object:
    if len(raw) > MAX_FILE_BYTES:
        raise ProjectCorrupt(
            f"{DAMAGED}: it is larger than any project can be (more than {MAX_FILE_BYTES // 2**20} MB)."
        )
    if not raw:
        raise ProjectCorrupt(f"{DAMAGED}: it is empty (0 bytes). It was probably cut off while being saved.")
    if not raw.strip(b"\x00"):
        raise ProjectCorrupt(
            f"{DAMAGED}: it holds only zero bytes ({len(raw)} of them), which happens when the computer loses "
            "power while saving."
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise ProjectCorrupt(f"{DAMAGED}: it contains zero bytes (the first at byte {nul}), so part of it is lost.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProjectCorrupt(f"{DAMAGED}: it is not UTF-8 text (bad byte at position {error.start}).") from error
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        # cut off between values, or inside a text value that runs on to the end of the file
        if not text[error.pos :].strip() or error.msg.startswith("Unterminated string"):
            raise ProjectCorrupt(
                f"{DAMAGED}: it ends too early (line {error.lineno}, column {error.colno}); it was probably cut "
                "off while being saved."
            ) from error
        raise ProjectCorrupt(
            f"{DAMAGED}: it is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from error
    except RecursionError as error:
        raise ProjectCorrupt(f"{DAMAGED}: it is nested too deeply to be a project.") from error
    except ValueError as error:  # NaN/Infinity, or a number with more digits than Python converts
        raise ProjectCorrupt(f"{DAMAGED}: it is not valid JSON ({error}).") from error
    check_plain(data)
    return data


def loads(raw: bytes, migrations: Mapping[int, Migration] | None = None) -> Project:
    """Parse project.json bytes; any damage becomes ProjectCorrupt, a newer format ProjectTooNew.

    Every value is checked against the schema and its bounds (DESIGN §3-4) and every reference against the folder
    rule (`references.check_names`), so a project that loads can be shown, edited and exported without surprises.
    """
    data = _parse(raw)
    try:
        return project_from_json(data, migrations)
    except (ArithmeticError, AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError) as error:
        # The checks above should have named the field; reaching here is a gap in them, so it is logged as one.
        log.exception("A project file passed the schema's checks but could not be read")
        raise ProjectCorrupt(f"{DAMAGED}: it holds a value Shotline cannot read ({type(error).__name__}).") from error
