"""The lossless fast path, measured on real clips: copied packets equal the source's byte for byte, and every
condition that needs a re-encode is caught with its reason."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from shotline.core import audio_edits, edits
from shotline.core.model import (
    MUSIC_LANE,
    AudioClip,
    Codec,
    ExportSettings,
    Project,
    Size,
    Transition,
    TransitionKind,
    Trim,
    new_id,
)
from shotline.media.lossless import decide, render_copy, snap_suggestions
from shotline.media.plan import RenderPlan, plan_export
from shotline.media.probe import probe
from shotline.media.render import ExportReport, render
from tests.clips import ffmpeg_exe, make_clip, run
from tests.media.numbered import burst_time
from tests.media.timeline import project_of

pytestmark = pytest.mark.ffmpeg

SIZE = Size(320, 180)
FPS = Fraction(24)
SECONDS = 4
GOP_US = 1_000_000
"""The clips have a keyframe every 24 frames: at 0, 1, 2 and 3 s."""


def gop_clip(
    path: Path, *, colour: str = "testsrc2", codec: str = "libx264", size: Size = SIZE, sound: bool = True
) -> Path:
    """A clip with B-frames (so decoding order differs from display order) and a keyframe every second."""
    picture = (
        f"testsrc2=size={size}:rate=24:duration={SECONDS}"
        if colour == "testsrc2"
        else f"color=c={colour}:size={size}:rate=24:duration={SECONDS}"
    )
    tone = ["-f", "lavfi", "-i", f"sine=f=440:r=48000:d={SECONDS}"] if sound else []
    run(
        ["-f", "lavfi", "-i", picture, *tone]
        + ["-c:v", codec, "-preset", "veryfast", "-bf", "2", "-g", "24", "-keyint_min", "24", "-pix_fmt", "yuv420p"]
        + (["-sc_threshold", "0"] if codec == "libx264" else ["-x265-params", "log-level=error:open-gop=0"])
        + (["-c:a", "aac", "-ac", "2"] if sound else [])
        + [str(path)]
    )
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lossless")
    media = root / "media"
    media.mkdir()
    for name, colour in (("a", "testsrc2"), ("b", "navy"), ("c", "olive")):
        gop_clip(media / f"{name}.mp4", colour=colour)
    return root


def media(folder: Path, name: str) -> Path:
    return folder / "media" / name


def on_keyframes(folder: Path) -> Project:
    """Three shots cut on keyframes: a 1–3 s, b 0–2 s, c 2 s to its end."""
    project = project_of(
        [
            (media(folder, "a.mp4"), Trim(1 * GOP_US, 3 * GOP_US)),
            (media(folder, "b.mp4"), Trim(0, 2 * GOP_US)),
            (media(folder, "c.mp4"), None),
        ],
        folder,
    )
    last = project.shots[2]
    return edits.trim_shot(project, last.id, 2 * GOP_US, probe(media(folder, "c.mp4")).duration_us)


def settings(**changes: object) -> ExportSettings:
    return replace(ExportSettings(SIZE, FPS, loudness_lufs=None), **changes)  # type: ignore[arg-type]


def plan_of(project: Project, folder: Path, export: ExportSettings | None = None) -> RenderPlan:
    return plan_export(project, export or settings(), lambda rel: folder / rel)


def video_packets(path: Path, start_us: int = 0, end_us: int | None = None) -> list[bytes]:
    """The payloads of the video packets shown in [start_us, end_us), in decoding order."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        assert video.time_base is not None
        chosen = []
        for packet in container.demux(video):
            if packet.pts is None:
                continue
            shown_us = packet.pts * video.time_base * 1_000_000
            if shown_us >= start_us and (end_us is None or shown_us < end_us):
                chosen.append(bytes(packet))
        return chosen


