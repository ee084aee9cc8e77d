"""Export benchmarks (a script, not a test): `python tests/bench/export.py` prints, from one run,

(a) Shotline's re-encode of a 10-shot 1080p timeline against one hand-written ffmpeg command that does the same
    work, target <= 1.15x;
(b) Shotline's lossless (stream-copy) export of the same timeline, cut on keyframes, against
    `ffmpeg -f concat -safe 0 -i list -c copy`, target <= 1.5x, and its speed, target >= 50x realtime;
(c) Shotline's default export (loudness on: the picture copied, the sound mixed, normalised and encoded) of eight
    untouched 20 s 1080p clips, beside `ffmpeg -f concat -c copy` of the same clips, target >= 30x realtime, and
    beside FFmpeg's AAC encoder alone encoding the same sound: the floor, since that encoder runs on one thread. The
    floor is timed twice: the clips' sound as it is, and at the level the export gives it (the encoder's speed
    depends on the level: quiet sound takes it longer), and the export is given as a ratio to each. The clips'
    loudness is measured when they are imported (timed apart, not in the figures), as the app does; the film is
    then checked: its loudness and true peak by ffmpeg's ebur128 summary against the promise, and the figures the
    export printed against the meter reading the finished file.

The ten source clips of (a) and (b) are made at the start with ffmpeg's lavfi sources: 3 s of 1920x1080 testsrc2
at 24 fps, H.264 with a keyframe every 12 frames (0.5 s), and a tone in 48 kHz stereo AAC. Each shot is trimmed
to 0.5 s–2.5 s, so every cut falls on a keyframe and the film is 20 s long. The eight clips of (c) share one 20 s
picture, each with its own tone (so no two files are the same).

Two Shotline figures, each against the target: "export" is planning + rendering (every ffmpeg pass or the packet
copy, the playable check, the rename) with the route already decided, as in the export dialog, which decides it
while the creator picks options; "route + export" adds the route decision, as a
fresh `shotline export` process pays it (the first decision reads every clip's keyframes). Wall time is judged;
CPU time (this process's threads + finished children) is printed beside it because it stays meaningful on a busy
machine. Each reference command runs in the same process, right before the Shotline run it is compared with, at the
lower priority Shotline gives its own ffmpeg (so on a busy machine both yield alike).
An encoded sound is measured as part of the export (its loudness is checked on the encoded sound); a lossless
copy's loudness is metered after the export, once the file is written, and that time is printed beside the
figures, not in them. The lossless part also times each of its steps alone, to show where the time goes. `--runs N`
repeats the quick pairs (medians; default 3).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "desktop"))

T = TypeVar("T")
SHOTS = 10
SOURCE_SECONDS = 3
TRIM_IN, TRIM_OUT = 0.5, 2.5
FPS = 24
GOP = 12
SIZE = (1920, 1080)

REENCODE_TARGET = 1.15
COPY_TARGET = 1.5
REALTIME_TARGET = 50.0
UNTOUCHED_CLIPS = 8
AUDIO_BITRATE = "192k"
"""An export's default sound bitrate (ExportSettings.audio_bitrate)."""
UNTOUCHED_SECONDS = 20
COPY_PICTURE_TARGET = 30.0


def make_sources(folder: Path) -> list[Path]:
    """Ten different clips (each its own tone, so no two files are the same): x264 ultrafast, AAC."""
    from tests.clips import run

    sources = []
    for n in range(1, SHOTS + 1):
        path = folder / f"shot{n:02d}.mp4"
        run(
            [
                *("-f", "lavfi", "-i", f"testsrc2=size={SIZE[0]}x{SIZE[1]}:rate={FPS}:duration={SOURCE_SECONDS}"),
                *("-f", "lavfi", "-i", f"sine=frequency={110 * n}:sample_rate=48000:duration={SOURCE_SECONDS}"),
                *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
                *("-g", str(GOP), "-keyint_min", str(GOP), "-sc_threshold", "0"),
                *("-c:a", "aac", "-ac", "2", "-t", str(SOURCE_SECONDS), str(path)),
            ]
        )
        sources.append(path)
    return sources


