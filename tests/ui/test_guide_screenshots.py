"""The user guide's pictures: the API keys dialog, a shot being generated, the export dialog and the welcome page,
each made of the real widgets on a real X server (Xvfb) and checked by what they show.

Like tests/ui/test_screenshot.py, this file is also the script the tests run in a subprocess with DISPLAY set and
QT_QPA_PLATFORM=xcb: `python tests/ui/test_guide_screenshots.py KIND PICTURE WORKDIR` draws one picture and writes
what the widgets held at that moment to WORKDIR/facts.json, so the test can check the picture against it. With
SHOTLINE_UPDATE_SCREENSHOTS=1 the pictures replace resources/screenshots/<kind>.png (the ones the README shows);
otherwise they go to a temporary folder.

No real provider is reached: keys live in an in-memory keyring, and the generating picture's cloud job runs against
the fake Runway server the backend tests use.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "resources" / "screenshots"
FACTS = "facts.json"
SAMPLE_RUNWAY_KEY = "key_runway_fake_0123456789abcdef"
"""The key the fake Runway accepts; the keys dialog must never show it."""
NEW_SHOT_PROMPT = "Lightning splits the sky over the lighthouse; the beam sweeps across the breaking waves."
POLL_MS = 100
SETTLE_POLLS = 4
"""How many polls in a row the picture must be ready before it is taken (layout and paint have caught up)."""
MAX_WAIT_SECONDS = 45.0
RUNWAY_POLL_SECONDS = "2"
"""Slow enough that the fake Runway job stays "running" (25 %, then 75 %) for about four seconds."""


# ---------------------------------------------------------------------------------------------- the script


def _when_ready(app: QApplication, ready: Callable[[], bool], take: Callable[[], dict[str, Any]], work: Path) -> int:
    """Run the event loop until `ready()` has held for SETTLE_POLLS polls, then `take()` the picture and write the
    facts it returns. 0 on success, 4 if the widgets never became ready."""
    from PySide6.QtCore import QTimer

    outcome = {"code": 4}
    started = time.monotonic()
    ready_polls = 0

    def poll() -> None:
        nonlocal ready_polls
        ready_polls = ready_polls + 1 if ready() else 0
        if ready_polls >= SETTLE_POLLS:
            timer.stop()
            (work / FACTS).write_text(json.dumps(take(), indent=2))
            outcome["code"] = 0
            app.quit()
        elif time.monotonic() - started > MAX_WAIT_SECONDS:
            timer.stop()
            app.quit()

    timer = QTimer()
    timer.setInterval(POLL_MS)
    timer.timeout.connect(poll)
    timer.start()
    app.exec()
    return outcome["code"]


def _rect_in(widget: QWidget, top: QWidget) -> list[int]:
    """Where `widget` lies inside `top`'s picture: [x, y, width, height]."""
    corner = widget.mapTo(top, widget.rect().topLeft())
    return [corner.x(), corner.y(), widget.width(), widget.height()]


