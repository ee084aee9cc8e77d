"""Commands that pass a project to someone else: `share` packs it into one .shotline.zip, `unpack` opens one."""

from __future__ import annotations

from pathlib import Path

import click

from shotline.services.sharing import open_shared, share


@click.command("share")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The archive to write, e.g. Film.shotline.zip (default: beside the project).",
)
def share_command(project: Path, output: Path | None) -> None:
    """Pack PROJECT (its saved project.json and the media it uses; no cache, no keys) into one .shotline.zip."""
    shared = share(project, output)
    size = shared.size_bytes / 1024**2
    click.echo(f"Shared {project} as {shared.archive} ({shared.media_files} media files, {size:.1f} MB).")


@click.command("unpack")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to put the project in (default: beside the archive).",
)
def unpack_command(archive: Path, folder: Path | None) -> None:
    """Open a shared ARCHIVE as a new project folder, refusing anything unsafe inside it."""
    project = open_shared(archive, folder)
    click.echo(f"Unpacked {archive} as {project}. Open it with Shotline or `shotline info {project}`.")


COMMANDS = [share_command, unpack_command]