def make_project(path: Path, sources: list[Path]) -> None:
    from shotline.core.model import Size
    from shotline.core.timecode import seconds_to_us
    from shotline.services import editing
    from shotline.services.importing import import_files
    from shotline.services.session import ProjectSession

    with ProjectSession.create(path, title="Bench", size=Size(*SIZE)) as session:
        for item in import_files(session, sources, None):
            editing.trim(session, item.shot_id, seconds_to_us(str(TRIM_IN)), seconds_to_us(str(TRIM_OUT)))
        session.save()


def hand_reencode_argv(
    ffmpeg: str, sources: list[Path], output: Path, crf: int, preset: str, bitrate: str
) -> list[str]:
    """The command a person would write for the same film.

    In it: each clip read from its in point for its length (input seeking), conformed to 24 fps, 1920x1080, square
    pixels and yuv420p, its sound to 48 kHz stereo float; all joined with the concat filter; x264 with the
    export's crf and preset, AAC at the export's bitrate, constant frame rate, +faststart.
    Not in it (Shotline does these and the timing includes them): the separate sound-mixing pass to a WAV, the
    exact frame/sample padding and trims, the probe that checks the result plays, and the rename into place.
    Loudness normalisation is off on both sides (Shotline's loudness at -14 LUFS is timed separately, as info).
    """
    argv = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    for source in sources:
        argv += ["-ss", str(TRIM_IN), "-t", str(TRIM_OUT - TRIM_IN), "-i", str(source)]
    chains = []
    for n in range(len(sources)):
        chains.append(f"[{n}:v]fps={FPS},scale={SIZE[0]}:{SIZE[1]},setsar=1,format=yuv420p[v{n}]")
        chains.append(f"[{n}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a{n}]")
    joined = "".join(f"[v{n}][a{n}]" for n in range(len(sources)))
    chains.append(f"{joined}concat=n={len(sources)}:v=1:a=1[v][a]")
    argv += ["-filter_complex", ";".join(chains), "-map", "[v]", "-map", "[a]"]
    argv += ["-c:v", "libx264", "-crf", str(crf), "-preset", preset, "-pix_fmt", "yuv420p", "-r", str(FPS)]
    argv += ["-fps_mode", "cfr", "-c:a", "aac", "-b:a", bitrate, "-ar", "48000", "-ac", "2"]
    return [*argv, "-movflags", "+faststart", str(output)]