def _save(picture: Any, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not picture.save(str(out), "PNG"):
        raise OSError(f"Could not write {out}")


def render_keys(app: QApplication, out: Path, work: Path) -> int:
    """The API keys dialog with a Runway key stored in a (test) keyring and no key for the other backends."""
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    from shotline.backends.builtin import BUILTIN_SPECS
    from shotline.services import keys
    from shotline.services.context import open_context
    from shotline.storage.secrets import EnvironmentOverride, KeyringSecretStore
    from shotline.ui.dialogs.keys import KeysDialog

    class SessionKeyring(KeyringBackend):
        """A keyring that lives in this process: the real KeyringSecretStore code path, nothing on the machine."""

        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.passwords: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.passwords.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.passwords[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.passwords.pop((service, username), None) is None:
                raise PasswordDeleteError(username)

    keyring = SessionKeyring()
    env_vars = {spec.info.id: spec.info.key_env_vars for spec in BUILTIN_SPECS}
    # environ={}: the picture must not depend on keys the machine running the test happens to have set
    secrets = EnvironmentOverride(KeyringSecretStore(backend=keyring), env_vars, environ={})
    with open_context(secrets=secrets) as ctx:
        keys.set_key(ctx, "runway", SAMPLE_RUNWAY_KEY)
        dialog = KeysDialog(ctx)
        dialog.resize(760, dialog.sizeHint().height())
        dialog.show()

        def take() -> dict[str, Any]:
            _save(dialog.grab(), out)
            return {
                "size": [dialog.width(), dialog.height()],
                "rows": {backend: row.source.text() for backend, row in dialog.rows.items()},
                "source_rects": {backend: _rect_in(row.source, dialog) for backend, row in dialog.rows.items()},
                "field_texts": [row.field.text() for row in dialog.rows.values()],
                "labels": [label.text() for label in dialog.findChildren(type(dialog.problem))],
                "problem_shown": dialog.problem.isVisible(),
                "keyring": {f"{service}/{user}": key for (service, user), key in keyring.passwords.items()},
            }

        code = _when_ready(app, dialog.isVisible, take, work)
        dialog.close()
    return code


def render_generating(app: QApplication, out: Path, work: Path) -> int:
    """The demo in the main window with a new Runway shot generating (against the fake Runway): its card shows the
    progress, and the jobs panel lists it running above the demo's finished animatic jobs."""
    from PySide6.QtCore import Qt

    from shotline.core import commands
    from shotline.core.model import GenerationSettings, Shot, new_id
    from shotline.services import keys
    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui.jobs_panel import COLUMNS, JobsPanel
    from shotline.ui.storyboard import StoryboardPanel
    from shotline.ui.storyboard.model import ShotRole
    from tests.fakes.runway import FakeRunway
    from tests.ui.guide import demo_window

    with FakeRunway(key=SAMPLE_RUNWAY_KEY) as fake, open_context(secrets=MemorySecretStore()) as ctx:
        os.environ["SHOTLINE_RUNWAY_BASE_URL"] = fake.url
        os.environ["SHOTLINE_POLL_SECONDS"] = RUNWAY_POLL_SECONDS
        keys.set_key(ctx, "runway", SAMPLE_RUNWAY_KEY)
        # the window shuts down as the block ends: the job detaches, as on quit; the fake stops with the context
        with demo_window(app, ctx, work) as (window, document):
            storyboard, jobs = window.panels["storyboard"], window.panels["jobs"]
            assert isinstance(storyboard, StoryboardPanel) and isinstance(jobs, JobsPanel)
            # the jobs list is a tab beside the shot by default; here it is docked along the bottom, as a creator
            # watching generations can by dragging its tab there (the window remembers it)
            jobs_dock = window.docks["jobs"]
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, jobs_dock)
            jobs_dock.show()
            window.resizeDocks([jobs_dock], [170], Qt.Orientation.Vertical)
            first = document.project.shots[0]
            shot = Shot(
                id=new_id(),
                title="Lightning",
                prompt=NEW_SHOT_PROMPT,
                generation=GenerationSettings(backend="runway", model="gen4.5", duration_us=5_000_000),
            )
            assert document.execute(commands.add_shot(shot, 1))
            window.selection.select([shot.id])
            [job_id] = document.generate([shot.id])
            window.playhead.seek(first.duration_us // 2)  # the player shows the first shot's picture

            def running() -> bool:
                record = document.job(job_id) if jobs.model.has(job_id) else None
                card = storyboard.model.index(storyboard.model.row_of(shot.id), 0)
                return record is not None and record.progress > 0 and card.data(ShotRole.STATE) == "running"

            def take() -> dict[str, Any]:
                picture = window.screen().grabWindow(window.winId(), 0, 0, window.width(), window.height())
                _save(picture, out)
                model = jobs.model
                rows = [
                    {COLUMNS[column]: str(model.index(row, column).data()) for column in range(len(COLUMNS))}
                    for row in range(model.rowCount())
                ]
                cards = storyboard.model
                return {
                    "size": [window.width(), window.height()],
                    "jobs": rows,
                    "cards": [
                        {
                            "title": str(cards.index(row, 0).data()),
                            "state": str(cards.index(row, 0).data(ShotRole.STATE)),
                        }
                        for row in range(cards.rowCount())
                    ],
                    "storyboard_rect": _rect_in(storyboard.view.viewport(), window),
                    "jobs_rect": _rect_in(jobs.view.viewport(), window),
                    "creates_sent": len(fake.creates()),
                }

            return _when_ready(app, running, take, work)


def render_export(app: QApplication, out: Path, work: Path) -> int:
    """The export dialog on the demo project, with its route worked out."""
    from shotline.services.context import open_context
    from shotline.services.demo import open_or_create_demo
    from shotline.services.session import ProjectSession
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui.bridge import Bridge
    from shotline.ui.dialogs.export_dialog import ExportDialog
    from shotline.ui.document import ProjectDocument

    project = work / "The Lighthouse Keeper.shotline"
    with open_context(secrets=MemorySecretStore()) as ctx:
        open_or_create_demo(ctx, project).close()
        document = ProjectDocument(ctx, ProjectSession.open(project), Bridge())
        dialog = ExportDialog(document)
        # where a creator would save it, rather than the test's temporary folder
        dialog.path_edit.setText(str(Path("~") / "Videos" / "The Lighthouse Keeper.mp4"))
        dialog.resize(680, dialog.sizeHint().height())
        dialog.show()

        def take() -> dict[str, Any]:
            _save(dialog.grab(), out)
            form = dialog.form
            labels = [form.itemAt(row, form.ItemRole.LabelRole) for row in range(form.rowCount())]
            return {
                "size": [dialog.width(), dialog.height()],
                "labels": [item.widget().text() for item in labels if item is not None and item.widget()],
                "choices": {
                    "preset": dialog.preset_combo.currentText(),
                    "shape": dialog.fit_combo.currentText(),
                    "format": dialog.format_combo.currentText(),
                    "loudness": dialog.loudness_combo.currentText(),
                    "export": dialog.scope_combo.currentText(),
                },
                "summary": dialog.summary.text(),
                "route": dialog.route_label.text(),
                "route_rect": _rect_in(dialog.route_label, dialog),
                "export_enabled": dialog.export_button.isEnabled(),
            }

        code = _when_ready(app, lambda: dialog.isVisible() and not dialog.route_pending, take, work)
        dialog.close()
        document.close()
    return code


def render_welcome(app: QApplication, out: Path, work: Path) -> int:
    """The window as it opens with no project: the welcome page."""
    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from shotline.ui.bridge import Bridge
    from shotline.ui.main_window import MainWindow

    with open_context(secrets=MemorySecretStore()) as ctx:
        window = MainWindow(ctx, Bridge())
        window.resize(960, 540)
        window.move(0, 0)
        window.show()
        welcome = window.welcome

        def take() -> dict[str, Any]:
            _save(window.grab(), out)
            buttons = (welcome.new_button, welcome.open_button, welcome.demo_button)
            return {
                "size": [window.width(), window.height()],
                "title": window.windowTitle(),
                "showing_welcome": window.stack.currentWidget() is welcome,
                "buttons": [button.text() for button in buttons],
                "button_rects": [_rect_in(button, window) for button in buttons],
                "recent": [welcome.recent.item(row).text() for row in range(welcome.recent.count())],
                "menus": [action.text() for action in window.menuBar().actions()],
            }

        code = _when_ready(app, welcome.isVisible, take, work)
        window.shutdown()
        window.deleteLater()
        app.processEvents()  # let deleteLater run before the context closes
    return code


RENDERERS: dict[str, Callable[[Any, Path, Path], int]] = {
    "keys": render_keys,
    "generating": render_generating,
    "export": render_export,
    "welcome": render_welcome,
}


def main(kind: str, out: Path, work: Path) -> int:
    from shotline.ui.main import make_application

    app = make_application([sys.argv[0]])
    return RENDERERS[kind](app, out, work)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))