def decoded_samples(path: Path) -> int:
    """How many samples of sound ffmpeg plays from `path` (the AAC encoder's priming and padding left out, as the
    file's edit list says: PyAV's decoder would count them)."""
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a", "-f", "s16le", "-ac", "1", "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return len(done.stdout) // 2


def test_a_keyframe_cut_export_copies_the_packets_byte_for_byte(folder: Path, tmp_path: Path) -> None:
    project = on_keyframes(folder)
    plan = plan_of(project, folder)
    decision = decide(project, plan)
    assert decision.lossless, decision.reasons

    out = tmp_path / "film.mp4"
    fractions: list[float] = []
    asyncio.run(render_copy(plan, out, progress=fractions.append))

    expected = (
        video_packets(media(folder, "a.mp4"), 1 * GOP_US, 3 * GOP_US)
        + video_packets(media(folder, "b.mp4"), 0, 2 * GOP_US)
        + video_packets(media(folder, "c.mp4"), 2 * GOP_US)
    )
    copied = video_packets(out)
    assert len(copied) == len(expected) == 6 * 24
    assert copied == expected  # in order, every byte
    info = probe(out)
    assert info.has_audio and info.fps == FPS
    assert abs(info.duration_us - 6_000_000) <= 25_000  # the sound may end up to one AAC frame apart
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 6 * 24  # it plays: every frame decodes
    assert fractions and fractions[-1] == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["film.mp4"]  # no partial file left behind


def ticking_clip(path: Path, colour: str) -> Path:
    """`gop_clip`'s 4 s with a keyframe every second, whose sound is a 1 kHz tone burst half way through each second
    (so where each shot's sound went can be told apart from its neighbours')."""
    tick = "sin(2*PI*1000*t)*between(mod(t\\,1)\\,0.5\\,0.55)"
    picture = ["-f", "lavfi", "-i", f"color=c={colour}:size={SIZE}:rate=24:duration={SECONDS}"]
    sound = ["-f", "lavfi", "-i", f"aevalsrc={tick}:s=48000:d={SECONDS}"]
    gops = ["-bf", "2", "-g", "24", "-keyint_min", "24", "-sc_threshold", "0", "-pix_fmt", "yuv420p"]
    run([*picture, *sound, "-c:v", "libx264", "-preset", "veryfast", *gops, "-c:a", "aac", "-ac", "2", str(path)])
    return path


def played_sound(path: Path, rate: int = 48000) -> np.ndarray:
    """`path`'s sound as a player plays it, on the film's clock (sample n plays at n / `rate` s): every decoded
    sample one after another (mono), from the time its first one is due (after the edit list)."""
    with av.open(str(path)) as container:
        frames = list(container.decode(container.streams.audio[0]))
    samples = np.concatenate([frame.to_ndarray().mean(axis=0) for frame in frames])
    due = round(float(frames[0].time or 0.0) * rate)
    return np.concatenate([np.zeros(max(due, 0)), samples[max(-due, 0) :]])


def test_a_copy_of_many_shots_keeps_each_shots_sound_with_its_picture(folder: Path, tmp_path: Path) -> None:
    """A shot's sound is copied in whole AAC packets (1024 samples), which never fit a picture's length exactly. Each
    shot's sound once started at the first packet inside its trim, and what each shot's packets missed or added
    of its picture's length carried into every later shot: over the trial's 16 camera shots the sound fell 32 ms
    behind. Each shot's sound now starts where the sound before it ends, with the packet that belongs there: every
    shot is within half a packet of its picture, however many come before it."""
    ticking = [ticking_clip(folder / "media" / f"tick-{colour}.mp4", colour) for colour in ("teal", "maroon")]
    seconds = [1, 0, 3, 2, 0, 3, 2, 1, 1, 0, 3, 2]  # every shot one second long, cut from the clips in turn
    trims = [(ticking[n % 2], Trim(k * GOP_US, (k + 1) * GOP_US)) for n, k in enumerate(seconds)]
    project = project_of(trims, folder)
    plan = plan_of(project, folder)
    assert decide(project, plan).lossless
    out = tmp_path / "film.mp4"
    asyncio.run(render_copy(plan, out))

    sound = played_sound(out)
    late_ms = [
        round((burst_time(sound[shot * 48000 : (shot + 1) * 48000], 48000) - 0.5) * 1000, 1)
        for shot in range(len(seconds))
    ]
    half_packet_ms = 1024 / 48000 / 2 * 1000
    assert all(abs(late) <= half_packet_ms + 0.5 for late in late_ms), late_ms


