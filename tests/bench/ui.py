"""Window benchmarks (a script, not a test): `python tests/bench/ui.py` prints

- the time until the main window is shown (offscreen), from before its modules are imported;
- the time to open a 500-shot project into the main window (all panels built and the first paint done);
- the longest GUI event-loop stall while 10 animatic jobs generate, an export renders and music is dropped on the
  timeline (tests/ui/stall.py's load), beside the longest stall of the same window idle, measured in the same run.
  No test asserts a stall (it depends on the machine); tests/ui/test_responsiveness.py checks instead that the GUI
  thread does no file, process, network or database work under the same load.

The 500-shot project shares one rendered animatic take file between all its takes, so it is quick to make.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SHOTS = 500


def _settle(app: object, seconds: float) -> None:
    """Run the event loop for a while (a script may; the app never does this)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _wait(predicate: object, timeout: float) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: (predicate() or time.monotonic() > deadline) and loop.quit())  # type: ignore[operator]
    timer.start()
    loop.exec()
    timer.stop()
    return bool(predicate())  # type: ignore[operator]


def make_big_project(ctx: object, path: Path, shots: int = SHOTS) -> None:
    """`shots` shots, each with a take; all takes point at one rendered animatic clip."""
    from shotline.core import commands
    from shotline.core.model import GenerationSettings, Size, new_id
    from shotline.services.editing import add_shot
    from shotline.services.generation import GenerationService
    from shotline.services.session import ProjectSession

    with ProjectSession.create(path, title="Five hundred shots", size=Size(640, 360)) as session:
        first = add_shot(
            session, "A lighthouse at dusk", title="Shot 1", generation=GenerationSettings(duration_us=2_000_000)
        )
        generation = GenerationService(ctx, session)  # type: ignore[arg-type]
        for job in generation.run(generation.prepare([first.id])):
            generation.attach(job.handle.result(timeout=120))
        take = session.project.shot(first.id).takes[0]
        with session.history.transaction("Add shots"):
            for number in range(2, shots + 1):
                shot = add_shot(session, f"Shot {number}: waves on the rocks", title=f"Shot {number}")
                session.execute(commands.attach_take(shot.id, replace(take, id=new_id())))
        session.save()


def main() -> None:
    started = time.perf_counter()
    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui.bridge import Bridge
    from shotline.ui.main import make_application
    from shotline.ui.main_window import MainWindow, Unsaved

    imported = time.perf_counter()
    app = make_application([sys.argv[0]])
    with tempfile.TemporaryDirectory() as scratch, open_context(secrets=MemorySecretStore()) as ctx:
        window = MainWindow(ctx, Bridge())
        window.ask_unsaved = lambda: Unsaved.DISCARD
        window.show()
        _settle(app, 0)
        shown = time.perf_counter()
        print(
            f"window shown:            {(shown - started) * 1000:7.0f} ms"
            f"  (imports {(imported - started) * 1000:.0f} ms)"
        )

        big = Path(scratch) / "big.shotline"
        made = time.perf_counter()
        make_big_project(ctx, big)
        print(f"made a {SHOTS}-shot project: {(time.perf_counter() - made):7.1f} s   (not part of the figures)")
        opening = time.perf_counter()
        assert window.open_project(big)
        _settle(app, 0)
        print(
            f"open {SHOTS}-shot project:  {(time.perf_counter() - opening) * 1000:7.0f} ms  (panels built, first paint)"
        )
        window.close_project()

        from tests.ui.conftest import make_project
        from tests.ui.stall import StallMeter, make_music, start_load

        small = Path(scratch) / "small.shotline"
        make_project(ctx, small)
        opening = time.perf_counter()
        assert window.open_project(small)
        _settle(app, 0)
        print(f"open 3-shot project:     {(time.perf_counter() - opening) * 1000:7.0f} ms  (reference for the above)")
        music = make_music(Path(scratch))
        _settle(app, 0.5)
        idle = StallMeter()
        idle.start()
        _settle(app, 2.0)
        idle.stop()
        print(f"longest idle stall:      {idle.longest_ms:7.0f} ms  (reference: the same window, nothing running)")
        meter = StallMeter()
        meter.start()
        _jobs, dialog, finished = start_load(window, Path(scratch) / "film.mp4", music)
        ok = _wait(finished, 120)
        _settle(app, 0.2)
        meter.stop()
        print(
            f"longest GUI stall:       {meter.longest_ms:7.0f} ms"
            f"  (10 animatic jobs + a 720p export + music dropped{'' if ok else ', TIMED OUT'})"
        )
        dialog.close()
        window.shutdown()
        window.deleteLater()
        _settle(app, 0)
    # Leave without Python's final garbage collection of Qt wrappers (PySide can crash there); all is closed.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