# ---------------------------------------------------------------------------------------------- the tests

import numpy as np  # noqa: E402 - the script above must not need the test's imports
import pytest  # noqa: E402

from shotline.core.frames import format_timecode  # noqa: E402
from shotline.core.timecode import parse_fps  # noqa: E402
from shotline.resources import resource  # noqa: E402
from shotline.ui import theme  # noqa: E402
from tests.ui.guide import run_guide  # noqa: E402
from tests.ui.screenshots import image, near, picture_path  # noqa: E402

pytestmark = [pytest.mark.slow]
DEMO = json.loads(resource("demo", "demo.json").read_text(encoding="utf-8"))
"""The demo's script: what the generating and export pictures must show of it."""


def _shoot(display: str, kind: str, tmp_path: Path) -> tuple[np.ndarray, dict[str, Any], Path]:
    """Run the script for `kind`; the picture's pixels, the facts it wrote and where the picture is."""
    out = picture_path(SCREENSHOTS / f"{kind}.png", tmp_path)
    facts = run_guide(__file__, display, tmp_path, kind, str(out))
    return image(out), facts, out


def _share(pixels: np.ndarray, colour: Any, tolerance: int = 6) -> float:
    """The fraction of `pixels` within `tolerance` of the theme colour `colour` (a QColor)."""
    return float(near(pixels, colour, tolerance).mean())


