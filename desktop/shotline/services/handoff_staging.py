"""A hand-off's files written all or nothing: each under a hidden partial name beside its place (`core.partial`,
which `media.leftovers` sweeps after a Shotline killed outright), all put in place only once every one is whole.

Mixing the stems of a long film takes a while, so the work reports how far it is (by the samples of sound mixed, as
each sound decodes) and stops, when asked, at the next decoded frame; a hand-off cancelled or failed part-way removes
its partial files and the folders it made, and leaves every file that was there before as it was (a cut it would
have replaced too).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

from shotline.core.errors import SaveFailed, ShotlineError, plain_reason
from shotline.core.partial import partial_path
from shotline.core.ports import ProgressSink
from shotline.media.mix import AudioMix, Sound

log = logging.getLogger(__name__)


class HandoffCancelled(ShotlineError):
    """Writing a hand-off stopped because it was asked to; everything it had written is gone again."""


class Staging:
    """The files of one hand-off to `output`, written through partial names and put in place together by `commit`;
    leaving the `with` block without a commit (cancelled, failed) removes every partial file and folder it made."""

    def __init__(self, output: Path) -> None:
        self._output = output
        self._parts: dict[Path, Path] = {}
        self._made: list[Path] = []  # folders this hand-off made, outermost first
        self._committed = False

    def __enter__(self) -> Staging:
        folder = self._output.parent
        self._made = [f for f in reversed((folder, *folder.parents)) if not f.exists()]
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.__exit__()
            raise self.failure(error) from None
        return self

    def part(self, path: Path) -> Path:
        """The hidden name `path` is written under until the commit."""
        part = partial_path(path)
        self._parts[path] = part
        return part

    def commit(self) -> None:
        for final, part in self._parts.items():
            part.replace(final)
        self._committed = True

    def __exit__(self, *exc_info: object) -> None:
        if self._committed:
            return
        for part in self._parts.values():
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
        for folder in reversed(self._made):  # innermost first; one holding anything else stays
            try:
                folder.rmdir()
            except OSError as error:
                log.info("Left the folder %s the hand-off made: %s", folder, error)

    def failure(self, error: OSError) -> SaveFailed:
        """The creator's sentence for a file of the hand-off that could not be written (a full disk, no folder)."""
        return SaveFailed(
            f"Could not write {self._output.name} for another editor: {plain_reason(error)}. Nothing of it was kept; "
            "free some space or choose another folder, then try again."
        )


class Meter:
    """Counts the samples of sound mixed as a fraction of every stem's for `progress`, and stops the mix with
    HandoffCancelled at the next report once `cancel` is set. Below 1 until the hand-off is in place."""

    def __init__(
        self, output: Path, stems: Iterable[AudioMix], progress: ProgressSink | None, cancel: threading.Event | None
    ) -> None:
        self._output = output
        self._total = max(sum(sound.samples for mix in stems for sound in mix.sounds), 1)
        self._done = 0
        self._progress = progress
        self._cancel = cancel

    def check(self) -> None:
        if self._cancel is not None and self._cancel.is_set():
            raise HandoffCancelled(
                f"Export for another editor was cancelled: {self._output.name} and its stems were not written, and "
                "the files already there were left as they were."
            )

    def mixed(self, sound: Sound, fraction: float) -> None:
        """`fraction` of `sound` is mixed (1: all of it, told once)."""
        done = self._done + round(sound.samples * fraction)
        if fraction >= 1.0:
            self._done = done
        if self._progress is not None:
            self._progress(min(done / self._total, 0.999))
        self.check()

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(1.0)
