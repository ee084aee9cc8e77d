"""`shotline handoff` writes the cut for another editor; `shotline import-cut` brings one back as a new project.

A command of its own rather than `export --to`: an export renders one film with a preset, a codec, a loudness and a
range, none of which a hand-off has; a hand-off writes a project another editor opens, and its stems. Mixing the
stems shows a progress bar on a terminal; Ctrl+C stops it, removes what it wrote and exits as an interrupted export
does.
"""

from __future__ import annotations

from pathlib import Path

import click

from shotline.cli.progress import interruptible
from shotline.cli.session_scope import reading
from shotline.core.timecode import format_time
from shotline.core.timeline import film_length_us
from shotline.services.handoff import check_handoff_target, format_of, write_handoff
from shotline.services.handoff_import import import_cut
from shotline.services.handoff_staging import HandoffCancelled


@click.command("handoff")
@click.argument("project")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace the cut and stems already at OUTPUT.")
def handoff(project: str, output: Path, overwrite: bool) -> None:
    """Write PROJECT's cut for another editor to OUTPUT, its format from the ending: .otio (OpenTimelineIO), .fcpxml
    (Final Cut, Resolve), .xml (FCP 7 XML: Premiere, Resolve), .edl (CMX 3600), .mlt (Shotcut) or .kdenlive (Kdenlive).
    The sound goes beside it as WAV stems: NAME.clip-sound.wav, NAME.music.wav, NAME.dialogue.wav."""
    _, name = format_of(output)
    with reading(project) as session:
        check_handoff_target(session, output, replace=overwrite)
        project_now, bundle = session.project, session.bundle
        written = interruptible(
            "Mixing stems",
            lambda bar, cancel: write_handoff(project_now, bundle, output, progress=bar, cancel=cancel),
            HandoffCancelled,
        )
        length = format_time(film_length_us(session.project))
    click.echo(f"Wrote {written.cut} ({name}): {written.clips} shots, {length}")
    for stem in written.stems:
        click.echo(f"Stem: {stem}")


@click.command("import-cut")
@click.argument("cut", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("project", type=click.Path(path_type=Path))
def import_cut_command(cut: Path, project: Path) -> None:
    """Make a new PROJECT from CUT (.otio, .fcpxml, FCP 7 .xml or .edl, from another editor or `shotline handoff`):
    one shot per clip of its picture track, each clip copied in and trimmed as the cut has it."""
    made = import_cut(cut, project)
    click.echo(f"Made {made.project}: {made.shots} shots, {made.sounds} sound clips, from {cut.name}")
    for missing in made.missing:
        click.echo(f"Not found: {missing}", err=True)
    if made.missing:
        click.echo(
            f"{len(made.missing)} clip(s) could not be found; their shots have no take yet. Put the files where the "
            "cut says and import it again, or generate or import takes for those shots.",
            err=True,
        )


COMMANDS = [handoff, import_cut_command]
