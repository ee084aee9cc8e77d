"""Help → Keyboard shortcuts: every key the window answers, with where it works, searchable, and editable as in
Shotcut: select a row, press the new key in the field below, and it is used at once and kept in the settings. The
new key replaces the action's first key; its other keys stay.
A key that already means something where this one works is refused with the name of that action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from shotline.core.errors import ShotlineError
from shotline.services import preferences
from shotline.ui import shortcuts
from shotline.ui.document import describe

if TYPE_CHECKING:
    from shotline.ui.main_window import MainWindow

WHERE = {
    "window": "Anywhere",
    "player": "Viewer and timeline",
    "timeline": "Timeline",
    "storyboard": "Storyboard",
    "inspector": "Shot inspector",
    "jobs": "Jobs",
}


class ShortcutsDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 560)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search actions or keys")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Action", "Shortcut", "Where"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.editor = QKeySequenceEdit(self)
        self.editor.setMaximumSequenceLength(1)
        self.editor.setClearButtonEnabled(True)
        self.editor.setToolTip("Press the new key for the selected action")
        self.apply_button = QPushButton("Set", self)
        self.reset_button = QPushButton("Default", self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing())  # no jump when it speaks
        hint = QLabel(
            "Select an action, press its new key in the field and choose Set. Open a project to see the keys of "
            "the viewer, timeline and panels too.",
            self,
        )
        hint.setWordWrap(True)
        edit_row = QHBoxLayout()
        edit_row.addWidget(QLabel("New key", self))
        edit_row.addWidget(self.editor, 1)
        edit_row.addWidget(self.apply_button)
        edit_row.addWidget(self.reset_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(hint)
        column.addWidget(self.search)
        column.addWidget(self.tree, 1)
        column.addLayout(edit_row)
        column.addWidget(self.status)
        column.addWidget(buttons)
        self.search.textChanged.connect(self._filter)
        self.tree.currentItemChanged.connect(self._selected)
        self.apply_button.clicked.connect(self.set_from_editor)
        self.reset_button.clicked.connect(self.reset_selected)
        self._bindings: list[shortcuts.Binding] = []
        self._fill()

    def _fill(self, keep: str | None = None) -> None:
        self._bindings = sorted(
            (b for b in self._window.shortcut_bindings() if b.editable),
            key=lambda b: (b.where != "window", WHERE.get(b.where, b.where), b.text.lower()),
        )
        self.tree.clear()
        for binding in self._bindings:
            item = QTreeWidgetItem(
                [binding.text, shortcuts.shown(binding.keys), WHERE.get(binding.where, binding.where)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, binding.id)
            self.tree.addTopLevelItem(item)
            if binding.id == keep:
                self.tree.setCurrentItem(item)
        self.tree.resizeColumnToContents(1)
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        wanted = text.strip().lower()
        for item in self._items():
            shown = " ".join(item.text(c) for c in range(3)).lower()
            item.setHidden(bool(wanted) and wanted not in shown)

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(row) for row in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def _current(self) -> shortcuts.Binding | None:
        item = self.tree.currentItem()
        ident = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((b for b in self._bindings if b.id == ident), None)

    def _selected(self, *_: object) -> None:
        binding = self._current()
        self.editor.setKeySequence(QKeySequence(binding.keys[0]) if binding and binding.keys else QKeySequence())
        self.status.clear()

    def select(self, ident: str) -> None:
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == ident:
                self.tree.setCurrentItem(item)

    def set_from_editor(self) -> bool:
        """Make the key in the field the selected action's first key, keeping its other keys (Redo's Ctrl+Y beside
        Ctrl+Shift+Z); an empty field takes all its keys away. False if refused."""
        binding = self._current()
        if binding is None:
            return False
        key = self.editor.keySequence().toString(shortcuts.PORTABLE)
        others = tuple(k for k in binding.keys[1:] if k != key)
        return self.change(binding, (key, *others) if key else ())

    def reset_selected(self) -> bool:
        binding = self._current()
        return self.change(binding, shortcuts.default_keys(binding)) if binding is not None else False

    def change(self, binding: shortcuts.Binding, keys: tuple[str, ...]) -> bool:
        other = shortcuts.clash_with(self._bindings, binding, keys)
        if other is not None:
            self.status.setText(
                f"{shortcuts.shown(set(keys) & set(other.keys))} already means “{other.text}” "
                f"({WHERE.get(other.where, other.where).lower()}); choose another key or change that one first."
            )
            return False
        assert isinstance(binding.target, QAction)
        shortcuts.set_keys(binding.target, keys)
        saved = dict(self._window.ctx.settings.shortcuts)
        if keys == shortcuts.default_keys(binding):
            saved.pop(binding.id, None)
        else:
            saved[binding.id] = "\n".join(keys)
        try:
            preferences.save_shortcuts(self._window.ctx, saved)
            said = f"“{binding.text}” now answers {shortcuts.shown(keys) or 'no key'}."
        except ShotlineError as error:
            said = f"The key works now but will not be kept: {describe(error)}"
        self._fill(keep=binding.id)
        self.status.setText(said)  # after the refill, which clears it for the row selected anew
        return True
