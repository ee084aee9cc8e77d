"""App settings: defaults, atomic save and reload, damaged files never crash, env override of the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shotline.storage.settings import AppSettings, SettingsStore


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert SettingsStore(tmp_path / "nowhere").load() == AppSettings()


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "config")
    chosen = AppSettings(
        default_backend="runway",
        default_model="gen4_turbo",
        poll_seconds=2.5,
        ffmpeg_path="/opt/ffmpeg",
        base_urls={"openai": "http://127.0.0.1:9999/v1"},
        recent_projects=("/a/One.shotline", "/b/Two.shotline"),
        cache_size_mb=512,
    )
    store.save(chosen)
    assert store.load() == chosen
    assert json.loads(store.path.read_text())["recent_projects"] == ["/a/One.shotline", "/b/Two.shotline"]
    assert [p.name for p in store.folder.iterdir()] == ["settings.json"], "no temp files left"


@pytest.mark.parametrize("raw", [b"", b"\x00\x00\x00", b'{"poll_seconds": ', b"[1, 2]", b"\xff\xfe"])
def test_damaged_file_gives_defaults_and_a_warning(
    tmp_path: Path, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    store = SettingsStore(tmp_path)
    store.path.write_bytes(raw)
    assert store.load() == AppSettings()
    assert "using defaults" in caplog.text


def test_bad_values_fall_back_one_by_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SettingsStore(tmp_path)
    store.path.write_text(
        json.dumps({"poll_seconds": "fast", "cache_size_mb": 100, "base_urls": {"x": 5}, "unknown": True})
    )
    loaded = store.load()
    assert loaded == AppSettings(cache_size_mb=100)
    assert "poll_seconds" in caplog.text and "base_urls" in caplog.text


def test_env_variable_chooses_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOTLINE_CONFIG_DIR", str(tmp_path / "portable"))
    store = SettingsStore()
    assert store.folder == tmp_path / "portable"
    store.save(AppSettings(default_backend="fal"))
    assert SettingsStore(tmp_path / "portable").load().default_backend == "fal"


def test_recent_projects_move_to_top_and_stay_short() -> None:
    settings = AppSettings()
    for n in range(15):
        settings = settings.with_recent(f"/p/{n}.shotline")
    settings = settings.with_recent("/p/10.shotline")
    assert settings.recent_projects[0] == "/p/10.shotline"
    assert len(settings.recent_projects) == 10
    assert settings.recent_projects.count("/p/10.shotline") == 1


def test_the_cache_folder_round_trips_and_a_bad_one_is_ignored(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.save(AppSettings(cache_folder="/srv/shotline-cache"))
    assert store.load().cache_folder == "/srv/shotline-cache"
    (tmp_path / "settings.json").write_text('{"cache_folder": 7}')
    assert store.load().cache_folder == ""
