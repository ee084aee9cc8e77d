"""Commands that make a finished film: export (presets, fit, codec, loudness, one shot or a range), and the demo.

Before rendering, `export` says on stderr which path will run (lossless copy or re-encode) and why; afterwards it
prints what was written and the measured loudness, so the creator never has to open another tool to check.
`export --c2pa` signs the file with Content Credentials, or fails before rendering when it cannot sign. A file already
at -o is replaced only with --overwrite (the demo also replaces its own earlier film), and never one the project uses.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from shotline.cli.params import FPS, SIZE, TIME
from shotline.cli.progress import progress_bar
from shotline.cli.session_scope import reading
from shotline.core.caption_style import MAX_SIZE, MIN_SIZE, CaptionExport, CaptionPlace, CaptionStyle
from shotline.core.errors import TargetExists
from shotline.core.model import WEB_LUFS, Codec, ExportSettings, Fit, Project, Size, Trim
from shotline.core.timecode import format_fps, format_time
from shotline.core.timeline import describe_film_length, film_length_us
from shotline.services.content_credentials import CannotSign, SigningIdentity, signing_identity
from shotline.services.context import AppContext, open_context
from shotline.services.demo import open_or_create_demo
from shotline.services.export import ExportReport, how_written, plan, shot_range, start_export, start_metering
from shotline.services.export_target import check_target, is_earlier_export
from shotline.services.lossless import ROUTE_NAMES, route
from shotline.services.presets import PRESETS, ExportPreset, export_settings, preset_named
from shotline.services.session import ProjectSession

LOUDNESS_RANGE = (-36.0, -5.0)
"""Loudness targets the export accepts (LUFS); outside this a target is a typo, not a choice."""

CAPTION_FORMS = ("burn", "track", "files")
DEFAULT_STYLE = CaptionStyle()


class LoudnessType(click.ParamType[float | None]):
    """`-14`, `-23` (or any target in range) in LUFS, or `off` to leave the levels as mixed."""

    name = "LUFS|off"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float | None:
        if value is None or isinstance(value, float):
            return value
        text = str(value).strip().lower()
        if text in {"off", "none"}:
            return None
        try:
            target = float(text.removesuffix("lufs").strip())
        except ValueError:
            self.fail(f"{value!r} is not a loudness; use -14 (web), -23 (broadcast) or off", param, ctx)
        low, high = LOUDNESS_RANGE
        if not low <= target <= high:
            self.fail(f"{value!r} LUFS is out of range; use {low:g} to {high:g}, e.g. -14 or -23", param, ctx)
        return target


def _normalised(name: str) -> str:
    return name.strip().lower().replace("×", "x").replace(" ", "")


def find_preset(name: str) -> ExportPreset:
    """A preset by its full name or by a word of it ("1080p", "9:16", "draft"); a word several presets share picks
    the one named by its aspect ("720p" is "720p 16:9")."""
    wanted = _normalised(name)
    for preset in PRESETS:
        if _normalised(preset.name) == wanted:
            return preset
    matches = [preset for preset in PRESETS if wanted in {_normalised(word) for word in preset.name.split()}]
    if len(matches) > 1:
        # "720p" names both "720p 16:9" and "720p draft"; the plain frame (named by its aspect) is the one meant
        matches = [preset for preset in matches if ":" in preset.name]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(f"'{preset.name}'" for preset in PRESETS)
    raise click.BadParameter(f"no single preset is called {name!r}; the presets are {names}", param_hint="--preset")


def codec_for(output: Path, codec: Codec | None) -> Codec:
    """The codec asked for, or the one the file name implies (H.264 for video files, as it is the default)."""
    suffix = output.suffix.lower()
    if codec is not None:
        if suffix not in codec.extensions:
            endings = " or ".join(codec.extensions)
            raise click.BadParameter(f"a {codec.value} export is written to a {endings} file", param_hint="-o")
        return codec
    if suffix in Codec.H264.extensions:
        return Codec.H264
    for candidate in Codec:
        if suffix in candidate.extensions:
            return candidate
    endings = ", ".join(sorted({ending for candidate in Codec for ending in candidate.extensions}))
    raise click.BadParameter(f"the output must end in one of {endings}", param_hint="-o")


def export_range(
    project: Project, shot: str | None, start: int | None, end: int | None, fps: Fraction | None = None
) -> Trim | None:
    """The part of the timeline to export: one shot, --from/--to (--from alone runs to the end of the film at
    `fps`, the export's rate), or everything (None)."""
    if shot is not None:
        if start is not None or end is not None:
            raise click.UsageError("Give either --shot or --from/--to, not both.")
        return shot_range(project, shot)
    if start is None and end is None:
        return None
    film_us = film_length_us(project, fps)
    window = Trim(start or 0, film_us if end is None else end)
    if end is None and window.in_us >= film_us:
        raise click.BadParameter(
            f"--from {format_time(window.in_us)} is not inside the film, which lasts "
            f"{describe_film_length(project, fps)}",
            param_hint="--from",
        )
    if window.in_us >= window.out_us:
        raise click.BadParameter(
            f"--from {format_time(window.in_us)} is not before --to {format_time(window.out_us)}", param_hint="--from"
        )
    return window


def _say_route(session: ProjectSession, settings: ExportSettings) -> None:
    decision = route(session, settings)
    if decision.lossless:
        click.echo(f"Route: lossless copy. {' '.join(decision.reasons)}.", err=True)
        return
    click.echo(f"Route: {ROUTE_NAMES[decision.route]}, because:", err=True)
    for reason in decision.reasons:
        click.echo(f"  - {reason}", err=True)


def _say_loudness(report: ExportReport, settings: ExportSettings) -> None:
    measured = report.loudness
    aim = "levels as mixed" if settings.loudness_lufs is None else f"target {settings.loudness_lufs:g} LUFS"
    if measured is None:
        click.echo(f"Loudness: could not be measured ({aim}).")
    elif measured.silent:
        click.echo(f"Loudness: the export is silent ({aim}).")
    else:
        click.echo(f"Loudness: {measured} ({aim})")


def _identity(ctx: AppContext) -> SigningIdentity:
    try:
        return signing_identity(ctx)
    except CannotSign as exc:
        raise click.ClickException(
            f"C2PA: not signed ({exc}). Nothing was exported; leave out --c2pa to export without Content Credentials."
        ) from None


def _check_target(session: ProjectSession, output: Path, *, replace: bool) -> None:
    try:
        check_target(session, output, replace=replace)
    except TargetExists:
        raise click.ClickException(
            f"{output} already exists; nothing was exported. Add --overwrite to replace it, or choose another file "
            "with -o."
        ) from None


def _export(
    ctx: AppContext,
    session: ProjectSession,
    output: Path,
    settings: ExportSettings,
    identity: SigningIdentity | None = None,
    *,
    replace: bool = False,
) -> None:
    render_plan = plan(session, settings)
    _check_target(session, output, replace=replace)
    picture = "sound only" if settings.codec.audio_only else f"{settings.size} @ {format_fps(settings.fps)} fps"
    loudness = "levels as mixed" if settings.loudness_lufs is None else f"{settings.loudness_lufs:g} LUFS"
    click.echo(
        f"Exporting {len(render_plan.segments)} shots, {format_time(render_plan.duration_us)}, {picture}, "
        f"{settings.codec.value}, {loudness} → {output}",
        err=True,
    )
    _say_route(session, settings)
    with progress_bar("Exporting") as bar:
        handle = start_export(ctx, session, render_plan, output, bar, identity=identity)
        try:
            report = handle.result()
        except KeyboardInterrupt:
            handle.cancel()
            raise
        except CannotSign as exc:
            raise click.ClickException(f"C2PA: not signed ({exc}). {output.name} was left as it was.") from None
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    click.echo(f"Exported {report.output} in {report.seconds:.1f} s ({how_written(report)})")
    if report.signed_by:
        click.echo(f"C2PA: signed by {report.signed_by}")
    _say_loudness(start_metering(ctx, report).result(), settings)


@click.command()
@click.argument("project")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file: .mp4/.mov (video) or .wav/.m4a (sound only).",
)
@click.option("--preset", "preset_name", default="Source", help="Source, 2160p, 1080p, 720p, 9:16, 1:1 or draft.")
@click.option("--size", type=SIZE, default=None, help="Frame size, overriding the preset's.")
@click.option("--fps", type=FPS, default=None, help="Frame rate, overriding the preset's.")
@click.option("--fit", type=click.Choice([f.value for f in Fit]), default=Fit.FIT.value, help="Bars, crop or pad.")
@click.option("--codec", type=click.Choice([c.value for c in Codec]), default=None, help="Default: from -o.")
@click.option("--loudness", type=LoudnessType(), default=WEB_LUFS, help="Target LUFS (-14 web, -23 broadcast) or off.")
@click.option("--shot", default=None, help="Export only this shot (id or position).")
@click.option("--from", "start", type=TIME, default=None, help="Export from this timeline time...")
@click.option("--to", "end", type=TIME, default=None, help="...to this one.")
@click.option("--no-lossless", "lossless", flag_value=False, default=True, help="Always re-encode.")
@click.option("--hardware", is_flag=True, help="Use a hardware encoder when one works (falls back to software).")
@click.option("--overwrite", is_flag=True, help="Replace a file already at -o (never one the project uses).")
@click.option(
    "--captions",
    "caption_forms",
    type=click.Choice(CAPTION_FORMS),
    multiple=True,
    help="Export the captions: burn (into the picture), track (a subtitle track), files (SRT and WebVTT beside).",
)
@click.option("--caption-font", default=DEFAULT_STYLE.font, show_default=True, help="Burned-in captions' font.")
@click.option(
    "--caption-size",
    type=click.FloatRange(MIN_SIZE, MAX_SIZE),
    default=DEFAULT_STYLE.size,
    show_default=True,
    help="Burned-in letters' height, in percent of the frame's shorter side.",
)
@click.option(
    "--caption-outline",
    type=click.FloatRange(0, 30),
    default=DEFAULT_STYLE.outline,
    show_default=True,
    help="The dark edge around burned-in letters, in percent of their height.",
)
@click.option(
    "--caption-place",
    type=click.Choice([p.value for p in CaptionPlace]),
    default=CaptionPlace.BOTTOM.value,
    show_default=True,
    help="Where burned-in captions sit, inside the frame's safe area.",
)
@click.option(
    "--c2pa",
    "sign",
    is_flag=True,
    help="Sign with a C2PA manifest (Content Credentials) naming the takes and their AI origin; needs an identity.",
)
def export(
    project: str,
    output: Path,
    preset_name: str,
    size: Size | None,
    fps: Fraction | None,
    fit: str,
    codec: str | None,
    loudness: float | None,
    shot: str | None,
    start: int | None,
    end: int | None,
    lossless: bool,
    hardware: bool,
    overwrite: bool,
    caption_forms: tuple[str, ...],
    caption_font: str,
    caption_size: float,
    caption_outline: float,
    caption_place: str,
    sign: bool,
) -> None:
    """Render the picked takes in shot order, trimmed and mixed, to one file (H.264/AAC MP4 by default)."""
    style = CaptionStyle(caption_font, caption_size, caption_outline, CaptionPlace(caption_place))
    chosen_captions = CaptionExport(
        sidecars="files" in caption_forms, soft="track" in caption_forms, burn="burn" in caption_forms, style=style
    )
    preset = find_preset(preset_name)
    chosen = codec_for(output, Codec(codec) if codec else None)
    with open_context() as ctx, reading(project) as session:
        identity = _identity(ctx) if sign else None
        settings = export_settings(
            session.project,
            preset,
            fit=Fit(fit),
            codec=chosen,
            loudness_lufs=loudness,
            range=export_range(session.project, shot, start, end, fps),
            lossless=lossless,
            hardware=hardware,
            captions=chosen_captions,
        )
        settings = replace(settings, size=size or settings.size, fps=fps or settings.fps)
        _export(ctx, session, output, settings, identity, replace=overwrite)


@click.command()
@click.option(
    "--project",
    "project_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("shotline-demo.shotline"),
    show_default=True,
    help="Where the demo project lives; reused if it is already there.",
)
@click.option("--export", "output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Export it.")
@click.option("--overwrite", is_flag=True, help="Replace the --export file even if it is not an earlier demo film.")
def demo(project_path: Path, output: Path | None, overwrite: bool) -> None:
    """Create a small sample project with animatic takes (no key, no network) and optionally export it.

    An earlier demo film at --export is replaced, so the README's command can be run again; any other file there is
    left alone unless --overwrite is given."""
    with open_context() as ctx:
        with progress_bar("Rendering animatic takes") as bar:
            session = open_or_create_demo(ctx, project_path, bar)
        with session:
            click.echo(f"Demo project: {session.bundle.path} ({len(session.project.shots)} shots)")
            if output is not None:
                codec = codec_for(output, None)
                settings = export_settings(session.project, preset_named("Source"), codec=codec)
                _export(ctx, session, output, settings, replace=overwrite or is_earlier_export(session, output))


COMMANDS = [export, demo]
