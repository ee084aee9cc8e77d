"""Run the real `shotline` command line in a child process, and read back what it made."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from tests.cli import forked_cli

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
"""A machine without a usable keyring, made as keyring itself allows: its `fail` backend."""


def without_keys(key_env_vars: Iterable[str]) -> dict[str, str]:
    """No usable keyring, and these provider key variables emptied (an empty variable counts as unset)."""
    return NO_KEYRING | {variable: "" for variable in key_env_vars}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def shotline(
    *args: str | Path,
    cwd: Path | None = None,
    stdin: str = "",
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
) -> Result:
    """Run `python -m shotline ARGS`; `env` adds to (does not replace) this process's environment.

    Where the system can fork, the command runs as a fork of a server that has already imported Shotline
    (forked_cli), still a process of its own; elsewhere (no fork, a changed PYTHONPATH), or with
    SHOTLINE_TESTS_SPAWN_CLI=1, as a new interpreter."""
    full_env = {**os.environ, **(env or {})}
    if forked_cli.forks_for(full_env) and not os.environ.get("SHOTLINE_TESTS_SPAWN_CLI"):
        return Result(*forked_cli.run([str(arg) for arg in args], cwd, stdin, timeout, full_env))
    done = subprocess.run(
        [sys.executable, "-m", "shotline", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def copy_of(project: Path, folder: Path) -> Path:
    """A copy of `project` in `folder` under its own name, for one test to change. A project that several tests start
    from is built by the command line once per module and copied for each: every command is a process start."""
    copy = folder / project.name
    shutil.copytree(project, copy, symlinks=True)
    return copy


def ok(*args: str | Path, cwd: Path | None = None, stdin: str = "", env: Mapping[str, str] | None = None) -> str:
    result = shotline(*args, cwd=cwd, stdin=stdin, env=env)
    assert result.code == 0, f"shotline {' '.join(map(str, args))} failed ({result.code}):\n{result.err}"
    assert "Traceback" not in result.err
    return result.out


def info(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok("info", project, "--json"))
    return data


@dataclass(frozen=True)
class Probed:
    video_codec: str
    audio_codec: str | None
    width: int
    height: int
    fps: Fraction
    frames: int
    video_seconds: float
    audio_seconds: float
    sample_rate: int
    channels: int


def probe_export(path: Path) -> Probed:
    """Measure an export by decoding it: frame count, real stream lengths, formats."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        fps = Fraction(video.average_rate) if video.average_rate else Fraction(0)
        frames = sum(1 for _ in container.decode(video=0))
        container.seek(0)
        samples = sum(frame.samples for frame in container.decode(audio=0)) if audio else 0
        rate = audio.codec_context.sample_rate if audio else 0
        return Probed(
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio else None,
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=fps,
            frames=frames,
            video_seconds=float(frames / fps) if fps else 0.0,
            audio_seconds=samples / rate if rate else 0.0,
            sample_rate=rate,
            channels=audio.codec_context.channels if audio else 0,
        )


def frame_at(path: Path, seconds: float) -> np.ndarray:
    """The RGB frame shown at `seconds` (the last frame whose time is not after it)."""
    with av.open(str(path)) as container:
        shown = None
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time > seconds + 1e-6:
                break
            shown = frame
        assert shown is not None
        return shown.to_ndarray(format="rgb24")


def hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
