"""Every keyboard shortcut in the window, as one list: found by walking the window's actions, checked so no key
means two things at once, and changed by the creator (Help → Keyboard shortcuts), the changes kept in settings.

An action is named by a stable id: its objectName when it has one (the window's own), else the panel it lives in
and its text ("timeline: Zoom in"). Panels are rebuilt for every project, so the saved keys
are applied again each time (`apply_saved`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QWidget

LABEL = "shotline_shortcut_label"
"""Dynamic property: the name an action is listed by when its text changes (Undo says what it undoes)."""
DEFAULT_KEYS = "shotline_default_keys"
"""Dynamic property: an action's keys as the code gave them, so Reset can bring them back."""
NATIVE = QKeySequence.SequenceFormat.NativeText
PORTABLE = QKeySequence.SequenceFormat.PortableText


def redo_keys() -> list[QKeySequence]:
    """Ctrl+Shift+Z everywhere, Ctrl+Y too on Windows and Linux (as creators expect there), and the platform's own
    Redo keys, each once: the same key twice on one action is an 'Ambiguous shortcut overload' and does nothing."""
    wanted = [QKeySequence("Ctrl+Shift+Z")]
    if sys.platform != "darwin":  # Cmd+Y is not Redo on a Mac
        wanted.append(QKeySequence("Ctrl+Y"))
    wanted += QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    return unique(wanted)


def unique(keys: Iterable[QKeySequence]) -> list[QKeySequence]:
    seen: set[str] = set()
    kept = []
    for key in keys:
        text = key.toString(PORTABLE)
        if text and text not in seen:
            seen.add(text)
            kept.append(key)
    return kept


@dataclass(frozen=True)
class Binding:
    """One action (or QShortcut) with its keys and the widgets where those keys work."""

    id: str
    text: str
    where: str
    keys: tuple[str, ...]
    """Portable text, e.g. "Ctrl+Shift+Z"."""
    scope: tuple[QWidget, ...]
    """Widgets whose focus (or whose children's) makes the keys work; the window itself for window-wide keys."""
    target: QObject

    @property
    def editable(self) -> bool:
        return isinstance(self.target, QAction)


def _panel_name(widget: QWidget, window: QWidget, panels: Mapping[str, QWidget]) -> str:
    node: QWidget | None = widget
    while node is not None and node is not window:
        for name, panel in panels.items():
            if node is panel:
                return name
        node = node.parentWidget()
    return "window"


def _scope(obj: QAction | QShortcut, window: QWidget) -> tuple[QWidget, ...]:
    context = obj.shortcutContext() if isinstance(obj, QAction) else obj.context()
    if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
        return (window,)
    if isinstance(obj, QShortcut):
        parent = obj.parent()
        return (parent,) if isinstance(parent, QWidget) else (window,)
    return tuple(o for o in obj.associatedObjects() if isinstance(o, QWidget) and not isinstance(o, QMenu))


def bindings(window: QWidget, panels: Mapping[str, QWidget]) -> list[Binding]:
    """Every action and QShortcut of the window with a key, and the window's named menu actions without one (so
    they can be given one); menu actions are window-wide once the window holds them."""
    found: list[Binding] = []
    seen: set[int] = set()
    objects: list[QAction | QShortcut] = [*window.findChildren(QAction), *window.findChildren(QShortcut)]
    objects += [a for a in window.actions() if a not in objects]
    for obj in objects:
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        keys = obj.shortcuts() if isinstance(obj, QAction) else [obj.key()]
        texts = tuple(k.toString(PORTABLE) for k in keys if not k.isEmpty())
        scope = _scope(obj, window)
        if isinstance(obj, QAction) and obj.property(DEFAULT_KEYS) is None:
            obj.setProperty(DEFAULT_KEYS, "\n".join(texts))
        if isinstance(obj, QAction) and (not obj.text() or obj.objectName().startswith(("_q_", "qt_"))):
            continue  # Qt's own inner actions (a line edit's clear button), which no creator sees by name
        if not texts and not (isinstance(obj, QAction) and (obj.property(DEFAULT_KEYS) or obj.objectName())):
            continue  # a named menu action is listed without a key too, so the creator can give it one
        where = _panel_name(scope[0], window, panels) if scope else "window"
        if isinstance(obj, QAction):
            text = str(obj.property(LABEL) or obj.text().replace("&", ""))
        else:
            text = obj.whatsThis() or "Shortcut"
        ident = obj.objectName() or f"{where}: {text}"
        found.append(Binding(ident, text, where, texts, scope, obj))
    return found


def _overlaps(a: tuple[QWidget, ...], b: tuple[QWidget, ...]) -> bool:
    """Could one key press reach both scopes: one widget is the other or holds it."""
    return any(x is y or x.isAncestorOf(y) or y.isAncestorOf(x) for x in a for y in b)


def clashes(found: list[Binding]) -> list[str]:
    """Each key that would be ambiguous (so Qt would do nothing): listed twice on one action, or on two actions
    whose widgets overlap. Actions shared between panels (one QAction, several widgets) are one action."""
    problems = []
    for binding in found:
        for key in {k for k in binding.keys if binding.keys.count(k) > 1}:
            problems.append(f"{key} is listed twice on “{binding.text}” ({binding.where})")
    for i, first in enumerate(found):
        for second in found[i + 1 :]:
            if first.target is second.target:
                continue
            for key in set(first.keys) & set(second.keys):
                if _overlaps(first.scope, second.scope):
                    problems.append(
                        f"{key} means both “{first.text}” ({first.where}) and “{second.text}” ({second.where})"
                    )
    return problems


def clash_with(found: list[Binding], binding: Binding, keys: tuple[str, ...]) -> Binding | None:
    """The action that already answers one of `keys` where `binding` would, if any."""
    for other in found:
        if other.target is not binding.target and set(other.keys) & set(keys) and _overlaps(other.scope, binding.scope):
            return other
    return None


def default_keys(binding: Binding) -> tuple[str, ...]:
    stored = binding.target.property(DEFAULT_KEYS)
    return tuple(k for k in str(stored or "").split("\n") if k)


def set_keys(action: QAction, keys: Iterable[str]) -> None:
    """Give `action` these keys, and say them in its tooltip as the code's own actions do ("Save (Ctrl+S)")."""
    sequences = [QKeySequence(k) for k in keys]
    action.setShortcuts(sequences)
    tip = action.toolTip()
    base = tip[: tip.rfind(" (")] if tip.endswith(")") and " (" in tip else tip
    shown = ", ".join(s.toString(NATIVE) for s in sequences)
    action.setToolTip(f"{base} ({shown})" if shown else base)


def apply_saved(found: list[Binding], saved: Mapping[str, str]) -> None:
    """Give each action the keys the creator chose (saved as "Ctrl+K\\nF5"; "" means none) or its default."""
    for binding in found:
        if not isinstance(binding.target, QAction):
            continue
        keys = saved[binding.id].split("\n") if binding.id in saved else default_keys(binding)
        keys = tuple(k for k in keys if k)
        if keys != binding.keys:
            set_keys(binding.target, keys)


def shown(keys: Iterable[str]) -> str:
    """Keys as the platform writes them (⌘ on a Mac), comma separated."""
    return ", ".join(QKeySequence(k).toString(NATIVE) for k in keys)
