"""File → Export for another editor… and File → Open a cut from another editor…: the hand-off from the window.

The format is chosen by the file's ending, offered as the save dialog's filters (services.handoff.FORMATS); the cut
is written as the creator sees the film now, unsaved edits included, off the GUI thread: the stems of a long film take
a while to mix, so the status bar shows how far it is with a Cancel (Esc), as sharing does (`ui.background_work`). A
cut from another editor becomes a new project beside it, which the window then opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from shotline.core.errors import ShotlineError
from shotline.jobs.runner import JobHandle
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.services.handoff import FORMATS, Handoff, check_handoff_target, write_handoff
from shotline.services.handoff_import import READS, ImportedCut, import_cut
from shotline.storage.bundle import SUFFIX
from shotline.ui.background_work import CancellableWork
from shotline.ui.bridge import Bridge
from shotline.ui.document import ProjectDocument, describe

T = TypeVar("T")

SAVE_FILTERS = ";;".join(f"{name} (*{ending})" for ending, (_, name) in FORMATS.items())
OPEN_FILTER = f"Cuts from other editors ({' '.join(f'*{ending}' for ending in READS)})"


class HandoffFlow(QObject):
    """Writes the open project's cut for another editor, and opens a cut from one as a new project."""

    reported = Signal(str)
    """The outcome, done or refused, as a sentence for the message bar."""
    project_made = Signal(object)
    """A new project folder (Path) made from a cut; the window opens it."""

    def __init__(self, ctx: AppContext, bridge: Bridge, window: QWidget) -> None:
        super().__init__(window)
        self._ctx = ctx
        self._bridge = bridge
        self._window = window
        self.working = False
        """Whether a cut from another editor is being opened."""
        self.writing = CancellableWork(ctx, bridge, window, self.reported.emit, "shotline-handoff")
        """Writing a hand-off, shown in the status bar (`writing.indicator`) with its progress and Cancel."""
        # The questions the flow asks, replaceable so tests can answer them; each returns None when cancelled.
        self.ask_cut_to_write: Callable[[Path], Path | None] = self._ask_cut_to_write
        self.ask_cut_to_open: Callable[[Path], Path | None] = self._ask_cut_to_open

    def export_for_editor(self, document: ProjectDocument | None) -> None:
        if document is None or self._busy():
            return
        chosen = self.ask_cut_to_write(self._offered(document))
        if chosen is None:
            return
        try:
            check_handoff_target(document.session, chosen, replace=True)  # the save dialog asked about replacing
        except ShotlineError as error:
            self.reported.emit(describe(error))
            return

        def done(written: Handoff) -> None:
            preferences.remember_handoff(self._ctx, written.cut)
            stems = ", ".join(stem.name for stem in written.stems) or "no sound"
            self.reported.emit(
                f"Wrote {written.cut.name} for another editor ({written.format_name}, {written.clips} shots) in "
                f"{written.cut.parent}, with its stems: {stems}."
            )

        project, bundle = document.session.project, document.session.bundle  # the film as it is now
        self.writing.run(
            f"Writing {chosen.name} for another editor…",
            lambda progress, cancel: write_handoff(project, bundle, chosen, progress=progress, cancel=cancel),
            done,
        )

    def _offered(self, document: ProjectDocument) -> Path:
        """The cut the save dialog offers: named after the project, in the folder and format of the last hand-off
        (the project's folder while that folder is gone, OpenTimelineIO before any)."""
        last = Path(self._ctx.settings.last_handoff) if self._ctx.settings.last_handoff else None
        ending = last.suffix.lower() if last is not None and last.suffix.lower() in FORMATS else ".otio"
        folder = last.parent if last is not None and last.parent.is_dir() else document.path.parent
        return folder / f"{_stem(document.path)}{ending}"

    def open_cut(self, start: Path) -> None:
        if self._busy():
            return
        cut = self.ask_cut_to_open(start)
        if cut is None:
            return
        project = _free_project_name(cut)

        def done(made: ImportedCut) -> None:
            missing = ""
            if made.missing:
                missing = f" Not found ({len(made.missing)}): " + "; ".join(made.missing) + "."
            self.reported.emit(f"Opened {cut.name} as a new project: {made.project}.{missing}")
            self.project_made.emit(made.project)

        self._run(self._ctx.runner.submit(asyncio.to_thread(import_cut, cut, project)), done)

    def _busy(self) -> bool:
        if self.working:
            self.reported.emit("A cut from another editor is still being opened; try again when it has finished.")
        return self.working or self.writing.still_busy()

    def _run(self, handle: JobHandle[T], done: Callable[[T], object]) -> None:
        self.working = True

        def finished(result: T) -> None:
            self.working = False
            done(result)

        def failed(error: BaseException) -> None:
            self.working = False
            self.reported.emit(
                describe(error) if isinstance(error, ShotlineError) else f"Opening the cut failed: {describe(error)}"
            )

        self._bridge.watch(handle, finished, failed, self._stopped)

    def _stopped(self) -> None:
        self.working = False

    def _ask_cut_to_write(self, default: Path) -> Path | None:
        offered = next((f"{name} (*{e})" for e, (_, name) in FORMATS.items() if e == default.suffix.lower()), "")
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self._window, "Export the cut for another editor", str(default), SAVE_FILTERS, offered
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in FORMATS:  # no ending typed: the one of the format chosen
            ending = next((e for e, (_, name) in FORMATS.items() if chosen_filter.startswith(name)), ".otio")
            path = path.with_name(path.name + ending)
        return path

    def _ask_cut_to_open(self, start: Path) -> Path | None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self._window, "Open a cut from another editor", str(start), OPEN_FILTER
        )
        return Path(chosen) if chosen else None


def _stem(project: Path) -> str:
    return project.name.removesuffix(SUFFIX)


def _free_project_name(cut: Path) -> Path:
    """A new project beside the cut, named after it, never over a folder already there ("Cut 2.shotline")."""
    candidate = cut.with_name(f"{cut.stem}{SUFFIX}")
    number = 2
    while candidate.exists():
        candidate = cut.with_name(f"{cut.stem} {number}{SUFFIX}")
        number += 1
    return candidate
