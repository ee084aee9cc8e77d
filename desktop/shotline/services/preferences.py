"""The creator's app-wide choices as the window edits them: preferences, recent projects, demo and cache folders.

Qt-free, so the command line could offer the same. Every save goes through the SettingsStore (atomic write) and
then becomes the context's current settings, so new jobs and backends see it at once.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import platformdirs

from shotline.backends.http import checked_url
from shotline.core.errors import ShotlineError
from shotline.jobs.runner import JobHandle
from shotline.media.locate import check_executable, configure_pydub, ffmpeg_version, find_ffmpeg
from shotline.services.content_credentials import identity_setting
from shotline.services.context import AppContext, cache_dir
from shotline.storage.settings import AppSettings

log = logging.getLogger(__name__)

DEMO_NAME = "Shotline demo.shotline"


def save_settings(ctx: AppContext, settings: AppSettings) -> AppSettings:
    """Write `settings` and make them current; raises SaveFailed (nothing changes) if the folder refuses."""
    ctx.settings_store.save(settings)
    ctx.settings = settings
    return settings


def save_preferences(
    ctx: AppContext,
    *,
    default_backend: str,
    default_model: str,
    base_urls: Mapping[str, str],
    poll_seconds: float,
    cache_size_mb: int,
    cache_folder: str = "",
    ffmpeg_path: str | None = None,
    c2pa_identity: Mapping[str, str] | None = None,
    clock_style: str | None = None,
    ask_above_usd: Decimal | None = None,
) -> AppSettings:
    """Check and save what the Preferences dialog shows; unknown backends and bad numbers are refused clearly.

    `ffmpeg_path` None leaves the setting alone, "" means "find it"; a new ffmpeg is used from now on.
    `c2pa_identity` (paths to the certificate chain and key, a timestamp server) None leaves it alone, and so
    does `clock_style` None ("frames" or "seconds": how the player reads times) and `ask_above_usd` None (a paid
    Generate estimated above it asks first, once per session).
    """
    known = set(ctx.registry.ids())
    if default_backend not in known:
        raise ShotlineError(
            f"There is no backend called {default_backend!r}; choose one of {', '.join(sorted(known))}."
        )
    info = ctx.registry.spec(default_backend).info
    if default_model and info.model(default_model) is None:
        raise ShotlineError(f"{info.name} has no model {default_model!r}; choose one from the list.")
    if not 0.1 <= poll_seconds <= 3600:
        raise ShotlineError("The poll interval must be between 0.1 and 3600 seconds.")
    if cache_size_mb < 0:
        raise ShotlineError("The cache size cannot be negative.")
    if ask_above_usd is not None and not (ask_above_usd.is_finite() and ask_above_usd >= 0):
        raise ShotlineError("The amount a paid Generate may cost without asking cannot be negative.")
    cache_folder = cache_folder.strip()
    if cache_folder and not Path(cache_folder).expanduser().is_absolute():
        raise ShotlineError(f"The cache folder must be a full path (got {cache_folder!r}).")
    ffmpeg_path = ctx.settings.ffmpeg_path if ffmpeg_path is None else ffmpeg_path.strip()
    ffmpeg = chosen_ffmpeg(ffmpeg_path)
    identity = ctx.settings.c2pa_identity if c2pa_identity is None else identity_setting(c2pa_identity)
    urls = {backend: url.strip() for backend, url in base_urls.items() if url.strip()}
    for backend, url in urls.items():
        if not url.startswith(("http://", "https://")):
            raise ShotlineError(f"The base URL for {backend} must start with http:// or https:// (got {url!r}).")
        urls[backend] = checked_url(url, backend)  # plain http only to this computer
    settings = dataclasses.replace(
        ctx.settings,
        default_backend=default_backend,
        default_model=default_model,
        base_urls=urls,
        poll_seconds=float(poll_seconds),
        cache_size_mb=int(cache_size_mb),
        cache_folder=cache_folder,
        ffmpeg_path=ffmpeg_path,
        c2pa_identity=identity,
        clock_style=ctx.settings.clock_style if clock_style is None else clock_style,
        ask_above_usd=ctx.settings.ask_above_usd if ask_above_usd is None else f"{ask_above_usd:.2f}",
    )
    saved = save_settings(ctx, settings)
    if ffmpeg != ctx.ffmpeg:
        ctx.ffmpeg = ffmpeg
        configure_pydub(ffmpeg)
        log.info("Using the ffmpeg at %s from now on", ffmpeg)
    return saved


def chosen_ffmpeg(setting: str) -> Path:
    """The ffmpeg a setting stands for: that program if it may be run (else ToolMissing saying why), or, for "",
    the one found on PATH or shipped with Shotline."""
    if not setting:
        return find_ffmpeg(None)
    path = Path(setting).expanduser()
    if not path.is_absolute():
        raise ShotlineError(f"The ffmpeg program must be given as a full path (got {setting!r}).")
    return check_executable(path)


def start_ffmpeg_check(ctx: AppContext, setting: str) -> JobHandle[str]:
    """Run the ffmpeg a setting stands for with `-version` on the runner; the result is its version line, the error
    (ToolMissing) says why it cannot be used."""

    async def check() -> str:
        return await ffmpeg_version(chosen_ffmpeg(setting.strip()))

    return ctx.runner.submit(check())


def choose_default_backend(ctx: AppContext, backend_id: str) -> AppSettings:
    """Make `backend_id` the backend new shots use, starting at its own default model; unknown ids are refused."""
    if backend_id not in ctx.registry.ids():
        raise ShotlineError(f"There is no backend called {backend_id!r}; choose one from the list.")
    if backend_id == ctx.settings.default_backend:
        return ctx.settings
    return save_settings(ctx, dataclasses.replace(ctx.settings, default_backend=backend_id, default_model=""))


def finish_first_run(ctx: AppContext) -> AppSettings:
    """Remember that the getting-started guide was finished or skipped, so it is not offered by itself again."""
    if ctx.settings.first_run_done:
        return ctx.settings
    return save_settings(ctx, dataclasses.replace(ctx.settings, first_run_done=True))


def _remember(ctx: AppContext, settings: AppSettings, what: str) -> None:
    """Keep `settings` for the next start. A settings folder that refuses is logged, never fatal: remembering is no
    reason to stop the creator, and the settings still hold for this run."""
    if settings == ctx.settings:
        return
    try:
        save_settings(ctx, settings)
    except ShotlineError as error:
        log.warning("Could not remember %s: %s", what, error)
        ctx.settings = settings


def remember_recent(ctx: AppContext, project: Path) -> None:
    """Put `project` on top of the recent list."""
    _remember(ctx, ctx.settings.with_recent(str(Path(project).resolve())), f"{project} as a recent project")


def remember_export_choices(ctx: AppContext, choices: Mapping[str, str]) -> None:
    """Keep the export dialog's choices for next time."""
    _remember(ctx, dataclasses.replace(ctx.settings, export_choices=dict(choices)), "the export choices")


