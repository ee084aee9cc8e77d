"""`shotline check`: the continuity check from the command line — each finding naming its shot, with the commands
that would fix it; the exit status says whether anything was found, so a script can stop before an export."""

from __future__ import annotations

import json
import shlex
import sys
from typing import Any

import click

from shotline.cli.session_scope import looking
from shotline.core.model import Project
from shotline.services.context import open_context
from shotline.services.continuity import Action, Finding, check, frames_taken

FOUND = 3
"""The exit status when the check found something (0: nothing found; 1 stays "the command failed")."""


@click.command("check")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON for scripts.")
def check_command(project: str, as_json: bool) -> None:
    """Check the film's continuity: picked takes not the length asked, at another aspect or frame rate than the film,
    and shots set to continue from the previous one that start on another picture. Exits 3 when something is found.
    """
    with open_context() as ctx, looking(project) as session:
        findings = check(session.project, session.bundle.resolve, starts_from_frame=frames_taken(ctx.registry))
        shown = [_entry(session.project, project, finding) for finding in findings]
    if as_json:
        click.echo(json.dumps({"findings": shown}, indent=2))
    else:
        for entry in shown:
            click.echo(entry["text"])
            for fix in entry["fixes"]:
                click.echo(f"  {fix['label']}: {fix['command'] or 'in the window (Film → Check continuity…)'}")
        count = len(shown)
        click.echo(f"{count} finding{'s' if count != 1 else ''}." if count else "Nothing to fix: every shot holds.")
    if findings:
        sys.exit(FOUND)


def _entry(project: Project, argument: str, finding: Finding) -> dict[str, Any]:
    return {
        "problem": finding.problem.value,
        "shot": finding.number,
        "shot_id": finding.shot_id,
        "text": finding.text,
        "fixes": [_fix(project, argument, finding.number, action) for action in finding.actions],
    }


def _fix(project: Project, argument: str, number: int, action: Action) -> dict[str, Any]:
    shot = project.shot(action.shot_id)
    take_number = next((n for n, take in enumerate(shot.takes, start=1) if take.id == action.take_id), 0)
    return {
        "fix": action.fix.value,
        "label": action.label,
        "take": take_number or None,
        "command": action.command_line(shlex.quote(argument), number, take_number),
    }


COMMANDS = [check_command]
