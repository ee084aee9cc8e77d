"""Autosave writes the recovery file on the runner: the newest project only, never after a discard, all at close."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from shotline.core.model import Project
from shotline.jobs.runner import AsyncRunner
from shotline.services.autosave import Autosave
from shotline.services.session import ProjectSession


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ProjectSession]:
    with ProjectSession.create(tmp_path / "film.shotline", title="Film") as opened:
        yield opened


@pytest.fixture
def runner() -> Iterator[AsyncRunner]:
    with AsyncRunner(workers=1) as one_thread:
        yield one_thread


def titled(session: ProjectSession, title: str) -> Project:
    return replace(session.project, title=title)


def test_a_write_under_way_is_followed_by_the_newest_project_only(
    session: ProjectSession, runner: AsyncRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = session.bundle
    written: list[str] = []
    first_begun, release_first = threading.Event(), threading.Event()
    real_write = bundle.write_recovery

    def write_recovery(project: Project) -> None:
        written.append(project.title)
        if len(written) == 1:
            first_begun.set()
            assert release_first.wait(10)
        real_write(project)

    monkeypatch.setattr(bundle, "write_recovery", write_recovery)
    autosave = Autosave(runner, bundle)
    first = autosave.write(titled(session, "one"))
    assert first_begun.wait(10)
    handles = [autosave.write(titled(session, title)) for title in ("two", "three")]
    release_first.set()
    for handle in (first, *handles):
        handle.result(timeout=10)
    assert written == ["one", "three"]
    assert bundle.recovery() == titled(session, "three")


def test_a_discard_drops_a_write_not_yet_begun_and_close_writes_the_one_waiting(
    session: ProjectSession, runner: AsyncRunner
) -> None:
    bundle = session.bundle
    autosave = Autosave(runner, bundle)
    pool_free = threading.Event()
    holding = runner.submit(asyncio.to_thread(pool_free.wait, 10))  # the one pool thread is busy: writes wait
    waiting = autosave.write(titled(session, "dropped"))
    autosave.discard()
    pool_free.set()
    holding.result(timeout=10)
    waiting.result(timeout=10)
    assert not bundle.recovery_file.exists()

    pool_free.clear()
    holding = runner.submit(asyncio.to_thread(pool_free.wait, 10))
    late = autosave.write(titled(session, "kept at close"))
    autosave.close()  # here and now: the project closes before the pool gets to it
    assert bundle.recovery() == titled(session, "kept at close")
    pool_free.set()
    late.result(timeout=10)
    assert bundle.recovery() == titled(session, "kept at close")
