"""The question a paid Generate asks before it starts: what it should cost, once per session, never silently.

The inspector's Generate and the storyboard's both come here. A free Generate (a backend on this computer), or one
estimated at no more than the creator's threshold (Preferences → Generation), starts at once; the first one above it
in this window's session asks, and a yes stands for the rest of the session. The figure it asks about is the ledger's
(services.ledger), the one the Generate button shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QMessageBox, QWidget

from shotline.core.model import Shot
from shotline.services.ledger import FREE, Cost, ask_above, estimate_cost, kinds, needs_asking, spend_question
from shotline.services.shots import estimate
from shotline.ui.document import ProjectDocument


def planned_cost(document: ProjectDocument, shots: Iterable[Shot], takes: int = 1) -> Cost:
    """What generating `takes` takes of each shot should cost, by the ledger's rule for a job not yet sent."""
    registry = document.ctx.registry
    kind_of = kinds(registry)
    return sum(
        (
            estimate_cost(estimate(registry, document.project, shot), kind_of(shot.generation.backend), takes)
            for shot in shots
        ),
        FREE,
    )


def button_text(planned: Cost) -> str:
    """ "Generate" for a free one; a paid one carries its figure: "Generate · ≈ $0.96"."""
    return "Generate" if planned == FREE else f"Generate · {planned.text()}"


def ask_then(
    parent: QWidget,
    document: ProjectDocument,
    planned: Cost,
    jobs: int,
    start: Callable[[], object],
    *,
    doing: str = "",
    title: str = "This Generate costs money",
) -> QMessageBox | None:
    """Run `start` now when no question is due; else open the question (not modal) and run it on a yes. `doing` and
    `title` name paid work other than a Generate ("Drafting 4 stills", "These stills cost money").

    Returns the open question, for the window (and tests) to answer, or None when `start` already ran."""
    threshold = ask_above(document.ctx.settings.ask_above_usd)
    if document.paid_generate_agreed or not needs_asking(planned, threshold):
        start()
        return None
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        spend_question(planned, jobs, threshold, doing),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)

    def answered(_result: int) -> None:
        if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes:
            document.paid_generate_agreed = True
            start()

    box.finished.connect(answered)
    box.open()
    return box
