"""The getting-started guide: offered once on a first start, driven by keyboard, it sets the default backend, stores
a key in the keyring after trying it on a local fake provider, opens the demo, and can be opened again from Help."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.storage.secrets import EnvironmentOverride, KeyringSecretStore, KeySource
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.first_run import CHOOSE_PAGE, DEMO_PAGE, KEY_PAGE, OFFLINE_LABEL, GettingStartedGuide
from shotline.ui.main import start_window
from shotline.ui.main_window import MainWindow, Unsaved
from shotline.ui.storyboard import StoryboardPanel
from tests.fakes.runway import FakeRunway
from tests.ui.shell_fixtures import private_settings, visible_dialogs

GOOD_KEY = "rw-good-key-0123456789"


@contextmanager
def started_window(qtbot, ctx: AppContext, settings_folder: Path) -> Iterator[MainWindow]:
    """The window started the way `shotline` starts it, on settings of its own; released afterwards."""
    private_settings(ctx, settings_folder)
    win = start_window(ctx, Bridge())
    win.ask_unsaved = lambda: Unsaved.DISCARD
    qtbot.addWidget(win)
    try:
        yield win
    finally:
        win.shutdown()


def shown_guide(qtbot, window: MainWindow) -> GettingStartedGuide:
    qtbot.waitUntil(lambda: window.getting_started is not None and window.getting_started.isVisible(), timeout=5000)
    assert window.getting_started is not None
    return window.getting_started


def press(qtbot, guide: GettingStartedGuide, key: Qt.Key) -> None:
    """A key press where the creator's keyboard focus is in the guide."""
    target: QWidget = guide.focusWidget() or guide
    qtbot.keyClick(target, key)


def choose(qtbot, guide: GettingStartedGuide, backend_id: str) -> None:
    button = guide.choose_page.buttons[backend_id]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))  # on its circle
    assert button.isChecked()


