"""Commands about generation backends and their API keys."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from shotline.core.errors import KeyStoreError
from shotline.core.ports import BackendInfo
from shotline.services.context import AppContext, open_context
from shotline.services.keys import delete_key, key_status, set_key, try_key

UNKNOWN = "unknown"


def _describe(info: BackendInfo, key: str) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "kind": info.kind.value,
        "key": key,
        "key_env_vars": list(info.key_env_vars),
        "models": [
            {
                "id": m.id,
                "label": m.label,
                "min_seconds": m.min_duration_us / 1e6,
                "max_seconds": m.max_duration_us / 1e6,
                "aspects": list(m.aspects),
                "audio": m.audio,
                "price_per_second": str(m.price_per_second) if m.price_per_second is not None else None,
                "retired": m.retired or None,
                "replacement": m.replacement or None,
            }
            for m in info.models
        ],
        # the image models, for draft stills (`shotline stills`): a shot's clip is never made with one
        "stills": [
            {"id": m.id, "label": m.label, "aspects": list(m.aspects), "reference_images": m.reference_images}
            for m in info.still_models
            if not m.retired
        ],
        # the voice models, for dialogue lines (`shotline voice`)
        "voices": [
            {"id": m.id, "label": m.label, "voices": list(m.voices)} for m in info.voice_models if not m.retired
        ],
        # the music models, for a film's music bed (`shotline music`)
        "music": [
            {
                "id": m.id,
                "label": m.label,
                "max_seconds": m.max_duration_us / 1e6,
                "price_per_second": str(m.price_per_second) if m.price_per_second is not None else None,
            }
            for m in info.music_models
            if not m.retired
        ],
    }


def _key_source(ctx: AppContext, info: BackendInfo) -> tuple[str, str | None]:
    """Where the backend's key comes from; "unknown" and why, when the keyring cannot be asked."""
    try:
        return key_status(ctx, info.id).source.value, None
    except KeyStoreError as error:
        return UNKNOWN, str(error)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def backends(as_json: bool) -> None:
    """List the generation backends and their models."""
    rows = []
    with open_context() as ctx:
        for info in ctx.registry.all_infos():
            source, problem = _key_source(ctx, info)
            rows.append(_describe(info, source) | {"key_problem": problem})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    problems = []
    for row in rows:
        key = "no key needed" if not row["key_env_vars"] else f"key: {row['key']}"
        if row["key_problem"]:
            key += " (the system keyring is not available)"
            problems.append(row["key_problem"])
        click.echo(f"{row['id']:<12} {row['name']} ({row['kind']}, {key})")
        for model in row["models"]:
            retired = f" (retired {model['retired']}" if model["retired"] else ""
            if retired:
                retired += f"; replaced by {model['replacement']})" if model["replacement"] else ")"
            click.echo(f"{'':<12}   {model['id']:<20} {model['label']}{retired}")
        for still in row["stills"]:
            click.echo(f"{'':<12}   {still['id']:<20} {still['label']} (stills)")
        for voice in row["voices"]:
            click.echo(f"{'':<12}   {voice['id']:<20} {voice['label']} (voices)")
        for music in row["music"]:
            click.echo(f"{'':<12}   {music['id']:<20} {music['label']} (music)")
    for problem in dict.fromkeys(problems):
        click.echo(f"\nKeys could not be looked up: {problem} A key in the backend's environment variable still works.")


@click.group()
def keys() -> None:
    """Store, remove or check a backend's API key (kept in the system keyring, never in a file)."""


@keys.command("set")
@click.argument("backend")
def keys_set(backend: str) -> None:
    """Read BACKEND's key from stdin (hidden when typed) and store it in the keyring."""
    if sys.stdin.isatty():
        key = click.prompt(f"API key for {backend}", hide_input=True, err=True)
    else:
        key = sys.stdin.readline()
    with open_context() as ctx:
        click.echo(set_key(ctx, backend, key).description)


@keys.command("delete")
@click.argument("backend")
def keys_delete(backend: str) -> None:
    """Remove BACKEND's key from the keyring."""
    with open_context() as ctx:
        click.echo(delete_key(ctx, backend).description)


@keys.command("status")
@click.argument("backend")
def keys_status(backend: str) -> None:
    """Say where BACKEND's key comes from (environment, keyring or none), without showing it."""
    with open_context() as ctx:
        click.echo(key_status(ctx, backend).description)


@keys.command("test")
@click.argument("backend")
def keys_test(backend: str) -> None:
    """Try BACKEND's key with one cheap authenticated request (nothing is generated or billed)."""
    with open_context() as ctx:
        click.echo(f"{backend}: {try_key(ctx, backend)}")


COMMANDS = [backends, keys]
