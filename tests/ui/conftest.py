"""Qt tests run offscreen with real services: a real AppContext, real projects on disk, real animatic jobs."""

from __future__ import annotations

import os
import select
import shutil
import subprocess

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from shotline.core.model import GenerationSettings, Size
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.session import ProjectSession
from shotline.storage.secrets import MemorySecretStore
from shotline.ui import heap
from shotline.ui.main import quiet_media_engine
from tests.ui.screenshots import SCREEN


@pytest.fixture(scope="session", autouse=True)
def quiet_players(qapp: QApplication) -> None:
    """As in the app (`make_application`): Qt's FFmpeg prints no stream table per clip and opens local files only.
    pytest-qt makes the application itself, so the window tests set the same up here."""
    quiet_media_engine()


@pytest.fixture(autouse=True)
def gui_thread_collector(qapp: QApplication) -> Iterator[None]:
    """As in the app: cycles (with Qt objects in them) are collected on the GUI thread only, never on a worker.

    Per test, so the non-Qt tests that share this process keep Python's automatic collector."""
    collector = heap.collect_on_gui_thread(qapp)
    yield
    collector.stop()
    collector.setParent(None)


@pytest.fixture
def xvfb_display() -> Iterator[str]:
    """A private X server for a screenshot test: Xvfb picks a free display number and tells us through a pipe."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    width, height = SCREEN
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 15)
        number = os.read(read_end, 64).decode().strip() if ready else ""
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def app_context() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as ctx:
        yield ctx


def make_project(ctx: AppContext, path: Path, shots: int = 3, *, takes: bool = True) -> None:
    """A small project on disk: `shots` shots of 1.5–2.5 s, each with an animatic take if `takes`."""
    with ProjectSession.create(path, title="Test film", size=Size(320, 180)) as session:
        ids = [
            add_shot(
                session,
                f"Shot {n + 1}: a lighthouse, a gull, a net",
                title=f"Shot {n + 1}",
                generation=GenerationSettings(duration_us=1_500_000 + 500_000 * (n % 3)),
            ).id
            for n in range(shots)
        ]
        if takes and ids:
            generation = GenerationService(ctx, session)
            for job in generation.run(generation.prepare(ids)):
                generation.attach(job.handle.result(timeout=120))
        session.save()


@pytest.fixture(scope="session")
def made_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three-shot project with animatic takes, generated once per test worker: rendering its cards was most of
    each window test's set-up. Tests get a copy (`project_path`), never this one."""
    path = tmp_path_factory.mktemp("made") / "film.shotline"
    with open_context(secrets=MemorySecretStore()) as ctx:
        make_project(ctx, path)
    return path


@pytest.fixture
def project_path(made_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of `made_project` for this test to change as it likes."""
    path = tmp_path / "film.shotline"
    shutil.copytree(made_project, path, symlinks=True)
    return path
