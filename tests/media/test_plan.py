"""plan_export and ffmpeg_argv are pure: checked on numbers and argv, no process runs."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from shotline.core.errors import EditError, MediaMissing
from shotline.core.model import ExportSettings, Fit, MediaInfo, Origin, Project, Shot, Size, Take, Trim
from shotline.media.plan import cover_size, ffmpeg_argv, fit_size, plan_export

NTSC = Fraction(30000, 1001)
VIDEO = MediaInfo(duration_us=10_000_000, has_video=True, has_audio=True, fps=Fraction(25), size=Size(320, 240))


def _project(tmp_path: Path, trims_us: list[int], info: MediaInfo = VIDEO, **shot: object) -> Project:
    shots = []
    for n, length in enumerate(trims_us):
        (tmp_path / f"{n}.mp4").write_bytes(b"x")
        take = Take(f"t{n}", f"{n}.mp4", Origin.IMPORTED, info, Trim(1000 * n, 1000 * n + length))
        shots.append(Shot(f"s{n}", "p", title=f"T{n}", takes=(take,), picked_take_id=take.id, **shot))  # type: ignore[arg-type]
    return Project("p", "test", shots=tuple(shots))


def test_segments_tile_the_timeline(tmp_path: Path) -> None:
    settings = ExportSettings(Size(640, 360), Fraction(24))
    plan = plan_export(_project(tmp_path, [1_000_000, 520_000, 2_010_000]), settings, lambda rel: tmp_path / rel)
    starts = [s.start_frame for s in plan.segments]
    assert starts == [0, 24, round(1_520_000 * 24 / 1e6)]
    assert [s.frames for s in plan.segments] == [24, starts[2] - 24, plan.frames - starts[2]]
    assert plan.frames == round(3_530_000 * 24 / 1e6)
    for seg in plan.segments:
        assert seg.start_sample == round(Fraction(seg.start_frame) * 48000 / 24)
    assert sum(s.samples for s in plan.segments) == plan.samples == round(Fraction(plan.frames) * 48000 / 24)
    assert plan.segments[1].source == tmp_path / "1.mp4"
    assert plan.duration_us == round(plan.frames * 1_000_000 / 24)


def test_no_drift_over_100_segments_at_ntsc(tmp_path: Path) -> None:
    lengths = [1_001_000 + 3_337 * (i % 7) for i in range(100)]  # lengths that are not whole frames
    settings = ExportSettings(Size(640, 360), NTSC)
    plan = plan_export(_project(tmp_path, lengths), settings, lambda rel: tmp_path / rel)
    total = sum(lengths)
    assert plan.frames == round(total * NTSC / 1_000_000)
    assert plan.samples == round(plan.frames * 48000 / NTSC)
    assert sum(s.frames for s in plan.segments) == plan.frames
    assert sum(s.samples for s in plan.segments) == plan.samples
    cumulative = 0
    for seg, length in zip(plan.segments, lengths, strict=True):
        # each segment starts within half a frame of where its shot starts on the exact timeline
        assert abs(seg.start_frame / NTSC - Fraction(cumulative, 1_000_000)) <= 1 / (2 * NTSC)
        # and its sound starts at the same instant as its picture, to within half a sample
        assert abs(Fraction(seg.start_sample, 48000) - seg.start_frame / NTSC) <= Fraction(1, 96000)
        cumulative += length


def test_shot_without_take(tmp_path: Path) -> None:
    project = _project(tmp_path, [1_000_000, 1_000_000])
    bare = Shot("s3", "p", title="Title")
    project = Project("p", "t", shots=(*project.shots, bare))
    with pytest.raises(
        EditError, match=r"^Shot 3 \(Title\) has no take yet; generate or import one before exporting\.$"
    ):
        plan_export(project, ExportSettings(Size(640, 360), Fraction(24)), lambda rel: tmp_path / rel)


def test_empty_project(tmp_path: Path) -> None:
    with pytest.raises(EditError, match="no shots"):
        plan_export(Project("p", "t"), ExportSettings(Size(640, 360), Fraction(24)), lambda rel: tmp_path / rel)


def test_missing_media(tmp_path: Path) -> None:
    project = _project(tmp_path, [1_000_000, 1_000_000])
    (tmp_path / "1.mp4").unlink()
    with pytest.raises(MediaMissing, match=r"Shot 2 \(T1\).*1\.mp4"):
        plan_export(project, ExportSettings(Size(640, 360), Fraction(24)), lambda rel: tmp_path / rel)


def test_argv_is_a_safe_list(tmp_path: Path) -> None:
    silent = MediaInfo(duration_us=5_000_000, has_video=True, has_audio=False, fps=Fraction(30), size=Size(320, 240))
    project = _project(tmp_path, [1_000_000, 2_000_000])
    first = project.shots[0]
    first = replace(first, takes=(replace(first.takes[0], info=silent),))
    project = replace(project, shots=(first, project.shots[1]))
    settings = ExportSettings(Size(640, 360), NTSC, preset="veryfast", crf=23)
    plan = plan_export(project, settings, lambda rel: tmp_path / rel)
    argv = ffmpeg_argv(plan, tmp_path / "out file.mp4", Path("/opt/ffmpeg"))
    assert argv[0] == "/opt/ffmpeg" and all(isinstance(a, str) for a in argv)
    inputs = [argv[i + 1] for i, a in enumerate(argv) if a == "-i"]
    assert inputs[0] == f"file:{tmp_path / '0.mp4'}" and inputs[-1] == f"file:{tmp_path / '1.mp4'}"
    assert inputs[1].startswith("anullsrc=r=48000")  # the silent clip gets generated silence
    assert argv[-2] == f"file:{tmp_path / 'out file.mp4'}"
    assert argv.count("-protocol_whitelist") == 2 and "file,pipe" in argv
    graph = argv[argv.index("-filter_complex") + 1]
    assert "fps=fps=30000/1001" in graph and "concat=a=1:n=2:v=1" in graph
    assert f"trim=end_frame={plan.segments[0].frames}" in graph
    assert f"atrim=end_sample={plan.segments[1].samples}" in graph
    assert "tpad=" in graph and "stop_mode=clone" in graph
    assert "scale=480:360" in graph and "pad=640:360:80:0:black" in graph
    opts = dict(zip(argv[argv.index("-map") :: 1][::2], argv[argv.index("-map") + 1 :: 2], strict=False))
    assert opts["-c:v"] == "libx264" and opts["-crf"] == "23" and opts["-preset"] == "veryfast"
    assert opts["-pix_fmt"] == "yuv420p" and opts["-r"] == "30000/1001" and opts["-fps_mode"] == "cfr"
    assert opts["-ar"] == "48000" and opts["-ac"] == "2" and opts["-movflags"] == "+faststart"
    # the second shot starts 1 ms into its clip: accurate seeking before its input
    second = argv.index(inputs[2])
    assert argv[second - 6 : second].count("-ss") == 1 and "0.001000" in argv[second - 6 : second]
    assert "-vsync" in ffmpeg_argv(plan, tmp_path / "o.mp4", Path("ff"), legacy_vsync=True)


def test_rotated_source_is_sized_from_display(tmp_path: Path) -> None:
    rotated = MediaInfo(5_000_000, True, True, Fraction(30), Size(320, 240), rotation=90)
    plan = plan_export(
        _project(tmp_path, [1_000_000], info=rotated),
        ExportSettings(Size(640, 360), Fraction(30)),
        lambda rel: tmp_path / rel,
    )
    graph = ffmpeg_argv(plan, tmp_path / "o.mp4", Path("ff"))
    assert "scale=270:360" in " ".join(graph)


@pytest.mark.parametrize(
    ("source", "frame", "fit", "cover"),
    [
        (Size(1920, 1080), Size(640, 360), (640, 360), (640, 360)),
        (Size(240, 320), Size(320, 180), (136, 180), (320, 428)),
        (Size(320, 240), Size(1920, 1080), (1440, 1080), (1920, 1440)),
        (Size(1080, 1920), Size(1080, 1080), (608, 1080), (1080, 1920)),
    ],
)
def test_fit_and_cover_sizes(source: Size, frame: Size, fit: tuple[int, int], cover: tuple[int, int]) -> None:
    assert fit_size(source, frame) == fit
    assert cover_size(source, frame) == cover


def test_fill_crops(tmp_path: Path) -> None:
    settings = ExportSettings(Size(320, 180), Fraction(30), fit=Fit.FILL)
    portrait = MediaInfo(5_000_000, True, False, Fraction(30), Size(240, 320))
    graph = " ".join(
        ffmpeg_argv(
            plan_export(_project(tmp_path, [500_000], info=portrait), settings, lambda rel: tmp_path / rel),
            tmp_path / "o.mp4",
            Path("ff"),
        )
    )
    assert "scale=320:428" in graph and "crop=320:180:0:124" in graph and "]pad=" not in graph
