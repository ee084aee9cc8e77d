"""Open a project for one command: edits are saved on success, nothing is written on failure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shotline.cli.params import existing_project_path
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