def test_a_cancelled_copy_leaves_the_old_export(folder: Path, tmp_path: Path) -> None:
    plan = plan_of(on_keyframes(folder), folder)
    out = tmp_path / "film.mp4"
    out.write_bytes(b"last week's export")

    async def cancel_at_once() -> None:
        task = asyncio.create_task(render_copy(plan, out))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_at_once())
    assert out.read_bytes() == b"last week's export"
    assert [p.name for p in tmp_path.iterdir()] == ["film.mp4"]


# ---------------------------------------------------------------------------------------------- refusals

Change = Callable[[Project, Path], tuple[Project, ExportSettings]]


def _export(**changes: object) -> Change:
    return lambda project, folder: (project, settings(**changes))


def _edit(edit: Callable[[Project], Project]) -> Change:
    return lambda project, folder: (edit(project), settings())


def _shot(index: int, **changes: object) -> Change:
    def change(project: Project, folder: Path) -> tuple[Project, ExportSettings]:
        return audio_edits.set_shot_sound(project, project.shots[index].id, **changes), settings()

    return change


def _trim(index: int, in_us: int, out_us: int) -> Change:
    return _edit(lambda p: edits.trim_shot(p, p.shots[index].id, in_us, out_us))


def _other_clip(make: Callable[[Path], Path], name: str) -> Change:
    def change(project: Project, folder: Path) -> tuple[Project, ExportSettings]:
        path = folder / "media" / name
        if not path.exists():
            make(path)
        other = project_of([(path, Trim(0, 2 * GOP_US))], folder).shots[0]
        return replace(project, shots=(project.shots[0], replace(other, id=project.shots[1].id), project.shots[2])), (
            settings()
        )

    return change


def _crossfade(project: Project) -> Project:
    return audio_edits.set_transition(project, project.shots[0].id, Transition(TransitionKind.CROSSFADE, 500_000))


def _music(project: Project, folder: Path) -> tuple[Project, ExportSettings]:
    song = make_clip(folder / "media" / "song.m4a", seconds=1, video=False, audio=(48000, 2))
    clip = AudioClip(new_id(), "media/song.m4a", MUSIC_LANE, 500_000, Trim(0, 900_000), probe(song))
    return audio_edits.add_audio_clip(project, clip), settings()


