"""Commands that make a finished film: export, and the demo project."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import click

from shotline.cli.params import FPS, SIZE
from shotline.cli.progress import progress_bar
from shotline.cli.session_scope import reading
from shotline.core.model import Size
from shotline.core.timecode import format_fps, format_time
from shotline.services.context import AppContext, open_context
from shotline.services.demo import open_or_create_demo
from shotline.services.export import plan, start_export
from shotline.services.session import ProjectSession


def _export(ctx: AppContext, session: ProjectSession, output: Path, size: Size | None, fps: Fraction | None) -> None:
    render_plan = plan(session, size=size, fps=fps)
    settings = render_plan.settings
    click.echo(
        f"Exporting {len(render_plan.segments)} shots, {format_time(render_plan.duration_us)}, "
        f"{settings.size} @ {format_fps(settings.fps)} fps → {output}",
        err=True,
    )
    with progress_bar("Exporting") as bar:
        handle = start_export(ctx, render_plan, output, bar)
        try:
            handle.result()
        except KeyboardInterrupt:
            handle.cancel()
            raise
    click.echo(f"Exported {output}")


@click.command()
@click.argument("project")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="An .mp4 file.")
@click.option("--size", type=SIZE, default=None, help="Frame size (default: the project's).")
@click.option("--fps", type=FPS, default=None, help="Frame rate (default: the project's).")
def export(project: str, output: Path, size: Size | None, fps: Fraction | None) -> None:
    """Render the picked takes in shot order, trimmed, to one H.264/AAC MP4."""
    if output.suffix.lower() not in {".mp4", ".m4v", ".mov"}:
        raise click.BadParameter("the output must be an .mp4, .m4v or .mov file", param_hint="-o")
    with open_context() as ctx, reading(project) as session:
        _export(ctx, session, output, size, fps)


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
def demo(project_path: Path, output: Path | None) -> None:
    """Create a small sample project with animatic takes (no key, no network) and optionally export it."""
    with open_context() as ctx:
        with progress_bar("Rendering animatic takes") as bar:
            session = open_or_create_demo(ctx, project_path, bar)
        with session:
            click.echo(f"Demo project: {session.bundle.path} ({len(session.project.shots)} shots)")
            if output is not None:
                _export(ctx, session, output, None, None)


COMMANDS = [export, demo]
