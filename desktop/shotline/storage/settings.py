"""App settings (not per project): default backend and model, poll interval, ffmpeg path, base URLs, recents,
whether the getting-started guide has run, and the View menu's choices.

Stored as settings.json in the user's config folder (platformdirs), or in `SHOTLINE_CONFIG_DIR` when set (tests,
portable installs). A missing or damaged file never stops the app: it starts with defaults and logs why.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import platformdirs

from shotline.core.errors import SaveFailed
from shotline.storage.atomic import write_atomic

log = logging.getLogger(__name__)

ENV_CONFIG_DIR = "SHOTLINE_CONFIG_DIR"
SETTINGS_FILE = "settings.json"
MAX_RECENT = 10


@dataclass(frozen=True, slots=True)
class AppSettings:
    default_backend: str = "animatic"
    default_model: str = ""
    poll_seconds: float = 5.0
    ffmpeg_path: str = ""
    base_urls: Mapping[str, str] = field(default_factory=dict)
    """Per-backend API base URL overrides (self-hosted gateways, test servers)."""
    recent_projects: tuple[str, ...] = ()
    cache_size_mb: int = 2048
    cache_folder: str = ""
    """Where backends keep their working files; empty means the platform's cache folder."""
    export_choices: Mapping[str, str] = field(default_factory=dict)
    """The export dialog's last choices (preset, fit, codec, loudness, hardware), offered again next time."""
    c2pa_identity: Mapping[str, str] = field(default_factory=dict)
    """How exports are signed with C2PA: paths to a PEM `certificate` chain and `private_key`, and an optional
    `timestamp_url` (see services.content_credentials; never the key itself)."""
    first_run_done: bool = False
    """The getting-started guide was finished or skipped, so the window no longer offers it by itself."""
    clock_style: str = "frames"
    """How the player reads times: "frames" (timecode, HH:MM:SS:FF) or "seconds" (HH:MM:SS.mmm); core.frames."""
    window_layout: Mapping[str, str] = field(default_factory=dict)
    """Where the window and its panels were (Qt's saved geometry and state, base64), restored at the next start."""
    shortcuts: Mapping[str, str] = field(default_factory=dict)
    """Keys the creator gave actions (Help → Keyboard shortcuts): action id → keys, newline separated, "" for none."""
    ask_above_usd: str = "0.00"
    """A paid Generate estimated above this many US dollars (an exact decimal, as text) asks once per session before
    it starts; "0.00" asks before the first paid one. A price that is not known always counts as above."""
    captions_in_viewer: bool = True
    """View → Show captions in the viewer: the player shows the caption under the playhead over the picture."""
    last_handoff: str = ""
    """The cut the last Export for another editor… wrote: the next one is offered in its folder and format."""

    def with_recent(self, project_path: str) -> AppSettings:
        """Move `project_path` to the top of the recent list, keeping it short."""
        recent = (project_path, *(p for p in self.recent_projects if p != project_path))
        return dataclasses.replace(self, recent_projects=recent[:MAX_RECENT])


def _is_amount(value: Any) -> bool:
    """A non-negative decimal written as text ("2.50"); floats are refused so the threshold stays exact."""
    try:
        return isinstance(value, str) and Decimal(value).is_finite() and Decimal(value) >= 0
    except InvalidOperation:
        return False


def _valid(name: str, value: Any) -> bool:
    checks = {
        "default_backend": lambda v: isinstance(v, str) and bool(v),
        "default_model": lambda v: isinstance(v, str),
        "poll_seconds": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0.1 <= v <= 3600,
        "ffmpeg_path": lambda v: isinstance(v, str),
        "base_urls": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in (*v, *v.values())),
        "recent_projects": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "cache_size_mb": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "cache_folder": lambda v: isinstance(v, str),
        "export_choices": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in (*v, *v.values())),
        "c2pa_identity": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in (*v, *v.values())),
        "first_run_done": lambda v: isinstance(v, bool),
        "clock_style": lambda v: v in ("frames", "seconds"),
        "window_layout": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in (*v, *v.values())),
        "shortcuts": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in (*v, *v.values())),
        "captions_in_viewer": lambda v: isinstance(v, bool),
        "last_handoff": lambda v: isinstance(v, str),
        "ask_above_usd": _is_amount,
    }
    return bool(checks[name](value))


def _from_json(data: dict[str, Any]) -> AppSettings:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(AppSettings):
        if f.name not in data:
            continue
        value = data[f.name]
        if not _valid(f.name, value):
            log.warning("Ignoring the setting %s (%r is not valid); using the default", f.name, value)
            continue
        if f.name == "recent_projects":
            value = tuple(value)
        elif f.name == "poll_seconds":
            value = float(value)
        values[f.name] = value
    return AppSettings(**values)


def _to_json(settings: AppSettings) -> dict[str, Any]:
    data = {f.name: getattr(settings, f.name) for f in dataclasses.fields(AppSettings)}
    data["base_urls"] = dict(settings.base_urls)
    data["export_choices"] = dict(settings.export_choices)
    data["c2pa_identity"] = dict(settings.c2pa_identity)
    data["window_layout"] = dict(settings.window_layout)
    data["shortcuts"] = dict(settings.shortcuts)
    data["recent_projects"] = list(settings.recent_projects)
    return data


def default_folder() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR)
    return Path(override) if override else Path(platformdirs.user_config_dir("Shotline", appauthor=False))


class SettingsStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()

    @property
    def path(self) -> Path:
        return self.folder / SETTINGS_FILE

    def load(self) -> AppSettings:
        """The saved settings; defaults (and a logged warning) when the file is missing or damaged."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            log.info("No settings yet at %s; using defaults", self.path)
            return AppSettings()
        except OSError as error:
            log.warning("Could not read the settings %s (%s); using defaults", self.path, error)
            return AppSettings()
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            log.warning("The settings file %s is damaged (%s); using defaults", self.path, error)
            return AppSettings()
        if not isinstance(data, dict):
            log.warning("The settings file %s does not hold settings; using defaults", self.path)
            return AppSettings()
        return _from_json(data)

    def save(self, settings: AppSettings) -> None:
        """Write the settings atomically. Raises SaveFailed when the folder cannot be written."""
        data = json.dumps(_to_json(settings), indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, data)
        except OSError as error:
            raise SaveFailed(f"Could not save your settings in {self.folder}: {error.strerror or error}.") from error
