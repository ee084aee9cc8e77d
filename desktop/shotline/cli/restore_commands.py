"""`shotline restore`: list a project's backups, or make one of them the project again."""

from __future__ import annotations

from pathlib import Path

import click

from shotline.cli.params import existing_project_path
from shotline.services.restore import list_backups, restore


@click.command("restore")
@click.argument("project")
@click.option("--list", "list_only", is_flag=True, help="Only list the backups, newest first, numbered.")
@click.option(
    "--backup",
    "number",
    type=click.IntRange(min=1),
    default=None,
    help="Restore backup N of the list (default: the newest that opens).",
)
def restore_command(project: str, list_only: bool, number: int | None) -> None:
    """Make a backup of PROJECT's project.json the project again; the file it replaces is kept."""
    path = existing_project_path(project)
    if list_only:
        if number is not None:
            raise click.UsageError("--list and --backup go separately: list first, then restore one by its number.")
        _print_list(path)
        return
    click.echo(restore(path, number).description)


def _print_list(path: Path) -> None:
    entries = list_backups(path)
    if not entries:
        click.echo(f"{path.name} has no backups yet: each save keeps the version it replaces.")
        return
    click.echo(f"Backups of {path.name}, newest first:")
    for entry in entries:
        state = "opens" if not entry.problem else f"does not open: {entry.problem}"
        click.echo(f"{entry.number:>4}  {entry.label}  {state}")
    click.echo(f'Restore one with: shotline restore "{path}" --backup N')


COMMANDS = [restore_command]