REFUSALS: dict[str, tuple[Change, str]] = {
    "lossless off": (_export(lossless=False), "Lossless export is turned off"),
    "prores": (_export(codec=Codec.PRORES), "The export is ProRes"),
    "sound only": (_export(codec=Codec.WAV), r"The export is sound only \(WAV\)"),
    "other codec": (_export(codec=Codec.H265), r"Shot 1 \(a\) is H.264 but the export is H.265"),
    "other size": (_export(size=Size(640, 360)), r"Shot 2 \(b\) is 320x180 but the export is 640x360"),
    "other fps": (_export(fps=Fraction(25)), r"Shot 3 \(c\) runs at 24 fps but the export is 25 fps"),
    "pixel format": (_export(pixel_format="yuv444p"), "picture is yuv420p but the export is yuv444p"),
    "sample rate": (_export(sample_rate=44100), "sound is 48 kHz but the export is 44.1 kHz"),
    "loudness": (_export(loudness_lufs=-14.0), r"Loudness normalisation re-encodes the sound \(turn it off"),
    "crossfade": (_edit(_crossfade), r"Shot 1 \(a\) crossfades into shot 2 \(b\)"),
    "music": (_music, "The Music lane has sound to mix"),
    "shot gain": (_shot(0, gain_db=-3.0), r"Shot 1 \(a\)'s sound is turned down 3 dB"),
    "muted shot": (_shot(1, muted=True), r"Shot 2 \(b\)'s sound is muted"),
    "solo elsewhere": (_shot(2, solo=True), r"Shot 1 \(a\)'s sound is silenced by a solo elsewhere"),
    "lane gain": (
        _edit(lambda p: audio_edits.set_lane(p, "clips", gain_db=2.0)),
        "The Clip sound lane is turned up 2 dB",
    ),
    "in between keyframes": (
        _trim(1, 500_000, 2 * GOP_US),
        r"Shot 2 \(b\) starts between keyframes \(next keyframe at 00:00:01.000\)",
    ),
    "out between keyframes": (
        _trim(0, GOP_US, 2_250_000),
        r"Shot 1 \(a\) ends between keyframes \(previous keyframe at 00:00:02.000\)",
    ),
    "range edge": (_export(range=Trim(1_500_000, 6_000_000)), r"Shot 1 \(a\) starts between keyframes"),
    "h265 take": (
        _other_clip(lambda p: gop_clip(p, codec="libx265"), "hevc.mp4"),
        r"Shot 2 \(hevc\) is H.265 but the export is H.264",
    ),
    "other encoder settings": (
        _other_clip(lambda p: make_clip(p, seconds=2, size=(320, 180), fps="24", audio=(48000, 2), gop=24), "fast.mp4"),
        r"Shot 2 \(fast\) was made with different settings from shot 1 \(a\)",
    ),
    "silent take": (
        _other_clip(lambda p: gop_clip(p, sound=False), "silent.mp4"),
        r"Shot 2 \(silent\) has no sound, so the sound is encoded with silence there",
    ),
    "matroska take": (
        _other_clip(lambda p: gop_clip(p), "b.mkv"),
        r"Shot 2 \(b\)'s clip is not an MP4 or MOV file",
    ),
}


SOUND_ONLY = {
    "sample rate",
    "loudness",
    "music",
    "shot gain",
    "muted shot",
    "solo elsewhere",
    "lane gain",
    "silent take",
}
"""Cases where only the sound needs work: the picture is still copied, and the sound mixed and encoded."""


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_each_condition_forces_an_encode(case: str, folder: Path) -> None:
    change, reason = REFUSALS[case]
    project, export = change(on_keyframes(folder), folder)
    decision = decide(project, plan_of(project, folder, export))
    assert not decision.lossless
    assert decision.route == ("copy picture" if case in SOUND_ONLY else "re-encode")
    assert decision.copies_picture == (case in SOUND_ONLY)
    assert any(re.search(reason, r) for r in decision.reasons), decision.reasons
    assert decision.cuts_off_keyframes == ("between keyframes" in reason), "snapping is offered only for cuts"


def test_every_reason_that_applies_is_listed(folder: Path) -> None:
    project = on_keyframes(folder)
    project = audio_edits.set_shot_sound(project, project.shots[0].id, gain_db=2.0)
    decision = decide(project, plan_of(project, folder, settings(lossless=False, fps=Fraction(30))))
    text = "\n".join(decision.reasons)
    for expected in ("turned off", "runs at 24 fps but the export is 30 fps"):
        assert expected in text
    assert "turned up" not in text, "a re-encode lists what stops the picture's copy: the sound is encoded anyway"
    sound = decide(project, plan_of(project, folder, settings(loudness_lufs=-14.0)))
    assert sound.route == "copy picture"
    text = "\n".join(sound.reasons)
    for expected in ("picture is copied", "turned up 2 dB", "Loudness normalisation"):
        assert expected in text


# ---------------------------------------------------------------------------------------------- snapping


