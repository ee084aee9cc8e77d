"""Waveform peaks are decoded once per media file and then read back from the project's cache folder."""

from __future__ import annotations

import os
from array import array
from pathlib import Path

import pytest

from shotline.core.model import Size
from shotline.jobs.runner import AsyncRunner
from shotline.media.waveform import Peaks
from shotline.services import waveforms
from shotline.services.session import ProjectSession
from tests.clips import make_clip

pytestmark = pytest.mark.ffmpeg


def test_the_second_call_reads_the_cache_file_instead_of_decoding(tmp_path: Path) -> None:
    wav = make_clip(tmp_path / "beep.wav", seconds=1, video=False, audio=(48_000, 1), beep_at=0.5)
    with ProjectSession.create(tmp_path / "p.shotline", title="t", size=Size(320, 180)) as session:
        bundle = session.bundle
        media = bundle.import_media(wav)
        assert waveforms.cached_peaks(bundle, media) is None
        with AsyncRunner() as runner:
            first = runner.run(waveforms.make_peaks(bundle, media), timeout=30)  # off the calling thread
        assert 49 <= first.loudest_bucket() <= 51
        cache_file = waveforms.waveform_path(bundle, media)
        assert cache_file.is_file() and cache_file.parent.parent == bundle.cache_dir
        assert waveforms.cached_peaks(bundle, media) == first

        # Put different (but valid) peaks in the cache file: a second call that decoded again would not see them.
        marker = Peaks(100, array("f", [-0.125] * 7), array("f", [0.25] * 7))
        cache_file.write_bytes(marker.to_bytes())
        assert waveforms.load_peaks(bundle, media) == marker


def test_a_changed_file_or_a_damaged_cache_is_decoded_again(tmp_path: Path) -> None:
    wav = make_clip(tmp_path / "beep.wav", seconds=1, video=False, audio=(48_000, 1), beep_at=0.2)
    with ProjectSession.create(tmp_path / "p.shotline", title="t", size=Size(320, 180)) as session:
        bundle = session.bundle
        media = bundle.import_media(wav)
        first = waveforms.load_peaks(bundle, media)
        old_cache = waveforms.waveform_path(bundle, media)

        source = bundle.resolve(media)
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # replaced in place, say
        assert waveforms.waveform_path(bundle, media) != old_cache
        assert waveforms.cached_peaks(bundle, media) is None

        waveforms.waveform_path(bundle, media).parent.mkdir(parents=True, exist_ok=True)
        waveforms.waveform_path(bundle, media).write_bytes(b"garbage")
        assert waveforms.load_peaks(bundle, media) == first  # decoded again, and the cache repaired
        assert waveforms.cached_peaks(bundle, media) == first
