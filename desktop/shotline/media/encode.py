"""The ffmpeg command that encodes an export: the picture graph from `video_graph`, plus the mixed sound.

Pure: no process runs here. The sound arrives already mixed as a WAV (pass 1) and only passes the loudness
filter here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import ffmpeg

from shotline.core.timecode import format_fps
from shotline.media.encoders import Encoder, audio_args
from shotline.media.plan import RenderPlan
from shotline.media.video_graph import PROTOCOLS, picture

FAST_START = (".mp4", ".mov", ".m4v", ".m4a")


def encode_argv(
    plan: RenderPlan,
    output: Path,
    ffmpeg_exe: Path,
    *,
    encoder: Encoder | None,
    sound: Path,
    sound_filter: str | None = None,
    legacy_vsync: bool = False,
    metadata: Mapping[str, str] | None = None,
) -> list[str]:
    """The command that writes `plan`'s picture (by `encoder`; None for sound-only codecs) and the mixed `sound`.

    `sound_filter` (a filter chain, e.g. the loudness pass) is applied to the sound before it is encoded; the
    sound is then padded/cut to exactly `plan.samples`. `legacy_vsync` writes `-vsync cfr` for ffmpeg < 5.1.
    `metadata` becomes the container's tags (e.g. the provenance `comment`).
    (Without the reporting flags: `run_ffmpeg` adds them.)
    """
    settings = plan.settings
    mixed = ffmpeg.input(f"file:{sound}", protocol_whitelist=PROTOCOLS).audio
    chain = [sound_filter] if sound_filter else []
    chain += [f"apad=whole_len={plan.samples}", f"atrim=end_sample={plan.samples}"]
    options: list[str] = [
        "-af",
        ",".join(chain),
        *audio_args(settings),
        "-ar",
        str(settings.sample_rate),
        "-ac",
        str(settings.channels),
    ]
    if encoder is None:
        streams = [mixed]
    else:
        streams = [picture(plan, encoder), mixed]
        options += [*encoder.output_args(settings), "-r", format_fps(settings.fps)]
        options += ["-vsync" if legacy_vsync else "-fps_mode", "cfr"]
    if output.suffix.lower() in FAST_START:
        options += ["-movflags", "+faststart"]
    for key, value in (metadata or {}).items():
        options += ["-metadata", f"{key}={value}"]
    graph = ffmpeg.output(*streams, f"file:{output}").global_args("-y")
    argv: list[str] = graph.compile(cmd=str(ffmpeg_exe))
    target = argv.index(f"file:{output}")
    # options the library would sort alphabetically go in as written, right before the output file
    argv[target:target] = options
    if encoder is not None:
        argv[1:1] = encoder.device_args()
    return argv