def test_snapping_moves_cuts_onto_keyframes_and_makes_the_export_lossless(folder: Path) -> None:
    project = on_keyframes(folder)
    project = edits.trim_shot(project, project.shots[0].id, 1_250_000, 3_500_000)
    plan = plan_of(project, folder)
    assert not decide(project, plan).lossless

    suggested = snap_suggestions(project, lambda rel: folder / rel)
    assert suggested.skipped == ()
    [change] = suggested.changes
    assert (change.old, change.new) == (Trim(1_250_000, 3_500_000), Trim(2 * GOP_US, 3 * GOP_US))
    snapped = edits.trim_shot(project, change.shot_id, change.new.in_us, change.new.out_us, take_id=change.take_id)
    assert decide(snapped, plan_of(snapped, folder)).lossless


def test_a_shot_with_no_keyframe_inside_is_skipped(folder: Path) -> None:
    project = on_keyframes(folder)
    project = edits.trim_shot(project, project.shots[1].id, 1_250_000, 1_750_000)
    suggested = snap_suggestions(project, lambda rel: folder / rel)
    assert suggested.changes == ()
    assert len(suggested.skipped) == 1 and "Shot 2 (b) has no keyframe inside its trim" in suggested.skipped[0]


# ---------------------------------------------------------------------------------------------- through render


def _export_through_render(
    project: Project, export: ExportSettings, folder: Path, out: Path, progress: list[float] | None = None
) -> ExportReport:
    plan = plan_of(project, folder, replace(export, preset="ultrafast"))
    sink = progress.append if progress is not None else None
    return asyncio.run(
        render(project, plan, out, ffmpeg=Path(ffmpeg_exe()), resolve=lambda rel: folder / rel, progress=sink)
    )


SOURCE_CLIPS = ("a.mp4", "b.mp4", "c.mp4")


@pytest.mark.parametrize("case", ["crossfade", "in between keyframes"])
def test_an_export_that_must_re_encode_does(case: str, folder: Path, tmp_path: Path) -> None:
    """The exporter's route follows decide(): these exports re-encode, so no packet is the source's."""
    change, _ = REFUSALS[case]
    project, export = change(on_keyframes(folder), folder)
    out = tmp_path / "film.mp4"
    report = _export_through_render(project, export, folder, out)
    assert report.route == "re-encode"
    source_packets = {packet for name in SOURCE_CLIPS for packet in video_packets(media(folder, name))}
    exported = video_packets(out)
    assert len(exported) == plan_of(project, folder, export).frames
    assert not source_packets.intersection(exported)


@pytest.mark.parametrize("case", ["loudness", "shot gain", "music", "silent take"])
def test_an_export_whose_sound_needs_work_copies_the_picture(case: str, folder: Path, tmp_path: Path) -> None:
    """Only the sound is mixed and encoded: the film's picture is the clips' packets byte for byte, and its sound
    lasts exactly as long as the picture."""
    change, _ = REFUSALS[case]
    project, export = change(on_keyframes(folder), folder)
    out = tmp_path / "film.mp4"
    progress: list[float] = []
    report = _export_through_render(project, export, folder, out, progress)
    assert report.route == "copy picture" and report.encoder == "stream copy", report.reasons
    # the picture is copied while the sound is mixed: one bar over both, never going back, ending on 1.0
    assert progress == sorted(progress) and progress[-1] == 1.0
    expected: list[bytes] = []
    for segment in plan_of(project, folder, export).segments:
        expected += video_packets(segment.source, segment.trim.in_us, segment.trim.out_us)
    assert video_packets(out) == expected
    assert decoded_samples(out) == plan_of(project, folder, export).samples
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.mp4", "film.mp4.provenance.json"]


