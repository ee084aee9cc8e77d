"""plan_export, encode_argv and mux_argv are pure: checked on numbers and argv, no process runs."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from shotline.core.errors import EditError, MediaMissing
from shotline.core.model import (
    Codec,
    ExportSettings,
    Fit,
    GenerationRecord,
    MediaInfo,
    Origin,
    Project,
    Shot,
    Size,
    Take,
    Transition,
    TransitionKind,
    Trim,
)
from shotline.core.timeline import crossfades, film_frames
from shotline.media.encode import encode_argv, mux_argv
from shotline.media.encoders import Encoder, software
from shotline.media.plan import RenderPlan, plan_export, shot_window
from shotline.media.video_graph import cover_size, fit_size, pad_size


def ffmpeg_argv(plan: RenderPlan, output: Path, exe: Path, *, legacy_vsync: bool = False) -> list[str]:
    return encode_argv(plan, output, exe, encoder=software(plan.settings.codec), legacy_vsync=legacy_vsync)


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


def test_missing_media_is_named_as_the_creator_knows_it_never_by_its_stored_name(tmp_path: Path) -> None:
    project = _project(tmp_path, [1_000_000, 1_000_000])
    first, second = (shot.takes[0] for shot in project.shots)
    generated = GenerationRecord("job-1", "runway", "gen4_turbo")
    takes = (replace(first, source_name="harbour.mov"), replace(second, generation=generated))
    project = replace(project, shots=tuple(replace(s, takes=(t,)) for s, t in zip(project.shots, takes, strict=True)))
    settings = ExportSettings(Size(640, 360), Fraction(24))
    for stored, named in (("1.mp4", "its take generated by runway (gen4_turbo)"), ("0.mp4", "its clip harbour.mov")):
        (tmp_path / stored).unlink()
        with pytest.raises(MediaMissing, match=re.escape(named)) as missing:
            plan_export(project, settings, lambda rel: tmp_path / rel)
        assert stored not in str(missing.value)


def test_argv_is_a_safe_list(tmp_path: Path) -> None:
    project = _project(tmp_path, [1_000_000, 2_000_000])
    settings = ExportSettings(Size(640, 360), NTSC, preset="veryfast", crf=23)
    plan = plan_export(project, settings, lambda rel: tmp_path / rel)
    argv = ffmpeg_argv(plan, tmp_path / "out file.mp4", Path("/opt/ffmpeg"))
    assert argv[0] == "/opt/ffmpeg" and all(isinstance(a, str) for a in argv)
    inputs = [argv[i + 1] for i, a in enumerate(argv) if a == "-i"]
    assert inputs == [f"file:{tmp_path / '0.mp4'}", f"file:{tmp_path / '1.mp4'}"]
    assert argv[-2] == f"file:{tmp_path / 'out file.mp4'}"
    # each take is read as one local file, in a container on the allow-list, by decoders with a size limit
    for source in inputs:
        before = argv[argv.index(source) - 10 : argv.index(source)]
        given = {flag: before[at + 1] for at, flag in enumerate(before[:-1]) if flag.startswith("-")}
        assert given["-protocol_whitelist"] == "file" and given["-max_pixels"] == str(8192 * 8192)
        assert "mov" in given["-format_whitelist"].split(",") and "hls" not in given["-format_whitelist"]
    graph = argv[argv.index("-filter_complex") + 1]
    assert "fps=fps=30000/1001" in graph and "concat=a=0:n=2:v=1" in graph and "xfade" not in graph
    assert f"trim=end_frame={plan.segments[0].frames}" in graph
    assert "tpad=" in graph and "stop_mode=add" in graph and "color=black" in graph  # past its picture: black
    assert "scale=480:360" in graph and "pad=640:360:80:0:black" in graph
    assert argv.count("-map") == 1 and argv[-3] == "-an"  # the picture alone: the sound is encoded on its own
    options = argv[argv.index("-c:v") : -3]
    opts = dict(zip(options[::2], options[1::2], strict=True))
    assert opts["-c:v"] == "libx264" and opts["-crf"] == "23" and opts["-preset"] == "veryfast"
    assert opts["-pix_fmt"] == "yuv420p" and opts["-r"] == "30000/1001" and opts["-fps_mode"] == "cfr"
    assert "-c:a" not in argv
    # the second shot starts 1 ms into its clip: read on the clip's own timestamps from its start (a seek would land
    # before it), and cut in the graph on the take's clock (with the frame tolerance)
    second = argv.index(inputs[1])
    before = argv[second - 10 : second]
    assert "-ss" not in before and {"-copyts", "-noaccurate_seek"} <= set(before)
    assert "setpts=round(PTS-0.002000000/TB)" in graph
    assert "-vsync" in ffmpeg_argv(plan, tmp_path / "o.mp4", Path("ff"), legacy_vsync=True)


@pytest.mark.parametrize(
    ("codec", "suffix", "video"),
    [
        (Codec.H264, ".mov", ["-c:v libx264"]),
        (Codec.H265, ".mp4", ["-c:v libx265", "-tag:v hvc1"]),
        (Codec.PRORES, ".mov", ["-c:v prores_ks -profile:v 2", "-pix_fmt yuv422p10le"]),
    ],
)
def test_each_codec_writes_its_picture(tmp_path: Path, codec: Codec, suffix: str, video: list[str]) -> None:
    plan = plan_export(
        _project(tmp_path, [1_000_000]), ExportSettings(Size(640, 360), Fraction(24), codec=codec), tmp_path.joinpath
    )
    line = " ".join(ffmpeg_argv(plan, tmp_path / f"o{suffix}", Path("ff")))
    assert all(part in line for part in video) and "-c:a" not in line


def test_the_mux_copies_picture_and_sound_into_the_film_with_its_tags(tmp_path: Path) -> None:
    picture, sound, film = tmp_path / "p.mp4", tmp_path / "s.m4a", tmp_path / "film.mp4"
    argv = mux_argv(picture, sound, film, Path("ff"), metadata={"comment": "made with Shotline"})
    inputs = [argv[i + 1] for i, a in enumerate(argv) if a == "-i"]
    assert inputs == [f"file:{picture}", f"file:{sound}"] and argv[-1] == f"file:{film}"
    assert argv.count("-protocol_whitelist") == 2 and argv[argv.index("-protocol_whitelist") + 1] == "file"
    line = " ".join(argv)
    assert "-map 0:v:0 -map 1:a:0 -c copy" in line and "-movflags +faststart" in line
    assert "-metadata comment=made with Shotline" in line
    assert "-movflags" not in mux_argv(picture, sound, tmp_path / "film.mkv", Path("ff"))


def test_hardware_encoder_families_get_their_options() -> None:
    settings = ExportSettings(Size(640, 360), Fraction(24), crf=21)
    nvenc = Encoder("h264_nvenc", Codec.H264)
    assert nvenc.hardware and nvenc.family == "nvenc"
    assert nvenc.output_args(settings)[:8] == ["-c:v", "h264_nvenc", "-preset", "p4", "-rc", "vbr", "-cq", "21"]
    qsv = Encoder("hevc_qsv", Codec.H265).output_args(settings)
    assert qsv[qsv.index("-global_quality") + 1] == "21" and qsv[-2:] == ["-tag:v", "hvc1"]
    vaapi = Encoder("h264_vaapi", Codec.H264)
    assert vaapi.device_args() == ["-vaapi_device", "/dev/dri/renderD128"]
    assert vaapi.upload_filter() == ("format=nv12", "hwupload") and "-qp" in vaapi.output_args(settings)
    toolbox = Encoder("h264_videotoolbox", Codec.H264).output_args(settings)
    assert toolbox[toolbox.index("-q:v") + 1] == "58"
    assert not software(Codec.H264).hardware and software(Codec.H264).device_args() == []


def test_vaapi_uploads_at_the_end_of_the_picture_and_opens_its_device_first(tmp_path: Path) -> None:
    plan = plan_export(_project(tmp_path, [1_000_000]), ExportSettings(Size(640, 360), Fraction(24)), tmp_path.joinpath)
    argv = encode_argv(plan, tmp_path / "o.mp4", Path("ff"), encoder=Encoder("h264_vaapi", Codec.H264))
    assert argv[1:3] == ["-vaapi_device", "/dev/dri/renderD128"]
    graph = argv[argv.index("-filter_complex") + 1]
    assert re.search(r"format=nv12\[s\d+\];\[s\d+\]hwupload\[s\d+\]$", graph), graph


def _crossfaded(tmp_path: Path, trims_us: list[int], fades_us: list[int]) -> Project:
    project = _project(tmp_path, trims_us)
    shots = list(project.shots)
    for index, fade in enumerate(fades_us):
        if fade:
            shots[index] = replace(shots[index], transition_out=Transition(TransitionKind.CROSSFADE, fade))
    return replace(project, shots=tuple(shots))


def test_crossfades_overlap_segments_on_the_grid(tmp_path: Path) -> None:
    # 2 s, 1.5 s, 1 s; 0.5 s crossfade into shot 2, a cut into shot 3
    project = _crossfaded(tmp_path, [2_000_000, 1_500_000, 1_000_000], [500_000, 0])
    plan = plan_export(project, ExportSettings(Size(640, 360), Fraction(24)), tmp_path.joinpath)
    first, second, third = plan.segments
    assert (first.start_frame, first.frames, first.crossfade_out_frames) == (0, 48, 12)
    assert (second.start_frame, second.frames, second.crossfade_in_frames) == (36, 36, 12)
    assert second.crossfade_out_frames == 0 and third.crossfade_in_frames == 0
    assert third.start_frame == second.end_frame == 72 and plan.frames == 96
    assert plan.frames == film_frames(project, Fraction(24))
    assert (first.crossfade_out_samples, second.crossfade_in_samples) == (24_000, 24_000)
    assert second.start_sample == 72_000 and first.end_sample == 96_000
    assert plan.samples == 192_000 and plan.window == Trim(0, 4_000_000)
    graph = " ".join(ffmpeg_argv(plan, tmp_path / "o.mp4", Path("ff")))
    assert "xfade=duration=0.500000:offset=1.500000:transition=fade" in graph
    assert "concat=a=0:n=2:v=1" in graph  # the crossfaded pair, then a cut to shot 3


def test_crossfade_shorter_than_a_frame_is_a_cut(tmp_path: Path) -> None:
    project = _crossfaded(tmp_path, [1_000_000, 1_000_000], [10_000])
    plan = plan_export(project, ExportSettings(Size(640, 360), Fraction(24)), tmp_path.joinpath)
    assert [s.crossfade_in_frames for s in plan.segments] == [0, 0]
    assert plan.segments[1].start_frame == plan.segments[0].end_frame == 24


def test_range_cuts_the_first_and_last_shot(tmp_path: Path) -> None:
    project = _project(tmp_path, [1_000_000, 1_000_000, 1_000_000])  # trims start 0, 1 ms, 2 ms into the clips
    settings = ExportSettings(Size(640, 360), Fraction(25), range=Trim(520_000, 2_200_000))
    plan = plan_export(project, settings, tmp_path.joinpath)
    assert plan.window == Trim(520_000, 2_200_000)
    assert plan.frames == 42 and plan.samples == 1_680_000 * 48 // 1000
    assert [s.shot_id for s in plan.segments] == ["s0", "s1", "s2"]
    assert [s.trim for s in plan.segments] == [
        Trim(520_000, 1_000_000),
        Trim(1_000, 1_001_000),
        Trim(2_000, 202_000),
    ]
    assert [(s.start_frame, s.frames) for s in plan.segments] == [(0, 12), (12, 25), (37, 5)]
    assert sum(s.frames for s in plan.segments) == plan.frames
    assert sum(s.samples for s in plan.segments) == plan.samples


def test_range_outside_the_shots_leaves_them_out_and_is_clamped(tmp_path: Path) -> None:
    project = _project(tmp_path, [1_000_000, 1_000_000, 1_000_000])
    plan = plan_export(
        project, ExportSettings(Size(640, 360), Fraction(25), range=Trim(1_000_000, 9_000_000)), tmp_path.joinpath
    )
    assert [s.shot_id for s in plan.segments] == ["s1", "s2"] and plan.window == Trim(1_000_000, 3_000_000)
    assert plan.segments[0].start_frame == 0 and plan.frames == 50
    with pytest.raises(EditError, match=r"holds no picture \(the film lasts 00:00:03.000 \(75 frames at 25 fps\)\)"):
        plan_export(
            project, ExportSettings(Size(640, 360), Fraction(25), range=Trim(5_000_000, 6_000_000)), tmp_path.joinpath
        )


def test_one_shot_window_leaves_out_its_crossfading_neighbours(tmp_path: Path) -> None:
    project = _crossfaded(tmp_path, [2_000_000, 1_500_000, 2_000_000], [500_000, 400_000])
    window = shot_window(project, "s1")
    assert window == Trim(1_500_000, 3_000_000)
    plan = plan_export(project, ExportSettings(Size(640, 360), Fraction(24), range=window), tmp_path.joinpath)
    assert [s.shot_id for s in plan.segments] == ["s1"]
    (only,) = plan.segments
    assert only.trim == project.shots[1].takes[0].trim and only.crossfade_in_frames == only.crossfade_out_frames == 0
    assert (only.start_frame, only.frames, plan.frames) == (0, 36, 36)


def test_range_starting_inside_a_crossfade_starts_on_the_incoming_shot(tmp_path: Path) -> None:
    project = _crossfaded(tmp_path, [2_000_000, 2_000_000], [1_000_000])  # shot 2 starts at 1 s
    plan = plan_export(
        project, ExportSettings(Size(640, 360), Fraction(25), range=Trim(1_200_000, 2_600_000)), tmp_path.joinpath
    )
    assert [s.shot_id for s in plan.segments] == ["s1"]
    assert plan.segments[0].trim == Trim(1_000 + 200_000, 1_000 + 1_600_000) and plan.frames == 35
    ends_inside = plan_export(
        project, ExportSettings(Size(640, 360), Fraction(25), range=Trim(0, 1_500_000)), tmp_path.joinpath
    )
    assert [s.shot_id for s in ends_inside.segments] == ["s0"] and ends_inside.segments[0].trim == Trim(0, 1_500_000)


def test_audio_only_codec_still_plans(tmp_path: Path) -> None:
    plan = plan_export(
        _project(tmp_path, [1_000_000, 500_000]),
        ExportSettings(Size(640, 360), Fraction(24), codec=Codec.WAV),
        tmp_path.joinpath,
    )
    assert len(plan.segments) == 2 and plan.samples == 72_000


def test_pad_keeps_the_source_size_unless_it_would_not_fit(tmp_path: Path) -> None:
    assert pad_size(Size(320, 240), Size(1920, 1080)) == (320, 240)
    assert pad_size(Size(321, 241), Size(1920, 1080)) == (320, 240)
    assert pad_size(Size(3840, 2160), Size(1920, 1080)) == (1920, 1080)
    assert pad_size(Size(1080, 1920), Size(1920, 1080)) == fit_size(Size(1080, 1920), Size(1920, 1080))
    settings = ExportSettings(Size(640, 360), Fraction(24), fit=Fit.PAD)
    graph = " ".join(
        ffmpeg_argv(
            plan_export(_project(tmp_path, [500_000]), settings, tmp_path.joinpath), tmp_path / "o.mp4", Path("ff")
        )
    )
    assert "scale=320:240" in graph and "pad=640:360:160:60:black" in graph


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


def test_a_repeated_shot_reads_its_clip_once_and_splits_it(tmp_path: Path) -> None:
    project = _project(tmp_path, [1_000_000])
    project = replace(project, shots=(project.shots[0], replace(project.shots[0], id="again"), project.shots[0]))
    argv = ffmpeg_argv(
        plan_export(project, ExportSettings(Size(640, 360), Fraction(24)), tmp_path.joinpath),
        tmp_path / "o.mp4",
        Path("ff"),
    )
    inputs = [argv[i + 1] for i, a in enumerate(argv) if a == "-i"]
    assert inputs == [f"file:{tmp_path / '0.mp4'}"]
    graph = argv[argv.index("-filter_complex") + 1]
    assert "split=3" in graph and "concat=a=0:n=3:v=1" in graph


def test_the_plan_renders_exactly_the_films_frames_and_crossfades(tmp_path: Path) -> None:
    """Random films of clips at mixed rates, some joined by crossfades: the plan's frames, its last segment's end
    and every blend are what `film_frames` and `crossfades` say (one answer for the film's length)."""
    rng = random.Random(11)
    for _ in range(200):
        rates = [rng.choice([Fraction(24), Fraction(25), Fraction(30), NTSC, Fraction(50)]) for _ in range(4)]
        project = _project(tmp_path, [0] * len(rates))
        shots = []
        for shot, rate in zip(project.shots, rates, strict=True):
            frames = rng.randint(12, 150)  # whole source frames, as a probe finds them
            length = round(frames * Fraction(1_000_000) / rate)
            info = replace(VIDEO, fps=rate, duration_us=length)
            take = replace(shot.takes[0], info=info, trim=Trim(0, length))
            fade = rng.choice([0, 0, 1_000, 40_000, 500_000, 1_000_000])
            shots.append(replace(shot, takes=(take,), transition_out=Transition(TransitionKind.CROSSFADE, fade)))
        project = replace(project, shots=tuple(shots))
        fps = rng.choice([Fraction(24), Fraction(25), NTSC])
        plan = plan_export(project, ExportSettings(Size(640, 360), fps), tmp_path.joinpath)
        assert plan.frames == plan.segments[-1].end_frame == film_frames(project, fps)
        planned = [(s.shot_id, s.crossfade_in_frames) for s in plan.segments if s.crossfade_in_frames]
        assert planned == [(blend.incoming.shot.id, blend.frames) for blend in crossfades(project, fps)]