class ProcessKeyring(KeyringBackend):
    """A keyring backend living in this process, for machines without a Secret Service."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def keyring_store(app_context: AppContext) -> Iterator[tuple[KeyringBackend, str]]:
    """The context's keys in a keyring under a service of this test's own: the real OS keyring when there is one
    (inside `dbus-run-session`), else one in this process. Yields the keyring and the service name."""
    real = keyring.get_keyring()
    backend = real if real.priority > 0 else ProcessKeyring()
    service = f"shotline-test-{uuid.uuid4().hex[:8]}"
    original = app_context.secrets
    env_vars = {info.id: info.key_env_vars for info in app_context.registry.infos()}
    app_context.secrets = EnvironmentOverride(KeyringSecretStore(service, backend), env_vars, environ={})
    try:
        yield backend, service
    finally:
        KeyringSecretStore(service, backend).delete("runway")
        app_context.secrets = original


def test_a_first_start_shows_the_guide_after_the_window_and_finishing_offline_sets_the_default(
    qtbot, app_context: AppContext, tmp_path: Path
) -> None:
    settings = tmp_path / "settings"
    private_settings(app_context, settings)
    preferences.save_settings(app_context, dataclasses.replace(app_context.settings, default_backend="runway"))
    with started_window(qtbot, app_context, settings) as window:
        assert window.getting_started is None  # the window comes first; the guide follows once it is up
        guide = shown_guide(qtbot, window)
        assert window.isVisible() and guide.isModal()
        assert guide.currentId() == CHOOSE_PAGE
        assert guide.choose_page.buttons["runway"].isChecked()  # the current default, as it was
        assert guide.choose_page.buttons["animatic"].text() == OFFLINE_LABEL
        assert len(guide.choose_page.buttons) == len(app_context.registry.ids())
        choose(qtbot, guide, "animatic")
        press(qtbot, guide, Qt.Key.Key_Return)
        assert guide.currentId() == DEMO_PAGE  # the animatic needs no key: that step is left out
        guide.demo_page.finish_only.setChecked(True)
        press(qtbot, guide, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not guide.isVisible(), timeout=5000)
        stored = app_context.settings_store.load()
        assert stored.default_backend == "animatic" and stored.first_run_done
        assert window.document is None and window.stack.currentWidget() is window.welcome
        assert visible_dialogs() == []

    with started_window(qtbot, app_context, settings) as second:
        qtbot.wait(200)
        assert second.getting_started is None and visible_dialogs() == []


def test_esc_skips_the_guide_and_it_never_comes_back_by_itself(qtbot, app_context: AppContext, tmp_path: Path) -> None:
    settings = tmp_path / "settings"
    with started_window(qtbot, app_context, settings) as window:
        guide = shown_guide(qtbot, window)
        press(qtbot, guide, Qt.Key.Key_Escape)
        assert not guide.isVisible()
        stored = app_context.settings_store.load()
        assert stored.first_run_done and stored.default_backend == "animatic"
        assert window.document is None
    with started_window(qtbot, app_context, settings) as second:
        qtbot.wait(200)
        assert second.getting_started is None


def test_a_keyed_backend_gets_its_key_tried_and_stored_in_the_keyring_and_new_shots_use_it(
    qtbot,
    app_context: AppContext,
    keyring_store: tuple[KeyringBackend, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend, service = keyring_store
    with FakeRunway(key=GOOD_KEY) as fake, started_window(qtbot, app_context, tmp_path / "settings") as window:
        monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", fake.url)
        guide = shown_guide(qtbot, window)
        choose(qtbot, guide, "runway")
        press(qtbot, guide, Qt.Key.Key_Return)
        assert guide.currentId() == KEY_PAGE
        page = guide.key_page
        assert "Runway" in page.title() and page.test_button.isEnabled()
        assert page.key_field.echoMode() is page.key_field.EchoMode.Password
        assert "no key" in page.status.text()

        qtbot.keyClicks(page.key_field, "rw-wrong-key-000000000")
        page.test_button.click()
        assert not page.test_button.isEnabled() and "Asking Runway" in page.answer.text()  # the GUI thread is free
        qtbot.waitUntil(page.test_button.isEnabled, timeout=10_000)
        assert "did not work" in page.answer.text() and "rw-wrong-key" not in page.answer.text()

        qtbot.keyClicks(page.key_field, GOOD_KEY)
        page.test_button.click()
        qtbot.waitUntil(lambda: "Key accepted" in page.answer.text(), timeout=10_000)
        assert "12345 credits" in page.answer.text()
        assert page.key_field.text() == ""  # the key left the widget once stored
        assert backend.get_password(service, "runway") == GOOD_KEY
        assert app_context.secrets.source("runway") is KeySource.KEYRING
        assert "keyring" in page.status.text()
        assert fake.count("GET", r"/v1/organization") == 2 and fake.count("POST", r"/v1/.*") == 0

        press(qtbot, guide, Qt.Key.Key_Return)
        assert guide.currentId() == DEMO_PAGE
        guide.demo_page.finish_only.setChecked(True)
        press(qtbot, guide, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not guide.isVisible(), timeout=5000)
        assert app_context.settings.default_backend == "runway"
        assert GOOD_KEY not in app_context.settings_store.path.read_text()  # never in the settings

        assert window.create_project(tmp_path / "new.shotline", "New film")
        storyboard = window.panels["storyboard"]
        assert isinstance(storyboard, StoryboardPanel)
        storyboard.add_shot()
        assert window.document is not None
        assert [shot.generation.backend for shot in window.document.project.shots] == ["runway"]


def test_a_key_typed_and_left_with_enter_is_stored_on_the_way_on(
    qtbot, app_context: AppContext, keyring_store: tuple[KeyringBackend, str], tmp_path: Path
) -> None:
    backend, service = keyring_store
    with started_window(qtbot, app_context, tmp_path / "settings") as window:
        guide = shown_guide(qtbot, window)
        choose(qtbot, guide, "runway")
        press(qtbot, guide, Qt.Key.Key_Return)
        qtbot.keyClicks(guide.key_page.key_field, "  rw-typed-key-42  ")
        press(qtbot, guide, Qt.Key.Key_Return)
        assert guide.currentId() == DEMO_PAGE
        assert backend.get_password(service, "runway") == "rw-typed-key-42"


@pytest.mark.ffmpeg
def test_open_the_demo_opens_it_in_the_window(
    qtbot, app_context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "Documents" / "Shotline" / preferences.DEMO_NAME
    monkeypatch.setattr(preferences, "demo_path", lambda: demo)  # not the creator's real Documents folder
    with started_window(qtbot, app_context, tmp_path / "settings") as window:
        guide = shown_guide(qtbot, window)
        press(qtbot, guide, Qt.Key.Key_Return)  # stay offline
        assert guide.currentId() == DEMO_PAGE and guide.demo_page.demo.isChecked()
        press(qtbot, guide, Qt.Key.Key_Return)
        assert not guide.isVisible() and window.welcome.progress.isVisible()  # rendering, off the GUI thread
        qtbot.waitUntil(lambda: window.document is not None, timeout=60_000)
        assert window.document is not None and window.document.path == demo
        assert len(window.document.project.shots) == 4
        assert app_context.settings_store.load().first_run_done


def test_help_getting_started_opens_the_guide_again(qtbot, app_context: AppContext, tmp_path: Path) -> None:
    settings = tmp_path / "settings"
    private_settings(app_context, settings)
    preferences.finish_first_run(app_context)
    preferences.choose_default_backend(app_context, "luma")
    with started_window(qtbot, app_context, settings) as window:
        qtbot.wait(200)
        assert window.getting_started is None
        help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
        action = next(a for a in help_menu.actions() if a.text() == "Getting started…")
        action.trigger()
        guide = shown_guide(qtbot, window)
        assert guide.currentId() == CHOOSE_PAGE and guide.choose_page.buttons["luma"].isChecked()
        press(qtbot, guide, Qt.Key.Key_Escape)
        assert not guide.isVisible() and app_context.settings.default_backend == "luma"


def test_the_guides_key_step_speaks_plainly_and_does_not_blame_the_key_for_an_unreachable_provider(
    qtbot,
    app_context: AppContext,
    keyring_store: tuple[KeyringBackend, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 14, point 14: the guide's key step showed "`shotline keys set runway`" and said "The key did not work:
    Runway could not be reached ([Errno 111]…)" for a network failure."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", f"http://127.0.0.1:{port}")
    with started_window(qtbot, app_context, tmp_path / "settings") as window:
        guide = shown_guide(qtbot, window)
        choose(qtbot, guide, "runway")
        press(qtbot, guide, Qt.Key.Key_Return)
        page = guide.key_page
        assert "`" not in page.status.text() and "shotline keys" not in page.status.text(), page.status.text()
        qtbot.keyClicks(page.key_field, "rw-some-key-0123456789")
        page.test_button.click()
        qtbot.waitUntil(page.test_button.isEnabled, timeout=30_000)
        said = page.answer.text()
        assert "could not reach runway" in said.lower() and "did not work" not in said, said
        assert "errno" not in said.lower(), said