def test_a_copy_that_would_leave_a_hole_is_re_encoded_instead(folder: Path, tmp_path: Path) -> None:
    """A take whose trim runs past the end of its picture (its sound is longer, say): the copy would have fewer
    frames than the film, so the export encodes the picture instead, says why, and has every frame."""
    project = on_keyframes(folder)
    last = project.shots[2]
    take = last.takes[0]
    longer = replace(take, info=replace(take.info, duration_us=take.info.duration_us + 500_000))
    longer = replace(longer, trim=Trim(take.trim.in_us, longer.info.duration_us))
    project = replace(project, shots=(*project.shots[:2], replace(last, takes=(longer,))))
    out = tmp_path / "film.mp4"
    report = _export_through_render(project, settings(), folder, out)
    plan = plan_of(project, folder)
    assert report.route == "re-encode"
    assert any(
        re.search(r"The lossless copy failed \(the copy would have \d+ frames where the film has", r)
        for r in report.reasons
    ), report.reasons
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == plan.frames


def test_clips_without_sound_export_with_a_silent_track_and_no_meter_error(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Every route gives the film a sound track: clips without sound get a silent one (the picture still copied), and
    its loudness reads as silent, with no ffmpeg error on the way."""
    silent = [gop_clip(folder / "media" / f"mute{n}.mp4", colour=c, sound=False) for n, c in enumerate(("red", "blue"))]
    project = project_of([(clip, None) for clip in silent], folder)
    out = tmp_path / "film.mp4"
    with caplog.at_level("WARNING"):
        report = _export_through_render(project, settings(), folder, out)
    assert report.route == "copy picture", report.reasons
    assert report.loudness is not None and report.loudness.silent
    assert probe(out).has_audio and decoded_samples(out) == plan_of(project, folder).samples
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


def test_a_cut_at_an_open_gop_keyframe_is_not_copied(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """In open GOPs (x264's open-gop, broadcast, many cameras) a keyframe is followed by frames shown before it that
    are coded from it: a shot ending there needs a packet past its out point for its last frames. The copy once
    set off anyway and failed part way ('Invalid argument', naming a hidden file) before encoding; such keyframes
    are no place for a copy's cut, so the route says so and encodes from the start."""
    clip = folder / "media" / "open-gop.mp4"
    gops = ["-x264-params", "open-gop=1:keyint=24:min-keyint=24:bframes=3:scenecut=0", "-pix_fmt", "yuv420p"]
    sources = ["-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=24:duration={SECONDS}", "-f", "lavfi", "-i", "sine=d=4"]
    run([*sources, "-c:v", "libx264", "-preset", "veryfast", *gops, "-c:a", "aac", str(clip)])
    project = project_of([(clip, Trim(1 * GOP_US, 3 * GOP_US)), (clip, Trim(0, 2 * GOP_US))], folder)
    out = tmp_path / "film.mp4"
    with caplog.at_level("WARNING"):
        report = _export_through_render(project, settings(), folder, out)
    assert report.route == "re-encode", report.reasons
    # the cut is on a keyframe, of a kind a copy cannot cut at: the route says so (it once said "between keyframes")
    assert any(re.match(r"Shot 1 \(open-gop\) ends on a keyframe .*\(an open GOP\)", r) for r in report.reasons)
    assert not any("between keyframes" in reason for reason in report.reasons), report.reasons
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == plan_of(project, folder).frames


def test_many_cuts_off_keyframes_are_told_in_one_line(folder: Path) -> None:
    """Every shot cut between keyframes once gave the route a line each (six lines of keyframe talk in the trial)."""
    project = on_keyframes(folder)
    for shot in project.shots:
        project = edits.trim_shot(project, shot.id, 250_000, 1_750_000)
    decision = decide(project, plan_of(project, folder))
    assert decision.route == "re-encode" and decision.cuts_off_keyframes
    [line] = [reason for reason in decision.reasons if "keyframes" in reason]
    assert line == (
        "6 cuts fall between keyframes, in shot 1 (a), shot 2 (b) and 1 more: snapping cuts to keyframes would let "
        "it be copied"
    )
