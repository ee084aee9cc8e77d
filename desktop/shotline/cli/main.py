"""`shotline`: entry point, logging and the one place errors become messages and exit codes.

Exit codes: 0 done, 1 the work failed (with a message saying why), 2 the command line was wrong.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from shotline import __version__
from shotline.cli import backend_commands, export_commands, generate_commands, project_commands, sound_commands
from shotline.core.errors import ShotlineError

log = logging.getLogger("shotline")


class ShotlineGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShotlineError as error:
            _fail(str(error))
        except OSError as error:
            _fail(_describe_os_error(error))
        except KeyboardInterrupt:
            click.echo("Cancelled.", err=True)
            sys.exit(130)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _describe_os_error(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


@click.group(cls=ShotlineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shotline")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug; keys are always redacted).")
def cli(verbose: int) -> None:
    """Shotline: write a film as a shot list, generate takes, edit and export — from the command line."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


for module in (project_commands, sound_commands, generate_commands, export_commands, backend_commands):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="shotline")
