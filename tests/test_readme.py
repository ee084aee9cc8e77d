"""The README is the user guide: what it shows and names must be real.

- every picture it shows exists;
- every `shotline …` it names (in code blocks and inline) is a real command, with real subcommands and options;
- the two set-up commands are there verbatim, are the only set-up commands, and CI runs the test one exactly;
- the key variables it lists per backend are the ones the backends read, and every SHOTLINE_ variable it names is
  read somewhere.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.cli.main import cli
from shotline.launcher import route

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")

RUN_COMMAND = "python3 -m pip install . && shotline demo --export demo.mp4"
TEST_COMMAND = (
    "apt-get update && apt-get install -y --no-install-recommends $(cat tests/system-packages.txt) && "
    "python3 -m pip install -e '.[test]' && dbus-run-session -- sh tests/run.sh"
)
"""The README's two set-up commands, word for word: CI runs the second one (.ci/run), people paste the first."""

_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
_INLINE = re.compile(r"`([^`]+)`")
"""Inline code, which may wrap onto the next line."""
_OPTION = re.compile(r"^--?[A-Za-z][\w-]*$")
_GLOBAL_OPTIONS = {"-v", "--verbose", "-vv", "--version", "-h", "--help"}


@dataclass(frozen=True)
class Invocation:
    text: str
    words: list[str]
    """What follows `shotline`, shell-split."""
    complete: bool
    """A line of a shell block, meant to be run as it is (inline mentions may leave arguments out)."""


def _blocks() -> list[tuple[str, str]]:
    return [(match[1], match[2]) for match in _BLOCK.finditer(README)]


def _prose() -> str:
    return _BLOCK.sub("", README)


def _invocations() -> list[Invocation]:
    """Every `shotline` run the README shows: lines of shell blocks and inline code, split at pipes and `&&`."""
    snippets = [(line, True) for kind, body in _blocks() if kind == "sh" for line in body.splitlines()]
    snippets += [(" ".join(span.split()), False) for span in _INLINE.findall(_prose())]
    found = []
    for snippet, complete in snippets:
        command = snippet.split(" #", 1)[0]
        for part in re.split(r"\|\||&&|\||;", command):
            if not re.search(r"(^|\s)shotline(\s|$)", part):
                continue
            words = shlex.split(part, posix=True)
            while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
                words.pop(0)  # VAR=value before the program
            if words and words[0] == "shotline":
                found.append(Invocation(part.strip(), words[1:], complete))
    return found


def _placeholder(word: str) -> bool:
    """COMMAND, PROJECT, FILE..., … stand for what the reader fills in."""
    return word in {"…", "..."} or bool(re.fullmatch(r"[A-Z][A-Z_]*(\.\.\.)?", word))


def _check(invocation: Invocation) -> None:
    words = [w for w in invocation.words if w not in _GLOBAL_OPTIONS]
    if not words or _placeholder(words[0]):
        return
    if words[0] == "open" or words[0].endswith((".shotline", ".zip")):
        assert route(invocation.words).window, f"{invocation.text!r} does not open the window"
        return
    context = click.Context(cli)
    command = cli.get_command(context, words[0])
    assert command is not None, f"{invocation.text!r}: there is no command {words[0]!r}"
    rest = words[1:]
    while isinstance(command, click.Group) and rest and not _placeholder(rest[0]):
        sub = command.get_command(context, rest[0])
        assert sub is not None, f"{invocation.text!r}: {words[0]} has no subcommand {rest[0]!r}"
        command, rest = sub, rest[1:]
    known = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
    for word in rest:
        option = word.split("=", 1)[0]
        if _OPTION.match(option):
            assert option in known | {"-h", "--help"}, f"{invocation.text!r}: {command.name} has no option {option}"
    if invocation.complete and "--help" not in rest:
        # an example to run: click must accept it as it stands (argument count, choices, numbers, times)
        try:
            command.make_context(str(command.name), list(rest))
        except click.ClickException as error:
            raise AssertionError(f"{invocation.text!r}: {error.format_message()}") from error


def test_every_picture_the_readme_shows_exists() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", README)
    assert len(pictures) >= 7  # the window, first run, welcome, keys, generating, sound, export
    missing = [p for p in pictures if not (REPO / p).is_file() or (REPO / p).stat().st_size == 0]
    assert missing == [], f"the README shows pictures that are not there: {missing}"


def test_every_shotline_command_the_readme_names_is_real() -> None:
    invocations = _invocations()
    named = {inv.words[0] for inv in invocations if inv.words and not _placeholder(inv.words[0])}
    # the guide walks through most of the command line; a parser that found nothing would prove nothing
    assert len(invocations) > 40 and len(named) > 15, named
    for invocation in invocations:
        _check(invocation)


def test_the_checker_catches_a_wrong_command_subcommand_or_option() -> None:
    for wrong in (
        "shotline exprot F.shotline",
        "shotline keys forget runway",
        "shotline export F -o a.mp4 --pre 1:1",
        "shotline export F -o a.mp4 --fit stretch",
        "shotline trim F 1 --in soon",
        "shotline pick F 2",
        "shotline open",
    ):
        with pytest.raises(AssertionError):
            _check(Invocation(wrong, shlex.split(wrong)[1:], complete=True))


def test_the_set_up_commands_are_there_verbatim_and_are_the_only_ones() -> None:
    section = README.split("\n## Set up\n", 1)[1].split("\n## ", 1)[0]
    assert [body.strip() for kind, body in _BLOCK.findall(section)] == [RUN_COMMAND, TEST_COMMAND]
    installs = [
        text
        for text in [body for _, body in _blocks()] + _INLINE.findall(_prose())
        if re.search(r"\b(pip|apt-get|apt)\b.*\binstall\b", text, re.DOTALL)
    ]
    assert [text.strip() for text in installs] == [RUN_COMMAND, TEST_COMMAND]


def test_ci_runs_the_readme_test_command_exactly() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    steps = [line for line in script if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert steps == [TEST_COMMAND]


def test_the_key_variables_per_backend_are_the_ones_the_backends_read() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \|[^|]*\| ([^|]*) \|", README, re.MULTILINE)
    documented = {backend: set(re.findall(r"`([A-Z][A-Z0-9_]+)`", variables)) for backend, variables in rows}
    assert documented == {spec.info.id: set(spec.info.key_env_vars) for spec in BUILTIN_SPECS}


def test_every_shotline_variable_the_readme_names_is_read_somewhere() -> None:
    sources = [
        path.read_text(encoding="utf-8") for folder in ("desktop", "tests") for path in (REPO / folder).rglob("*.py")
    ]
    backend_ids = {spec.info.id for spec in BUILTIN_SPECS}
    names = set(re.findall(r"\bSHOTLINE_[A-Z_]*[A-Z]\b", README))
    assert {"SHOTLINE_CONFIG_DIR", "SHOTLINE_POLL_SECONDS", "SHOTLINE_UPDATE_SCREENSHOTS"} <= names
    for name in names:
        per_backend = re.fullmatch(r"SHOTLINE_([A-Z]+)_BASE_URL", name)
        if per_backend:
            assert per_backend[1].lower() in backend_ids, f"{name} names no backend"
            continue
        assert any(f'"{name}"' in source for source in sources), f"nothing reads {name}"
