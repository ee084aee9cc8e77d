"""`shotline`: entry point, logging and the one place errors become messages and exit codes.

Exit codes: 0 done, 1 the work failed (with a message saying why), 2 the command line was wrong, 3 `check` found
something to fix.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from shotline import __version__
from shotline.core.errors import ShotlineError, creator_message

log = logging.getLogger("shotline")

COMMAND_MODULES = {
    "shotline.cli.project_commands": ("new", "add", "import", "trim", "move", "split", "pick", "remove", "info"),
    "shotline.cli.sound_commands": ("sound", "lane", "shot", "crossfade"),
    "shotline.cli.generate_commands": ("generate", "jobs", "resume", "budget"),
    "shotline.cli.export_commands": ("export", "demo"),
    "shotline.cli.handoff_commands": ("handoff", "import-cut"),
    "shotline.cli.backend_commands": ("backends", "keys"),
    "shotline.cli.share_commands": ("share", "unpack"),
    "shotline.cli.restore_commands": ("restore",),
    "shotline.cli.take_commands": ("take",),
    "shotline.cli.model_commands": ("replace-model",),
    "shotline.cli.cast_commands": ("cast",),
    "shotline.cli.line_commands": ("line",),
    "shotline.cli.caption_commands": ("captions",),
    "shotline.cli.check_commands": ("check",),
    "shotline.cli.stills_commands": ("stills",),
    "shotline.cli.voice_commands": ("voice",),
    "shotline.cli.music_commands": ("music",),
}
"""Where each command lives. A command's module is imported only when that command runs, so `shotline sound add`
does not pay for importing every backend (most of the start-up time of a command)."""


class ShotlineGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for names in COMMAND_MODULES.values() for name in names]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module_name, names in COMMAND_MODULES.items():
            if cmd_name in names:
                commands: list[click.Command] = importlib.import_module(module_name).COMMANDS
                return next(command for command in commands if command.name == cmd_name)
        return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ShotlineError, OSError) as error:
            _fail(creator_message(error) or str(error))
        except KeyboardInterrupt:
            click.echo("Cancelled.", err=True)
            sys.exit(130)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.group(cls=ShotlineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shotline")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug; keys are always redacted).")
def cli(verbose: int) -> None:
    """Shotline: write a film as a shot list, generate takes, edit and export — from the command line."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main() -> None:
    cli(prog_name="shotline")
