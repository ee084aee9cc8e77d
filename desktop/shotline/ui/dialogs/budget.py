"""The project's budget: what its jobs have cost or may still cost, and a limit that stops new paid jobs."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QWidget

from shotline.core import commands
from shotline.services.budget import spending
from shotline.services.ledger import by_shot, kinds
from shotline.ui.document import ProjectDocument

MAX_BUDGET = 1_000_000.0


class BudgetDialog(QDialog):
    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Project budget")
        current = document.project.settings.budget
        kind_of = kinds(document.ctx.registry)
        jobs = document.jobs()
        self.spent = QLabel(spending(jobs, current, kind_of).describe().capitalize() + ".", self)
        self.spent.setWordWrap(True)
        # where it went, shot by shot, in the words the cards and the jobs panel use (services.ledger)
        self.shots = QLabel(
            "\n".join(f"{name}: {cost.text()}" for name, cost in by_shot(document.project, jobs, kind_of))
        )
        self.shots.setWordWrap(True)
        self.shots.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.limited = QCheckBox("Stop new paid jobs past this amount", self)
        self.limited.setChecked(current is not None)
        self.amount = QDoubleSpinBox(self)
        self.amount.setPrefix("$ ")
        self.amount.setDecimals(2)
        self.amount.setRange(0.0, MAX_BUDGET)
        self.amount.setValue(float(current) if current is not None else 20.0)
        self.amount.setEnabled(current is not None)
        self.limited.toggled.connect(self.amount.setEnabled)
        note = QLabel(
            "Each job counts what the provider reported it charged, its estimate until then, and nothing if it "
            "never reached a provider. Offline and local backends are free.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.spent)
        if self.shots.text():
            form.addRow(self.shots)
        form.addRow(self.limited)
        form.addRow("Budget", self.amount)
        form.addRow(note)
        form.addRow(buttons)

    def chosen(self) -> Decimal | None:
        if not self.limited.isChecked():
            return None
        return Decimal(str(self.amount.value())).quantize(Decimal("0.01"))

    def accept(self) -> None:
        """Apply the budget as one undoable edit (nothing when unchanged)."""
        settings = self.document.project.settings
        if self.chosen() != settings.budget:
            self.document.execute(commands.set_project_settings(replace(settings, budget=self.chosen())))
        super().accept()
