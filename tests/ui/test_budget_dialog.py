"""The budget dialog sets the project's budget as one undoable edit, and generating past it is refused plainly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.model import GenerationSettings
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.budget import BudgetDialog
from shotline.ui.document import ProjectDocument

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def document(qtbot: object, app_context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(app_context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


def test_a_budget_is_one_undoable_edit_and_stops_paid_jobs_past_it(qtbot, document: ProjectDocument) -> None:
    dialog = BudgetDialog(document)
    qtbot.addWidget(dialog)
    assert "no budget set" in dialog.spent.text() and not dialog.amount.isEnabled()
    dialog.limited.setChecked(True)
    dialog.amount.setValue(1.0)
    dialog.accept()
    assert document.project.settings.budget == Decimal("1.00")

    shot = document.project.shots[0]
    paid = GenerationSettings(backend="runway", model="gen4.5", duration_us=10_000_000)  # about $1.20
    assert document.execute(commands.set_generation(shot.id, paid))
    before = len(document.jobs())
    with qtbot.waitSignal(document.failed) as refused:
        assert document.generate([shot.id]) == []
    assert "over budget" in refused.args[0] and "$1.00 budget" in refused.args[0]
    assert len(document.jobs()) == before  # nothing journaled, nothing sent

    document.undo()  # the generation settings
    document.undo()  # the budget
    assert document.project.settings.budget is None
    assert replace(document.project.settings, budget=None) == document.project.settings
