"""find_ffmpeg's order (setting → PATH → bundled) and its message when there is none."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import imageio_ffmpeg
import pytest

from shotline.core.errors import ToolMissing
from shotline.media.locate import configure_pydub, find_ffmpeg


def _fake_tool(folder: Path) -> Path:
    tool = folder / "ffmpeg"
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool


def test_setting_wins(tmp_path: Path) -> None:
    tool = _fake_tool(tmp_path)
    assert find_ffmpeg(str(tool)) == tool


def test_path_then_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = _fake_tool(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_ffmpeg(str(tmp_path / "not-there")) == on_path
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_ffmpeg() == Path(imageio_ffmpeg.get_ffmpeg_exe())
    assert os.access(find_ffmpeg(), os.X_OK)


def test_none_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg"))
    get = imageio_ffmpeg.get_ffmpeg_exe
    if hasattr(get, "cache_clear"):
        get.cache_clear()
    try:
        with pytest.raises(ToolMissing, match="could not find ffmpeg"):
            find_ffmpeg()
    finally:
        monkeypatch.undo()
        if hasattr(get, "cache_clear"):
            get.cache_clear()


def test_configure_pydub() -> None:
    exe = find_ffmpeg()
    configure_pydub(exe)
    from pydub import AudioSegment  # after configuring: configure_pydub does the first, quietened import

    assert AudioSegment.converter == str(exe)