def concat_copy_argv(ffmpeg: str, listing: Path, output: Path) -> list[str]:
    quiet = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    return [*quiet, "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(output)]


def sound_encode_argv(ffmpeg: str, listing: Path, output: Path, bitrate: str, gain_db: float = 0.0) -> list[str]:
    """The clips' sound joined (at `gain_db`) and encoded to AAC as an export encodes it, nothing else: the floor
    under any export that re-encodes its sound (FFmpeg's AAC encoder runs on one thread)."""
    quiet = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    inputs = ["-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:a"]
    level = ["-af", f"volume={gain_db:.3f}dB"] if gain_db else []
    return [*quiet, *inputs, *level, "-c:a", "aac", "-b:a", bitrate, "-ar", "48000", "-ac", "2", str(output)]


def summary(ffmpeg: str, path: Path, before: Sequence[str] = ()) -> tuple[float, float]:
    """Integrated loudness and true peak of `path`'s sound by ffmpeg's ebur128 summary (an independent reading)."""
    import re

    done = subprocess.run(
        [
            *(ffmpeg, "-nostdin", "-hide_banner", "-nostats", *before, "-i", str(path), "-map", "0:a", "-af"),
            *("ebur128=peak=true", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    tail = done.stderr[done.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", tail)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", tail)
    assert integrated and peak, tail
    return float(integrated[1]), float(peak[1])


def write_concat_list(path: Path, sources: list[Path]) -> Path:
    lines = [f"file '{source}'\ninpoint {TRIM_IN}\noutpoint {TRIM_OUT}\n" for source in sources]
    path.write_text("".join(lines))
    return path


@dataclass(frozen=True)
class Timing:
    """Wall time, and CPU time of this process (all threads) plus its finished children (robust to a busy box)."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:7.3f} s  (cpu {self.cpu:6.3f} s)"


def timed(work: Callable[[], T]) -> tuple[Timing, T]:
    def clocks() -> tuple[float, float]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.perf_counter(), time.process_time() + children.ru_utime + children.ru_stime

    wall, cpu = clocks()
    result = work()
    wall_end, cpu_end = clocks()
    return Timing(wall_end - wall, cpu_end - cpu), result


def run_reference(argv: list[str]) -> Timing:
    """Time a reference command, run at the priority Shotline runs its own ffmpeg at (`media.process`): on a busy
    machine a reference at normal priority would be measured against exports that yield to everything else."""
    from shotline.media.process import BACKGROUND_NICENESS

    def yielding() -> None:
        if hasattr(os, "setpriority"):
            os.setpriority(os.PRIO_PROCESS, 0, BACKGROUND_NICENESS)

    run = functools.partial(subprocess.run, capture_output=True, text=True, check=False, preexec_fn=yielding)
    timing, done = timed(lambda: run(argv))
    if done.returncode:
        raise SystemExit(f"reference ffmpeg failed: {done.stderr}")
    return timing


@dataclass(frozen=True)
class Export:
    route: Timing
    """Planning and deciding the route, as the CLI does before it renders (the dialog does it as choices change)."""
    render: Timing
    """Planning and rendering, the route already decided: what the creator waits for after pressing Export."""
    decided: str
    report: Any
    """The service's ExportReport, with the result's loudness."""
    meter: Timing
    """Metering the result's loudness, after the export (not part of it)."""

    @property
    def whole(self) -> Timing:
        return Timing(self.route.wall + self.render.wall, self.route.cpu + self.render.cpu)


def shotline_export(ctx: object, project: Path, output: Path, **choices: object) -> Export:
    """Decide the route, then plan and render, through the services the CLI and the export dialog use."""
    from shotline.services.export import plan, start_export, start_metering
    from shotline.services.lossless import route
    from shotline.services.presets import export_settings, preset_named
    from shotline.services.session import ProjectSession

    with ProjectSession.open(project) as session:
        settings = export_settings(session.project, preset_named("Source"), **choices)  # type: ignore[arg-type]
        deciding, decision = timed(lambda: route(session, settings))
        rendering, exported = timed(
            lambda: start_export(ctx, session, plan(session, settings), output).result()  # type: ignore[arg-type]
        )
        metering, report = timed(lambda: start_metering(ctx, exported).result())  # type: ignore[arg-type]
        return Export(deciding, rendering, decision.route, report, metering)


def forget_media_facts() -> None:
    """Empty the per-process caches of keyframes and stream facts (a new process starts with them empty)."""
    from shotline.media import keyframes

    keyframes._keyframes_cached.cache_clear()
    keyframes._signature_cached.cache_clear()


def lossless_breakdown(project: Path, folder: Path, ffmpeg: str) -> list[tuple[str, Timing]]:
    """Where the lossless export's time goes: each step the render takes, timed on its own."""
    from shotline.media import loudness, stream_copy
    from shotline.media.lossless import decide
    from shotline.services.export import plan
    from shotline.services.presets import export_settings, preset_named
    from shotline.services.session import ProjectSession

    with ProjectSession.open(project) as session:
        settings = export_settings(session.project, preset_named("Source"), loudness_lufs=None)
        render_plan = plan(session, settings)
        forget_media_facts()
        cold, _ = timed(lambda: decide(session.project, render_plan))
        warm, _ = timed(lambda: decide(session.project, render_plan))
        copy_to = folder / "breakdown.mp4"
        copying, _ = timed(lambda: asyncio.run(stream_copy.render_copy(render_plan, copy_to)))
        metering, _ = timed(lambda: asyncio.run(loudness.meter(copy_to, Path(ffmpeg))))
    return [
        ("decide, cold (keyframes + stream facts of 10 files)", cold),
        ("decide, warm (cached)", warm),
        ("packet copy (render_copy)", copying),
        ("after the export: metering the result (ebur128)", metering),
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def seconds_of(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000


def ratio_line(label: str, ours: Timing, reference: Timing, target: float) -> str:
    ratio = ours.wall / reference.wall
    return (
        f"    {label:<34}{ratio:6.2f}x  (cpu {ours.cpu / reference.cpu:5.2f}x)  target <= {target}x  "
        f"{verdict(ratio <= target)}"
    )


def median_timing(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings))


def bench_reencode(
    ctx: object, folder: Path, project: Path, sources: list[Path], ffmpeg: str, loud: bool, runs: int
) -> None:
    from shotline.core.model import ExportSettings, Size

    settings = ExportSettings(size=Size(*SIZE), fps=Fraction(FPS))  # the model's encoder defaults
    argv = hand_reencode_argv(
        ffmpeg, sources, folder / "hand.mp4", settings.crf, settings.preset, settings.audio_bitrate
    )
    hands, exports = [], []
    for _ in range(runs):  # interleaved, so a slow spell of the machine hits both sides alike
        hands.append(run_reference(argv))
        exports.append(shotline_export(ctx, project, folder / "ours.mp4", loudness_lufs=None, lossless=False))
    hand = median_timing(hands)
    ours = exports[-1]
    ours_render = median_timing([e.render for e in exports])
    ours_whole = median_timing([e.whole for e in exports])
    print(
        f"(a) re-encode, x264 crf {settings.crf} {settings.preset} + AAC {settings.audio_bitrate}, loudness off, "
        f"median of {runs}"
    )
    print(f"    hand-written ffmpeg:              {hand}   ({seconds_of(folder / 'hand.mp4'):.2f} s of film)")
    print(
        f"    shotline export (plan + render):  {ours_render}   ({seconds_of(folder / 'ours.mp4'):.2f} s of film, "
        f"route {ours.decided})"
    )
    print(f"    shotline route decision (first):  {ours.route}")
    print(f"    after it, metering the result:    {ours.meter}   ({ours.report.loudness})")
    print(ratio_line("ratio (export):", ours_render, hand, REENCODE_TARGET))
    print(ratio_line("ratio (route + export):", ours_whole, hand, REENCODE_TARGET))
    if loud:
        normalised = shotline_export(ctx, project, folder / "loud.mp4", lossless=False)
        print(f"    info, with -14 LUFS:              {normalised.render}   ({normalised.report.loudness})")
    print()


def bench_lossless(ctx: object, folder: Path, project: Path, sources: list[Path], ffmpeg: str, runs: int) -> None:
    film = SHOTS * (TRIM_OUT - TRIM_IN)
    listing = write_concat_list(folder / "list.txt", sources)
    references, exports = [], []
    for _ in range(runs):
        references.append(run_reference(concat_copy_argv(ffmpeg, listing, folder / "concat.mp4")))
        forget_media_facts()  # so "route + export" pays the first decision, as a fresh `shotline export` does
        exports.append(shotline_export(ctx, project, folder / "copy.mp4", loudness_lufs=None))
    reference = median_timing(references)
    render = median_timing([e.render for e in exports])
    whole = median_timing([e.whole for e in exports])
    routes = sorted({f"{e.decided}/{e.report.route}" for e in exports})
    print(f"(b) lossless, median of {runs} (route decided/ran: {', '.join(routes)})")
    print(f"    ffmpeg -f concat -c copy:         {reference}   ({seconds_of(folder / 'concat.mp4'):.2f} s of film)")
    print(f"    shotline export (plan + render):  {render}   ({seconds_of(folder / 'copy.mp4'):.2f} s of film)")
    print(f"    shotline route + export:          {whole}")
    print(f"    after it, metering the result:    {median_timing([e.meter for e in exports])}")
    print(ratio_line("ratio (export):", render, reference, COPY_TARGET))
    print(ratio_line("ratio (route + export):", whole, reference, COPY_TARGET))
    for label, timing in (("speed (export):", render), ("speed (route + export):", whole)):
        speed = film / timing.wall
        print(
            f"    {label:<34}{speed:6.1f}x realtime  target >= {REALTIME_TARGET:g}x  "
            f"{verdict(speed >= REALTIME_TARGET)}"
        )
    print("    where the time goes (each step alone):")
    for label, timing in lossless_breakdown(project, folder, ffmpeg):
        print(f"      {label:<52}{timing}")


def make_untouched_project(folder: Path, ffmpeg: str) -> tuple[Path, list[Path], Timing]:
    """Eight 20 s 1080p clips that share one picture, each with its own tone, imported whole into a project; and the
    time the import took to measure their loudness (part of importing them, not of exporting)."""
    from shotline.core.model import Size
    from shotline.services.importing import import_files
    from shotline.services.session import ProjectSession
    from tests.clips import run

    picture = folder / "untouched-picture.mp4"
    run(
        [
            *("-f", "lavfi", "-i", f"testsrc2=size={SIZE[0]}x{SIZE[1]}:rate={FPS}:duration={UNTOUCHED_SECONDS}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(2 * FPS), str(picture)),
        ]
    )
    sources = []
    for n in range(1, UNTOUCHED_CLIPS + 1):
        path = folder / f"untouched{n}.mp4"
        run(
            [
                *("-i", str(picture)),
                *("-f", "lavfi", "-i", f"sine=frequency={130 * n}:sample_rate=48000:duration={UNTOUCHED_SECONDS}"),
                *("-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-ac", "2", str(path)),
            ]
        )
        sources.append(path)
    project = folder / "untouched.shotline"
    measuring: list[Timing] = []
    with ProjectSession.create(project, title="Untouched", size=Size(*SIZE)) as session:
        with measured_on_import(measuring):
            import_files(session, sources, None)
        session.save()
    total = Timing(sum(t.wall for t in measuring), sum(t.cpu for t in measuring))
    return project, sources, total


@contextlib.contextmanager
def measured_on_import(timings: list[Timing]) -> Iterator[None]:
    """Time each clip's loudness measurement as the import makes it (`services.take_loudness.load_levels`)."""
    from shotline.services import take_loudness

    real = take_loudness.load_levels

    def timed_load(*args: Any) -> Any:
        timing, levels = timed(lambda: real(*args))
        timings.append(timing)
        return levels

    take_loudness.load_levels = timed_load  # type: ignore[assignment]
    try:
        yield
    finally:
        take_loudness.load_levels = real


def bench_copy_picture(ctx: object, folder: Path, ffmpeg: str, runs: int) -> None:
    project, sources, measuring = make_untouched_project(folder, ffmpeg)
    film = UNTOUCHED_CLIPS * UNTOUCHED_SECONDS
    listing = folder / "untouched.txt"
    listing.write_text("".join(f"file '{source}'\n" for source in sources))
    joined, _ = summary(ffmpeg, listing, ["-f", "concat", "-safe", "0"])
    gain_db = -14.0 - joined  # the default export's target
    references, floors, levelled, exports = [], [], [], []
    for _ in range(runs):  # interleaved, so a slow spell of the machine hits every side alike
        references.append(run_reference(concat_copy_argv(ffmpeg, listing, folder / "untouched-concat.mp4")))
        floor_argv = sound_encode_argv(ffmpeg, listing, folder / "untouched-sound.m4a", AUDIO_BITRATE)
        floors.append(run_reference(floor_argv))
        level_argv = sound_encode_argv(ffmpeg, listing, folder / "untouched-sound.m4a", AUDIO_BITRATE, gain_db)
        levelled.append(run_reference(level_argv))
        forget_media_facts()
        exports.append(shotline_export(ctx, project, folder / "untouched-film.mp4"))
    reference, floor, level = median_timing(references), median_timing(floors), median_timing(levelled)
    render = median_timing([e.render for e in exports])
    whole = median_timing([e.whole for e in exports])
    routes = sorted({f"{e.decided}/{e.report.route}" for e in exports})
    print(
        f"(c) default export (-14 LUFS) of {UNTOUCHED_CLIPS} untouched {UNTOUCHED_SECONDS} s clips, median of {runs} "
        f"(route decided/ran: {', '.join(routes)}); load average {os.getloadavg()[0]:.1f}"
    )
    print(f"    at import, measuring the clips' loudness: {measuring}   (not in the figures)")
    print(
        f"    ffmpeg -f concat -c copy:         {reference}   "
        f"({seconds_of(folder / 'untouched-concat.mp4'):.2f} s of film, no loudness)"
    )
    print(
        f"    shotline export (plan + render):  {render}   ({seconds_of(folder / 'untouched-film.mp4'):.2f} s of "
        f"film, {exports[-1].report.loudness})"
    )
    print(f"    shotline route + export:          {whole}")
    print(f"    ffmpeg AAC encode of the sound:   {floor}   (the sound alone, joined and encoded: the floor)")
    print(f"      the same at the export's level: {level}   ({gain_db:+.2f} dB, as the export encodes it)")
    speeds = (
        ("speed (export):", render, None),
        ("speed (route + export):", whole, None),
        ("concat copy:", reference, "(reference)"),
        ("AAC encode alone:", floor, "(reference: no export that encodes its sound can be faster)"),
        ("AAC encode alone, levelled:", level, "(reference: the same, at the export's level)"),
    )
    for label, timing, note in speeds:
        speed = film / timing.wall
        target = note or f"target >= {COPY_PICTURE_TARGET:g}x  {verdict(speed >= COPY_PICTURE_TARGET)}"
        print(f"    {label:<34}{speed:6.1f}x realtime  {target}")
    for label, timing in (("AAC alone", floor), ("AAC alone, levelled", level)):
        ratio = f"{render.wall / timing.wall:6.2f}x  (cpu {render.cpu / timing.cpu:5.2f}x)"
        print(f"    export time / {label + ':':<20}{ratio}")
    check_film(ffmpeg, folder / "untouched-film.mp4", exports[-1].report.loudness)
    print()


def check_film(ffmpeg: str, film: Path, printed: Any) -> None:
    """The film keeps the loudness promises by an independent reading, and what the export printed is the film's."""
    import asyncio

    from shotline.media.loudness import meter

    integrated, peak = summary(ffmpeg, film)
    file = asyncio.run(meter(film, Path(ffmpeg)))
    kept = abs(integrated + 14.0) <= 0.5 and peak <= -1.0
    print(
        f"    the film by ebur128's summary:    {integrated:.1f} LUFS, true peak {peak:.1f} dBFS  "
        f"(within 0.5 LU of -14, at or under -1: {verdict(kept)})"
    )
    same = printed == file
    print(f"    printed figures = the film's:     {verdict(same)}  (printed {printed}; the film meters {file})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repeats of the (quick) copy pairs")
    parser.add_argument("--reencode-runs", type=int, default=3, help="repeats of the re-encode pair (~50 s each)")
    parser.add_argument("--skip-loudness", action="store_true", help="skip the informational loudness run")
    parser.add_argument("--parts", default="abc", help="which parts to run, e.g. 'c' for the default export only")
    parser.add_argument("-v", "--verbose", action="store_true", help="log Shotline's passes with timestamps")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(relativeCreated)8.0f ms %(name)s: %(message)s")

    from shotline.services.context import open_context
    from shotline.storage.secrets import MemorySecretStore
    from tests.clips import ffmpeg_exe

    ffmpeg = ffmpeg_exe()
    with tempfile.TemporaryDirectory() as scratch, open_context(secrets=MemorySecretStore()) as ctx:
        folder = Path(scratch)
        if "a" in args.parts or "b" in args.parts:
            made, _ = timed(lambda: make_project(folder / "bench.shotline", make_sources(folder)))
            sources = sorted(folder.glob("shot*.mp4"))
            print(
                f"made {SHOTS} clips of {SIZE[0]}x{SIZE[1]} and the project in {made.wall:.1f} s (not in the figures)"
            )
            print(
                f"film: {SHOTS} shots of {TRIM_OUT - TRIM_IN:g} s, cut on keyframes, {FPS} fps; "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            print()
        if "a" in args.parts:
            bench_reencode(
                ctx, folder, folder / "bench.shotline", sources, ffmpeg, not args.skip_loudness, args.reencode_runs
            )
        if "b" in args.parts:
            bench_lossless(ctx, folder, folder / "bench.shotline", sources, ffmpeg, args.runs)
            print()
        if "c" in args.parts:
            bench_copy_picture(ctx, folder, ffmpeg, args.runs)


if __name__ == "__main__":
    main()
