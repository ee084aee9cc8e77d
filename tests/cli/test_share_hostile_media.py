"""A shared project whose files are not what an import would take is refused whole, as an import of them would be.

A playlist saved as a take's `media/clip0.mp4` (or as a shot's `media/first.png`) unpacked without a word, and the
viewer, which plays a take's file as it is, would then read the files the playlist names. Random bytes under a
clip's name (a damaged clip of one's own) are still let in: FFmpeg reads nothing else for them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shotline.storage.bundle import ProjectBundle
from shotline.storage.sharing import pack
from tests.cli.shotline_cli import shotline
from tests.clips import padded_clip
from tests.storage.projects import sample_project


def _archive(folder: Path, hostile: str) -> Path:
    """A shared archive of the sample project, its pictures and sound random bytes, its clips padded real ones, and
    `hostile` a playlist naming a file outside the project."""
    outside = folder / "outside.mp4"
    outside.write_bytes(os.urandom(4096))
    project = sample_project()
    path = folder / "Harbour.shotline"
    with ProjectBundle.create(path, project):
        for rel in project.media_paths():
            if rel.endswith((".mp4", ".mov")):
                padded_clip(path / rel, 4096)  # random bytes alone are now and then probed as another format
            else:
                (path / rel).write_bytes(os.urandom(4096))
        (path / hostile).write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{outside}\n#EXT-X-ENDLIST\n")
    return pack(path, folder / "Harbour.shotline.zip")


@pytest.mark.parametrize(
    ("hostile", "named"),
    [("media/clip0.mp4", "take 1 of shot 1 ('Shot 0')"), ("media/first.png", "the first frame of shot 1 ('Shot 0')")],
)
def test_a_shared_playlist_is_refused_and_nothing_is_unpacked(tmp_path: Path, hostile: str, named: str) -> None:
    archive = _archive(tmp_path, hostile)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    result = shotline("unpack", archive, "--to", inbox)
    assert result.code == 1, result.err
    said = " ".join(result.err.split())
    assert f"Harbour.shotline.zip was not opened: {named} ({hostile})" in said, said
    assert "playlist" in said and "Traceback" not in said
    assert list(inbox.iterdir()) == []


def test_damaged_files_under_a_clips_name_are_let_in(tmp_path: Path) -> None:
    archive = _archive(tmp_path, "media/unused.mp4")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    result = shotline("unpack", archive, "--to", inbox)
    assert result.code == 0, result.err
    assert [p.name for p in inbox.iterdir()] == ["Harbour.shotline"]