def _region(pixels: np.ndarray, rect: list[int]) -> np.ndarray:
    x, y, width, height = rect
    return pixels[y : y + height, x : x + width]


def _looks_drawn(pixels: np.ndarray, facts: dict[str, Any], path: Path, max_bytes: int) -> None:
    """The picture has the widget's size, the dark theme's window colour, real detail, and a modest file size."""
    width, height = facts["size"]
    assert pixels.shape[:2] == (height, width)
    assert _share(pixels, theme.WINDOW) > 0.25, "the theme's window colour is missing: not the Shotline look"
    assert float(pixels.std()) > 8, "the picture is nearly blank"
    assert _share(pixels, theme.TEXT, tolerance=24) > 0.002, "no text was drawn"
    assert path.stat().st_size < max_bytes


def test_the_keys_dialog_shows_one_key_from_the_keyring_and_never_the_key(xvfb_display: str, tmp_path: Path) -> None:
    pixels, facts, path = _shoot(xvfb_display, "keys", tmp_path)
    _looks_drawn(pixels, facts, path, max_bytes=150_000)
    rows = facts["rows"]
    keyed = {"runway", "google", "openai", "luma", "luma_agents", "fal", "replicate", "elevenlabs"}
    assert set(rows) == keyed  # every keyed one, the voices-only ElevenLabs too
    assert rows["runway"] == "Runway: key stored in your system keyring."
    # each row names its provider and says what to do, in plain words (no command line, no variable names)
    assert all(": no key yet. Paste it from your " in text for backend, text in rows.items() if backend != "runway")
    assert rows["google"].startswith("Google Gemini: no key yet.")
    assert not any("`" in text or "_API_KEY" in text for text in rows.values())
    # stored through the real keyring code path, and shown nowhere: not in a field, not in a label
    assert facts["keyring"] == {"shotline/runway": SAMPLE_RUNWAY_KEY}
    assert all(text == "" for text in facts["field_texts"])
    assert not any(SAMPLE_RUNWAY_KEY in text for text in facts["labels"])
    assert not facts["problem_shown"], "a working keyring raised a problem"
    # the key fields are drawn in the theme's base colour, and each source line holds muted text
    assert _share(pixels, theme.BASE) > 0.03
    for backend, rect in facts["source_rects"].items():
        assert _share(_region(pixels, rect), theme.MUTED, tolerance=30) > 0.005, f"{backend}'s line is empty"


