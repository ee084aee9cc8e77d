"""A take's file swapped after it came into the project (issue 13, classes 2–4): every use of it goes through one gate
(`services.media_files`), so the thumbnail, the waveform, the export and the players each refuse it, with a message
naming the file, and nothing outside the project is read — whatever it was swapped for.

Whether the clip outside was read is told by its access time, set to zero before (a read sets it to now). A
filesystem that keeps no access times (mounted noatime) leaves that part unchecked, and says so.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from shotline.core.errors import ShotlineError
from shotline.core.model import Size
from shotline.services import media_files, recent, thumbnails, waveforms
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from tests.clips import make_clip
from tests.media import hostile

pytestmark = pytest.mark.ffmpeg


def _playlist(clip: Path, outside: Path) -> None:
    hostile.hls_playlist(clip, outside, seconds=2)


def _concat(clip: Path, outside: Path) -> None:
    clip.write_text(f"ffconcat version 1.0\nfile {outside}\n")


def _link(clip: Path, outside: Path) -> None:
    clip.unlink()
    clip.symlink_to(outside)


def _pipe(clip: Path, outside: Path) -> None:
    clip.unlink()
    os.mkfifo(clip)


def _huge(clip: Path, outside: Path) -> None:
    hostile.claiming_size(make_clip(clip.with_name("plain.mp4"), seconds=1, size=(64, 48)), clip, 16000)


def _cut(clip: Path, outside: Path) -> None:
    whole = hostile.moov_first_clip(clip.with_name("whole.mp4"), seconds=2)
    hostile.cut(whole, clip, 0.5)


SWAPS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "an HLS playlist": (_playlist, "a playlist that names other files"),
    "an ffconcat list": (_concat, "a list that names other files"),
    "a link out": (_link, "outside the project"),
    "a pipe": (_pipe, "not a regular file"),
    "a 16000x16000 header": (_huge, "Shotline takes pictures up to 8192×8192"),
    "an MP4 cut at half": (_cut, "is incomplete"),
}


def _reads_are_seen(path: Path) -> bool:
    """Whether reading `path` sets its access time here (then resets it to zero)."""
    os.utime(path, (0, path.stat().st_mtime))
    path.read_bytes()
    seen = path.stat().st_atime != 0
    os.utime(path, (0, path.stat().st_mtime))
    return seen


@pytest.mark.parametrize("swap", list(SWAPS))
def test_a_swapped_take_is_refused_by_every_reader_and_nothing_outside_is_read(tmp_path: Path, swap: str) -> None:
    (tmp_path / "elsewhere").mkdir()
    outside = make_clip(tmp_path / "elsewhere" / "secret.ts", seconds=2, size=(64, 48), audio=(48_000, 1))
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(64, 48)) as session:
        import_files(session, [make_clip(tmp_path / "harbour.mp4", seconds=2, size=(64, 48), audio=(48_000, 1))])
        session.save()
        bundle, project = session.bundle, session.project
        take = project.shots[0].takes[0]
        clip = bundle.resolve(take.media)
        media_files.admitted_file(bundle, take.media)  # admitted as it came in: the swap is what is refused
        make, words = SWAPS[swap]
        make(clip, outside)
        watched = _reads_are_seen(outside)

        uses: dict[str, Callable[[], object]] = {
            "thumbnail": lambda: asyncio.run(thumbnails.make_thumbnail(bundle, take, 0, 64)),
            "waveform": lambda: waveforms.load_peaks(bundle, take.media),
            "export": lambda: media_files.check_lengths(project, bundle),
            "player": lambda: media_files.admitted_path(bundle, clip),
        }
        for use, run in uses.items():
            with pytest.raises(ShotlineError) as refused:
                run()
            assert words in str(refused.value), (use, str(refused.value))
        assert recent.read_recent(bundle.path).poster is None  # the welcome page's picture of the project
        if watched:
            assert outside.stat().st_atime == 0, "the clip outside the project was read"
