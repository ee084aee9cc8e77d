"""The project's budget: what its jobs have cost or may still cost, and a limit that stops new paid jobs."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QWidget

from shotline.core import commands
from shotline.services.budget import spending
from shotline.ui.document import ProjectDocument

MAX_BUDGET = 1_000_000.0


class BudgetDialog(QDialog):
    def __init__(self, document: ProjectDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Project budget")
        current = document.project.settings.budget
        self.spent = QLabel(spending(document.jobs(), current).describe().capitalize() + ".", self)
        self.spent.setWordWrap(True)
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
            "Each job counts its billed cost once the provider reports it, and its estimate until then. "
            "Offline and local backends are free.",
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.spent)
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
