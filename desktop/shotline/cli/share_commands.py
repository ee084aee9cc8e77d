"""Commands that pass a project to someone else: `share` packs it into one .shotline.zip, `unpack` opens one.

Both show a progress bar on a terminal. Ctrl+C stops the work between two chunks, waits until what it wrote is
removed again (no partial archive, no half-unpacked folder), says so and exits as an interrupted export does.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from shlex import quote

import click

from shotline.cli.progress import interruptible
from shotline.core.errors import SaveFailed, plain_reason
from shotline.services.sharing import SharingCancelled, archive_stem, open_shared, share


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
    shared = interruptible(
        "Sharing", lambda bar, cancel: share(project, output, progress=bar, cancel=cancel), SharingCancelled
    )
    size = shared.size_bytes / 1024**2
    click.echo(f"Shared {project} as {shared.archive} ({shared.media_files} media files, {size:.1f} MB).")


@click.command("unpack")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to put the project in, made if missing (default: beside the archive).",
)
def unpack_command(archive: Path, folder: Path | None) -> None:
    """Open a shared ARCHIVE as a new project folder (Name 2 if Name is taken), refusing anything unsafe inside it."""
    made = _make_folders(folder, archive) if folder is not None and archive.is_file() else []
    try:
        project = interruptible(
            "Unpacking",
            lambda bar, cancel: open_shared(archive, folder, progress=bar, cancel=cancel),
            SharingCancelled,
        )
    except BaseException:
        for created in made:  # deepest first; a refused archive leaves no folders behind either
            with contextlib.suppress(OSError):
                created.rmdir()
        raise
    wanted = project.with_name(f"{archive_stem(archive)}{project.suffix}")
    taken = f" ({wanted.name} was taken)" if project != wanted else ""
    click.echo(
        f"Unpacked {archive} as {project}{taken}. Open it with Shotline or `shotline info {quote(str(project))}`."
    )


def _make_folders(folder: Path, archive: Path) -> list[Path]:
    """Make `folder` and any missing parents; returns the ones made, deepest first."""
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a read-only or full disk: said as the unpack's failure, naming the archive
        for created in missing:
            with contextlib.suppress(OSError):
                created.rmdir()
        raise SaveFailed(
            f"Could not unpack {archive.name}: the folder {folder} could not be made ({plain_reason(error)})."
        ) from error
    return missing


COMMANDS = [share_command, unpack_command]
