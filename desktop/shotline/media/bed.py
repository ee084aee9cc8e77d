"""The animatic's music: a quiet generated bed, made on this computer with ffmpeg, so a film has music with no key.

It stands in for a composed score the way a title card stands in for a shot: a held chord (major, or minor when the
prompt's mood is dark), pulsing gently at the prompt's tempo, over a breath of pink noise, well under a voice's
level. The prompt only steers it (mood words, "slow"/"fast" or "NN bpm"), and the same prompt always makes the
same bed, so a re-made animatic sounds as it did.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from shotline.core.partial import partial_path
from shotline.core.ports import ProgressSink
from shotline.core.timecode import US_PER_SECOND
from shotline.media.leftovers import sweep_beside
from shotline.media.process import ProcessRegistry, run_ffmpeg

RATE = 48_000
ROOTS_HZ = (98.0, 110.0, 130.81, 146.83, 164.81)
"""G2, A2, C3, D3, E3: low enough to sit under speech."""
_DARK = re.compile(r"\b(sad|dark|tense|grim|melanchol\w*|sombre|somber|minor|night|eerie|menac\w*|lonely)\b", re.I)
_SLOW = re.compile(r"\b(slow|calm|gentle|ambient|soft|quiet|peaceful)\b", re.I)
_FAST = re.compile(r"\b(fast|upbeat|energetic|driving|action|quick|lively)\b", re.I)
_BPM = re.compile(r"\b(\d{2,3})\s*bpm\b", re.I)


@dataclass(frozen=True, slots=True)
class Bed:
    """What a prompt makes: a chord on `root_hz`, minor or major, pulsing at `bpm`."""

    root_hz: float
    minor: bool
    bpm: int


def bed_for(prompt: str) -> Bed:
    """The bed a prompt steers: its mood words choose the chord, its tempo words (or "NN bpm") the pulse, and the
    rest picks the root, the same for the same words."""
    digest = hashlib.sha256(prompt.strip().lower().encode()).digest()
    bpm = 84
    if found := _BPM.search(prompt):
        bpm = min(max(int(found[1]), 40), 200)
    elif _SLOW.search(prompt):
        bpm = 64
    elif _FAST.search(prompt):
        bpm = 124
    return Bed(ROOTS_HZ[digest[0] % len(ROOTS_HZ)], bool(_DARK.search(prompt)), bpm)


def bed_argv(bed: Bed, duration_us: int, output: Path, *, ffmpeg: Path) -> list[str]:
    """ffmpeg making `bed` as a 48 kHz stereo WAV exactly `duration_us` long."""
    seconds = f"{duration_us / US_PER_SECOND:.6f}"
    third = bed.root_hz * (6 / 5 if bed.minor else 5 / 4)
    fifth, octave = bed.root_hz * 3 / 2, bed.root_hz * 2
    chord = "+".join(
        f"{level}*sin(2*PI*{hz:.3f}*t)"
        for level, hz in ((0.07, bed.root_hz), (0.05, third), (0.05, fifth), (0.03, octave))
    )
    pulse = f"(0.8+0.2*sin(2*PI*{bed.bpm / 60:.4f}*t))"
    # a slow swell at the start so the bed never clicks in; the clip's own fades shape its end
    swell = "min(1\\,t/1.5)"  # the comma escaped: the filter graph splits on bare ones
    wave = f"({chord})*{pulse}*{swell}"
    return [
        str(ffmpeg),
        *("-nostdin", "-hide_banner", "-y"),
        *("-f", "lavfi", "-i", f"aevalsrc={wave}|{wave}:s={RATE}:d={seconds}"),
        *("-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude=0.01:seed=7:r={RATE}:d={seconds}"),
        *("-filter_complex", "[1]aformat=channel_layouts=stereo[n];[0][n]amix=inputs=2:normalize=0:duration=first"),
        *("-c:a", "pcm_s16le", "-ar", str(RATE), "-t", seconds, "-f", "wav", str(output)),
    ]


async def render_bed(
    prompt: str,
    duration_us: int,
    dest: Path,
    progress: ProgressSink,
    *,
    ffmpeg: Path,
    registry: ProcessRegistry | None = None,
) -> None:
    """Make the bed `prompt` steers, `duration_us` long, as a WAV at `dest` (written under a temporary name, then
    renamed into place, so a bed that is there is whole)."""
    await asyncio.to_thread(sweep_beside, dest)
    partial = partial_path(dest, "rendering", ".wav")
    try:
        argv = bed_argv(bed_for(prompt), duration_us, partial, ffmpeg=ffmpeg)
        await run_ffmpeg(argv, duration_us=duration_us, progress=progress, registry=registry)
        await asyncio.to_thread(os.replace, partial, dest)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    progress(1.0)
