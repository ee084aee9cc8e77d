"""Open a project for one command: edits are saved on success, nothing is written on failure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from shotline.cli.params import existing_project_path
from shotline.core.errors import ProjectLocked
from shotline.services.session import ProjectSession


@contextmanager
def editing(project: str) -> Iterator[ProjectSession]:
    with ProjectSession.open(existing_project_path(project)) as session:
        yield session
        if session.is_dirty:
            session.save()


@contextmanager
def reading(project: str) -> Iterator[ProjectSession]:
    with ProjectSession.open(existing_project_path(project)) as session:
        yield session


@contextmanager
def looking(project: str) -> Iterator[ProjectSession]:
    """Open a project only to show it. When another Shotline has it open (the window, say), its last save is read
    without the lock instead of refusing, and stderr says that edits not yet saved there are not shown."""
    path = existing_project_path(project)
    try:
        session = ProjectSession.open(path)
    except ProjectLocked:
        click.echo(
            "This project is open in another Shotline: showing it as last saved (edits not yet saved there are not "
            "included).",
            err=True,
        )
        session = ProjectSession.open(path, read_only=True)
    with session:
        yield session
