"""The export dialog's questions off the GUI thread (its route line, whether the film can be signed) and the
dialog's lifetime: an answer that arrives after the creator closed the dialog is dropped, not written into a label
Qt has deleted (seen as "Internal C++ object (QLabel) already deleted" when a window closed with the dialog's route
question in flight)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shotline.core.errors import ShotlineError
from shotline.core.model import ExportSettings
from shotline.jobs.runner import JobHandle
from shotline.media.lossless import RouteDecision
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs import export_dialog, export_route
from shotline.ui.dialogs.export_dialog import ExportDialog
from shotline.ui.document import ProjectDocument


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


Held = tuple[threading.Event, list[JobHandle[object]]]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    """The questions an export dialog asks off the GUI thread (its route, whether the film can be signed), answered
    only once the returned gate is set: "Re-encode", and "cannot sign"; and their handles."""
    gate = threading.Event()
    handles: list[JobHandle[object]] = []

    def held_answer(ctx: AppContext, answer: Callable[[], object]) -> JobHandle[object]:
        async def answered() -> object:
            await asyncio.to_thread(gate.wait, 30)
            return answer()

        handles.append(ctx.runner.submit(answered()))
        return handles[-1]

    def cannot_sign() -> object:
        raise ShotlineError("No signing certificate is set up.")

    def route(ctx: AppContext, session: ProjectSession, settings: ExportSettings) -> JobHandle[object]:
        return held_answer(ctx, lambda: RouteDecision("re-encode", ("held for the test.",)))

    def signing(ctx: AppContext) -> JobHandle[object]:
        return held_answer(ctx, cannot_sign)

    monkeypatch.setattr(export_route, "start_route", route)
    monkeypatch.setattr(export_dialog, "start_signing_check", signing)
    yield gate, handles
    gate.set()


def _delivered(qtbot, document: ProjectDocument, handles: list[JobHandle[object]]) -> None:
    """Wait until every answer has been delivered on the GUI thread: the bridge runs posted calls in order, so a
    mark posted after each handle's own delivery runs after it."""
    marks: list[None] = []
    for handle in handles:
        handle.add_done_callback(lambda _handle: document.bridge.post(lambda: marks.append(None)))
    qtbot.waitUntil(lambda: len(marks) == len(handles), timeout=10_000)


def test_answers_for_an_open_dialog_fill_its_route_line_and_signing_box(
    qtbot, document: ProjectDocument, held: Held
) -> None:
    gate, handles = held
    dialog = ExportDialog(document)
    qtbot.addWidget(dialog)
    assert len(handles) == 2 and dialog.route.pending and dialog.signing_pending
    gate.set()
    _delivered(qtbot, document, handles)
    assert not dialog.route.pending and not dialog.signing_pending
    assert dialog.route_label.text() == "Re-encode. held for the test."
    assert not dialog.sign_check.isEnabled()


def test_answers_arriving_after_the_dialog_is_gone_are_dropped(qtbot, document: ProjectDocument, held: Held) -> None:
    gate, handles = held
    dialog = ExportDialog(document)
    assert len(handles) == 2, "the dialog asked for its route and whether it can sign"
    with qtbot.waitSignal(dialog.destroyed):
        dialog.close()
        dialog.deleteLater()
    gate.set()
    # an answer written into the deleted label or box raises in the event loop, which pytest-qt fails the test for
    _delivered(qtbot, document, handles)