def remember_window_layout(ctx: AppContext, layout: Mapping[str, str]) -> None:
    """Keep where the window and its panels were for the next start."""
    _remember(ctx, dataclasses.replace(ctx.settings, window_layout=dict(layout)), "the window layout")


def save_shortcuts(ctx: AppContext, shortcuts: Mapping[str, str]) -> AppSettings:
    """Keep the keys the creator chose (action id → keys, newline separated); raises SaveFailed if the folder
    refuses, so the shortcut list can say the change will not last."""
    return save_settings(ctx, dataclasses.replace(ctx.settings, shortcuts=dict(shortcuts)))


def show_captions_in_viewer(ctx: AppContext, on: bool) -> None:
    """View → Show captions in the viewer, kept for the next start."""
    _remember(ctx, dataclasses.replace(ctx.settings, captions_in_viewer=on), "whether captions show in the viewer")


def recent_projects(ctx: AppContext) -> list[Path]:
    """Recent projects that still exist on disk, newest first."""
    return [Path(p) for p in ctx.settings.recent_projects if (Path(p) / "project.json").is_file()]


def demo_path() -> Path:
    """Where the demo project lives: the creator's documents folder, so they can find and keep it."""
    return Path(platformdirs.user_documents_dir()) / "Shotline" / DEMO_NAME


def cache_folder(ctx: AppContext | None = None) -> Path:
    """The cache folder in use now (a change in Preferences applies from the next start)."""
    return cache_dir(ctx.settings if ctx else None)


def cache_usage_bytes(folder: Path | None = None) -> int:
    """How much the cache holds now (files that vanish while counting are skipped)."""
    total = 0
    root = folder or cache_dir()
    if not root.is_dir():
        return 0
    for path in root.rglob("*"):
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:
            continue
    return total


def remember_handoff(ctx: AppContext, cut: Path) -> None:
    """Keep where the last hand-off went, to offer its folder and format next time."""
    _remember(ctx, dataclasses.replace(ctx.settings, last_handoff=str(cut)), "where the hand-off went")
