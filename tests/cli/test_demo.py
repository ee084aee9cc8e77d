"""`shotline demo --export out.mp4` — the README's first command — makes a playable film of the demo script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.shotline_cli import info, ok, probe_export, shotline

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]


def test_demo_export_matches_the_sum_of_its_shots(tmp_path: Path) -> None:
    ok("demo", "--export", "out.mp4", cwd=tmp_path)
    out = tmp_path / "out.mp4"
    report = info(tmp_path / "shotline-demo.shotline")
    assert len(report["shots"]) >= 3 and all(shot["picked_take"] for shot in report["shots"])
    expected = sum(shot["duration_us"] for shot in report["shots"]) / 1e6

    measured = probe_export(out)
    frame = 1 / float(measured.fps)
    assert measured.video_codec == "h264" and measured.audio_codec == "aac"
    assert abs(measured.video_seconds - expected) <= frame
    assert abs(measured.audio_seconds - expected) <= frame

    # Running it again reuses the project instead of failing or rendering again.
    ok("demo", "--export", "again.mp4", cwd=tmp_path)
    assert len(info(tmp_path / "shotline-demo.shotline")["shots"]) == len(report["shots"])
    assert len(list((tmp_path / "shotline-demo.shotline" / "media").iterdir())) == len(report["shots"])


def test_the_demo_replaces_its_own_earlier_film_and_nothing_else(tmp_path: Path) -> None:
    ok("demo", "--export", "demo.mp4", cwd=tmp_path)
    ok("demo", "--export", "demo.mp4", cwd=tmp_path)  # the README's Run command, run again

    mine = tmp_path / "mine.mp4"
    mine.write_bytes(b"the creator's own film")
    refused = shotline("demo", "--export", mine, cwd=tmp_path)
    assert refused.code == 1 and "already exists" in refused.err and "--overwrite" in refused.err, refused.err
    assert mine.read_bytes() == b"the creator's own film"
    ok("demo", "--export", mine, "--overwrite", cwd=tmp_path)
    assert probe_export(mine).video_codec == "h264"