@pytest.mark.ffmpeg
def test_a_shot_generating_shows_on_its_card_and_in_the_jobs_panel(xvfb_display: str, tmp_path: Path) -> None:
    pixels, facts, path = _shoot(xvfb_display, "generating", tmp_path)
    _looks_drawn(pixels, facts, path, max_bytes=450_000)
    assert facts["creates_sent"] == 1, "one create request reached the fake Runway"
    states = [card["state"] for card in facts["cards"]]
    demo_shots = len(DEMO["shots"])
    assert len(states) == demo_shots + 1 and states[1] == "running" and facts["cards"][1]["title"] == "Lightning"
    assert [state for n, state in enumerate(states) if n != 1] == ["ready"] * demo_shots
    newest, *finished = facts["jobs"]
    assert newest["Shot"] == "2 · Lightning" and newest["Backend"] == "Runway" and newest["State"] == "running"
    assert 0 < int(newest["Progress"].rstrip("%")) < 100
    assert newest["Cost"].startswith("≈ $"), "the estimate shows before the provider bills"
    assert len(finished) == demo_shots
    assert all(job["State"] == "done — take added" and job["Cost"] == "free" for job in finished)
    # the card's progress bar and selection frame in the accent colour; the finished jobs' state in green
    assert _share(_region(pixels, facts["storyboard_rect"]), theme.ACCENT) > 0.002
    assert _share(_region(pixels, facts["jobs_rect"]), theme.SUCCESS, tolerance=40) > 0.001


@pytest.mark.ffmpeg
def test_the_export_dialog_on_the_demo_shows_its_choices_and_route(xvfb_display: str, tmp_path: Path) -> None:
    pixels, facts, path = _shoot(xvfb_display, "export", tmp_path)
    _looks_drawn(pixels, facts, path, max_bytes=150_000)
    labels = ["Save as", "Preset", "Shape", "Format", "Loudness", "Export", "Captions", "Film", "Route"]
    assert facts["labels"] == labels
    assert facts["choices"] == {
        "preset": "Source",
        "shape": "Fit (bars where the shape differs)",
        "format": "H.264 (MP4)",
        "loudness": "−14 LUFS (web)",
        "export": "The whole film",
    }
    seconds = sum(shot["duration"] for shot in DEMO["shots"])
    width, height = DEMO["size"].split("x")
    frame = f"{width}×{height} · {DEMO['fps']} fps"
    length = format_timecode(round(seconds * 1e6), parse_fps(str(DEMO["fps"])))  # timecode: the window's clock
    assert facts["summary"] == f"{len(DEMO['shots'])} shots · {length} · {frame}"
    assert facts["route"].startswith(("Lossless copy", "Picture copied", "Re-encode"))
    assert facts["export_enabled"]
    copies = facts["route"].startswith(("Lossless copy", "Picture copied"))  # a copy is good news: drawn in green
    colour = theme.SUCCESS if copies else theme.TEXT
    assert _share(_region(pixels, facts["route_rect"]), colour, tolerance=40) > 0.01, "the route is not drawn"


def test_the_welcome_page_offers_new_open_and_the_demo(xvfb_display: str, tmp_path: Path) -> None:
    pixels, facts, path = _shoot(xvfb_display, "welcome", tmp_path)
    _looks_drawn(pixels, facts, path, max_bytes=150_000)
    assert facts["showing_welcome"] and facts["title"] == "Shotline"
    assert facts["buttons"] == ["New project…", "Open…", "Open the demo project"]
    assert facts["recent"] == ["No recent projects yet"]
    assert facts["menus"][:5] == ["&File", "&Edit", "&View", "Fil&m", "&Help"]
    page = np.mean([theme.WINDOW.red(), theme.WINDOW.green(), theme.WINDOW.blue()])
    for rect in facts["button_rects"]:  # each button stands out lighter than the page and carries its label
        button = _region(pixels, rect)
        assert float(button.mean()) > page + 8 and _share(button, theme.TEXT, tolerance=40) > 0.01
