"""Open a project for one command: edits are saved on success, nothing is written on failure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from shotline.cli.params import existing_project_path
from shotline.services.session import ProjectSession


@contextmanager
def editing(project: str) -> Iterator[ProjectSession]:
    with ProjectSession.open(existing_project_path(project)) as session:
        yield session
        if session.is_dirty:
            session.save()


def saved(session: ProjectSession) -> None:
    """Save an edit before the command reports it, so a save that fails (a full disk, say) is the only thing said:
    nothing on stdout claims an edit the project does not hold. (`editing` then has nothing left to save.)"""
    if session.is_dirty:
        session.save()


@contextmanager
def reading(project: str) -> Iterator[ProjectSession]:
    with ProjectSession.open(existing_project_path(project)) as session:
        yield session


@contextmanager
def looking(project: str) -> Iterator[ProjectSession]:
    """Open a project only to show it: without the lock and without writing anything, so it works on a full disk, in
    a folder nobody may write to, and while another Shotline (the window, say) has it open. Then its last save is
    shown, and stderr says that edits not yet saved there are not."""
    with ProjectSession.open(existing_project_path(project), read_only=True) as session:
        if session.bundle.open_elsewhere is not None:
            click.echo(
                "This project is open in another Shotline: showing it as last saved (edits not yet saved there are "
                "not included).",
                err=True,
            )
        yield session
