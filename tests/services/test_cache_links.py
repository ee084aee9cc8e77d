"""A project's cache holds only what Shotline wrote there (issue 13, class 2): a link under a cached thumbnail's,
waveform's or preview mix's name (a hand-made project folder can hold anything) is never read back or shown — the
picture, peaks or mix is made again, replacing the link — and what it pointed to is left as it was."""

from __future__ import annotations

import asyncio
import os
import struct
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

from shotline.core.model import Size
from shotline.media.waveform import Peaks
from shotline.services import mix_preview, recent, take_loudness, thumbnails, waveforms
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


def _linked(cache_file: Path, elsewhere: Path) -> bytes:
    """Put a link to `elsewhere` at `cache_file`; the bytes it points to, to check they stay as they are."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.unlink(missing_ok=True)
    cache_file.symlink_to(elsewhere)
    return elsewhere.read_bytes()


def test_links_in_the_cache_are_made_again_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    photo = outside / "private.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a private photograph")
    marker = Peaks(100, array("f", [-0.125] * 7), array("f", [0.25] * 7))
    peaks_file = outside / "notes.peaks"
    peaks_file.write_bytes(marker.to_bytes())  # valid peaks: read back, they would be drawn
    clip = make_clip(tmp_path / "harbour.mp4", seconds=1, size=(160, 90), audio=(48_000, 1), beep_at=0.5)
    path = tmp_path / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90)) as session:
        import_files(session, [clip])
        session.save()
        bundle, take = session.bundle, session.project.shots[0].takes[0]

        at_us = take.trim.in_us + take.trim.duration_us // 2
        for dest in (
            thumbnails.thumbnail_path(bundle, take, 0, 96),
            thumbnails.thumbnail_path(bundle, take, at_us, recent.POSTER_WIDTH),
        ):
            _linked(dest, photo)
        made = asyncio.run(thumbnails.make_thumbnail(bundle, take, 0, 96))
        assert not made.is_symlink() and made.read_bytes()[:3] == b"\xff\xd8\xff" and made.read_bytes() != b""
        assert made.read_bytes() != photo.read_bytes()

        _linked(waveforms.waveform_path(bundle, take.media), peaks_file)
        assert waveforms.cached_peaks(bundle, take.media) is None
        assert waveforms.load_peaks(bundle, take.media) != marker
        assert not waveforms.waveform_path(bundle, take.media).is_symlink()

        preview = mix_preview.preview_path(
            bundle, mix_preview.preview_key(mix_preview.preview_mix_of(session.project, bundle))
        )
        song = outside / "song.wav"
        song.write_bytes(b"RIFF not the mix")
        _linked(preview, song)
        assert mix_preview.preview_mix(session.project, bundle) == preview and not preview.is_symlink()

    poster = recent.read_recent(path).poster
    assert poster is not None and not poster.is_symlink() and poster.read_bytes() != photo.read_bytes()
    assert photo.read_bytes() == b"\xff\xd8\xff\xe0 a private photograph"
    assert peaks_file.read_bytes() == marker.to_bytes() and song.read_bytes() == b"RIFF not the mix"


_PEAKS_IN_A_CHILD = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from shotline.services import waveforms
from shotline.services.session import ProjectSession
with ProjectSession.open(Path(sys.argv[1])) as session:
    media = session.project.shots[0].takes[0].media
    print(waveforms.cached_peaks(session.bundle, media), waveforms.load_peaks(session.bundle, media).loudest_bucket())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="address-space limits and sparse files are POSIX")
def test_a_huge_file_under_a_cached_waveforms_name_is_read_no_further_than_peaks_can_be(tmp_path: Path) -> None:
    """A 6 GB sparse file where a take's peaks are cached: it was read whole (6 GB of memory); peaks are never
    larger than a day's (69 MB), so it is read no further, called damaged and decoded again. In a child whose
    memory is limited, so a whole read would end there."""
    clip = make_clip(tmp_path / "harbour.mp4", seconds=1, size=(160, 90), audio=(48_000, 1), beep_at=0.5)
    path = tmp_path / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90)) as session:
        import_files(session, [clip])
        session.save()
        cache_file = waveforms.waveform_path(session.bundle, session.project.shots[0].takes[0].media)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    with cache_file.open("wb") as sparse:
        sparse.truncate(6 << 30)
    done = subprocess.run(
        [sys.executable, "-c", _PEAKS_IN_A_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "None" and 40 <= int(done.stdout.split()[1]) <= 70, done.stdout


_LEVELS_IN_A_CHILD = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from shotline.services import take_loudness
from shotline.services.session import ProjectSession
with ProjectSession.open(Path(sys.argv[1])) as session:
    clip = session.bundle.resolve(session.project.shots[0].takes[0].media)
    print(len(take_loudness.load_levels(session.bundle, clip, 48_000, 2)))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="address-space limits and sparse files are POSIX")
@pytest.mark.parametrize("planted", ["a link to a file elsewhere", "a 6 GB sparse file"])
def test_what_is_planted_under_a_cached_loudness_name_is_measured_again(tmp_path: Path, planted: str) -> None:
    """The export's cached loudness cells (cache/loudness) are read back as the waveforms are: a link there was
    followed to a file elsewhere, and a huge file read whole (a MemoryError under a 1 GiB limit)."""
    clip = make_clip(tmp_path / "harbour.mp4", seconds=1, size=(160, 90), audio=(48_000, 2), beep_at=0.5)
    path = tmp_path / "film.shotline"
    with ProjectSession.create(path, size=Size(160, 90)) as session:
        import_files(session, [clip])
        session.save()
        bundle = session.bundle
        dest = take_loudness.levels_path(bundle, bundle.resolve(session.project.shots[0].takes[0].media), 48_000, 2)
    dest.unlink(missing_ok=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    elsewhere = tmp_path / "elsewhere.levels"
    if planted.startswith("a link"):
        elsewhere.write_bytes(struct.pack("<8sIII", b"SLLEVEL1", 48_000, 2, 0))  # no cells: read back, they are used
        dest.symlink_to(elsewhere)
    else:
        with dest.open("wb") as sparse:
            sparse.truncate(6 << 30)
    done = subprocess.run(
        [sys.executable, "-c", _LEVELS_IN_A_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 90, done.stdout  # a second of cells, measured from the clip itself
    assert not dest.is_symlink()
