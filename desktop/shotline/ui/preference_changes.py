"""Word that the creator saved Preferences, for the widgets that show something the way a preference says (the
player's counter reads timecode or seconds): they redraw at once instead of on their next change."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal


class PreferenceChanges(QObject):
    saved = Signal()
    """Preferences were saved; `AppContext.settings` holds them."""


_changes: PreferenceChanges | None = None


def preference_changes() -> PreferenceChanges:
    """The one notifier of this run (owned by the application, so it lives as long as the widgets listening)."""
    global _changes
    if _changes is None:
        _changes = PreferenceChanges(QCoreApplication.instance())
    return _changes
