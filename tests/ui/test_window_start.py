"""Starting the window: a failure while it is built is said in a message and the program ends, not left running."""

from __future__ import annotations

import pytest

from shotline.services.context import AppContext, open_context
from shotline.storage.secrets import MemorySecretStore
from shotline.ui import main as ui_main


def test_a_window_that_fails_to_start_says_why_and_ends(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[AppContext] = []
    said: list[str] = []

    def context() -> AppContext:
        made.append(open_context(secrets=MemorySecretStore()))
        return made[-1]

    def broken_window(*args: object) -> object:
        raise RuntimeError("the storyboard panel could not be built")

    monkeypatch.setattr(ui_main, "open_context_asking_for_ffmpeg", context)
    monkeypatch.setattr(ui_main, "start_window", broken_window)
    monkeypatch.setattr(ui_main, "cannot_start", said.append)

    assert ui_main.main() == 1
    assert said == [
        "Something went wrong (RuntimeError: the storyboard panel could not be built). Your work is safe; details are "
        "in the log."
    ]
    # its runner's thread is stopped: left running, it kept the process alive with no window to quit from
    assert not made[0].runner.thread.is_alive()
