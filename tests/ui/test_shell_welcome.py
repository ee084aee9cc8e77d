"""The welcome page opens projects (recent list, demo) and the dialogs save what they show through the services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import fail

from shotline.backends.builtin import builtin_spec
from shotline.backends.registry import BackendRegistry, BackendSpec
from shotline.core.errors import KeyStoreError
from shotline.core.ports import BackendInfo, BackendKind, ModelInfo
from shotline.services import preferences
from shotline.services.context import AppContext
from shotline.storage.secrets import EnvironmentOverride, KeyringSecretStore, KeySource
from shotline.ui.dialogs.keys import CANNOT_TEST, KeysDialog
from shotline.ui.dialogs.preferences import PreferencesDialog
from shotline.ui.main_window import MainWindow
from tests.fakes.runway import FakeRunway
from tests.ui.shell_fixtures import private_settings, shown_window, visible_dialogs

ANIMATIC = builtin_spec("animatic")


@pytest.fixture
def window(qtbot, app_context: AppContext, tmp_path: Path) -> Iterator[MainWindow]:
    with shown_window(qtbot, app_context, tmp_path / "settings") as win:
        yield win


def test_the_recent_list_opens_a_project(
    qtbot, window: MainWindow, app_context: AppContext, project_path: Path
) -> None:
    preferences.remember_recent(app_context, project_path)
    window.welcome.refresh()
    item = window.welcome.recent.item(0)
    assert Path(item.data(256)) == project_path.resolve()
    window.welcome.recent.itemActivated.emit(item)
    assert window.document is not None
    assert window.document.path.resolve() == project_path.resolve()
    assert window.stack.currentWidget() is window.editor
    assert app_context.settings_store.load().recent_projects[0] == str(project_path.resolve())


@pytest.mark.ffmpeg
def test_the_demo_is_rendered_off_the_gui_thread_then_opened(qtbot, window: MainWindow, tmp_path: Path) -> None:
    demo = tmp_path / "demo.shotline"
    window.welcome.open_demo(demo)
    assert window.welcome.progress.isVisible() and not window.welcome.demo_button.isEnabled()
    assert window.document is None  # returned at once: the rendering runs elsewhere
    qtbot.waitUntil(lambda: window.document is not None, timeout=60_000)
    document = window.document
    assert document is not None and document.path == demo
    assert len(document.project.shots) == 4
    assert all(shot.picked_take is not None for shot in document.project.shots)
    assert not document.is_dirty and window.welcome.demo_button.isEnabled()
    assert visible_dialogs() == []


def test_preferences_save_through_the_settings_store(qtbot, app_context: AppContext, tmp_path: Path) -> None:
    private_settings(app_context, tmp_path)
    dialog = PreferencesDialog(app_context)
    qtbot.addWidget(dialog)
    dialog.model.setCurrentIndex(dialog.model.findData("silent-card"))
    dialog.poll.setValue(12.5)
    dialog.cache_size.setValue(512)
    dialog.urls.item(0, 1).setText("http://127.0.0.1:9/api")
    dialog.cache_folder.setText(str(tmp_path / "my-cache"))
    assert dialog.save()
    saved = app_context.settings_store.load()
    assert saved.default_model == "silent-card" and saved.poll_seconds == 12.5 and saved.cache_size_mb == 512
    assert dict(saved.base_urls) == {"animatic": "http://127.0.0.1:9/api"}
    assert saved.cache_folder == str(tmp_path / "my-cache")
    assert app_context.settings == saved


def test_a_relative_cache_folder_is_refused(qtbot, app_context: AppContext, tmp_path: Path) -> None:
    private_settings(app_context, tmp_path)
    before = app_context.settings_store.load()
    dialog = PreferencesDialog(app_context)
    qtbot.addWidget(dialog)
    dialog.cache_folder.setText("cache-here")
    assert not dialog.save()
    assert "full path" in dialog.error.text()
    assert app_context.settings_store.load() == before


def test_a_bad_base_url_is_explained_in_the_dialog_and_nothing_is_saved(
    qtbot, app_context: AppContext, tmp_path: Path
) -> None:
    private_settings(app_context, tmp_path)
    before = app_context.settings_store.load()
    dialog = PreferencesDialog(app_context)
    qtbot.addWidget(dialog)
    dialog.urls.item(0, 1).setText("ftp://example.com")
    assert not dialog.save()
    assert "must start with http://" in dialog.error.text()
    dialog.urls.item(0, 1).setText("http://gateway.example.com/v1")
    assert not dialog.save()
    assert "only uses plain http:// with this computer" in dialog.error.text()
    assert app_context.settings_store.load() == before


@pytest.fixture
def keyed_context(app_context: AppContext) -> Iterator[AppContext]:
    """The real context with one more declared backend that needs a key, and a keyring that is not there."""
    cloud = BackendInfo(
        id="cloudy",
        name="Cloudy Video",
        kind=BackendKind.CLOUD,
        models=(ModelInfo(id="v1", label="v1"),),
        key_env_vars=("CLOUDY_API_KEY",),
    )
    original = (app_context.registry, app_context.secrets)
    app_context.registry = BackendRegistry(
        builtins=[ANIMATIC, BackendSpec(info=cloud, create=ANIMATIC.create)], discover=False
    )
    app_context.secrets = EnvironmentOverride(
        KeyringSecretStore(backend=fail.Keyring()), {"cloudy": ("CLOUDY_API_KEY",)}, environ={}
    )
    yield app_context
    app_context.registry, app_context.secrets = original


def test_without_a_keyring_the_keys_dialog_explains_and_keeps_the_key_in_memory(
    qtbot, keyed_context: AppContext
) -> None:
    dialog = KeysDialog(keyed_context)
    qtbot.addWidget(dialog)
    dialog.show()
    row = dialog.rows["cloudy"]
    assert "animatic" not in dialog.rows
    assert not row.test_button.isEnabled() and row.test_button.toolTip() == CANNOT_TEST
    assert "keyring" in dialog.problem.text().lower() and dialog.memory_button.isVisible()

    row.field.setText("sk-cloudy-12345678")
    row.set_button.click()
    with pytest.raises(KeyStoreError):  # nothing stored: the keyring refused, and nothing fell back to a file
        keyed_context.secrets.get("cloudy")
    assert row.field.text() == "sk-cloudy-12345678"
    dialog.memory_button.click()
    assert keyed_context.secrets.get("cloudy") == "sk-cloudy-12345678"
    assert keyed_context.secrets.source("cloudy") is KeySource.MEMORY
    assert "sk-cloudy-12345678" in keyed_context.known_keys  # the log redaction hides it
    assert "memory until Shotline quits" in row.source.text()
    assert row.field.text() == ""

    row.remove_button.click()
    assert keyed_context.secrets.get("cloudy") is None
    assert "no key" in row.source.text()


def test_saving_preferences_keeps_the_recent_projects(
    app_context: AppContext, project_path: Path, tmp_path: Path
) -> None:
    private_settings(app_context, tmp_path / "settings")
    preferences.remember_recent(app_context, project_path)
    preferences.save_preferences(
        app_context, default_backend="animatic", default_model="", base_urls={}, poll_seconds=3, cache_size_mb=10
    )
    stored = app_context.settings_store.load()
    assert stored.poll_seconds == 3.0 and stored.cache_size_mb == 10
    assert stored.recent_projects[0] == str(project_path.resolve())
    assert preferences.recent_projects(app_context) == [project_path.resolve()]


def test_the_keys_dialog_tests_a_key_against_the_provider_without_blocking(
    qtbot, app_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeRunway(key="rw-good-key-0123456789") as fake:
        monkeypatch.setenv("SHOTLINE_RUNWAY_BASE_URL", fake.url)
        dialog = KeysDialog(app_context)
        qtbot.addWidget(dialog)
        dialog.show()
        row = dialog.rows["runway"]
        assert row.test_button.isEnabled()

        row.field.setText("rw-wrong-key-000000000")
        row.set_button.click()
        row.test_button.click()
        qtbot.waitUntil(lambda: row.test_button.text() == "Test", timeout=10_000)  # "Cancel" while it asks
        assert "did not work" in row.source.text()
        assert "Runway" in row.source.text() and "rw-wrong-key" not in row.source.text()

        row.field.setText("rw-good-key-0123456789")
        row.set_button.click()
        row.test_button.click()
        qtbot.waitUntil(lambda: "Key accepted" in row.source.text(), timeout=10_000)
        assert "12345 credits" in row.source.text()
        assert fake.count("GET", r"/v1/organization") == 2
        assert fake.count("POST", r"/v1/.*") == 0  # nothing generated, nothing billed
