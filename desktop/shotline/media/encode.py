"""The ffmpeg commands that write an export's picture and join it with its sound.

Pure: no process runs here. The picture is encoded on its own (`encode_argv`, the graph from `video_graph`) or
copied (`media.stream_copy`); the sound is mixed and encoded on its own (`media.soundtrack`), so its loudness and
true peak can be measured on the encoded sound itself and corrected without touching the picture. `mux_argv` then
puts the two into the export's container, copying both.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import ffmpeg

from shotline.core.timecode import format_fps
from shotline.media.encoders import Encoder
from shotline.media.intake import FILE_ONLY, input_args, url
from shotline.media.plan import RenderPlan
from shotline.media.video_graph import picture

FAST_START = (".mp4", ".mov", ".m4v", ".m4a")


def encode_argv(
    plan: RenderPlan,
    output: Path,
    ffmpeg_exe: Path,
    *,
    encoder: Encoder,
    legacy_vsync: bool = False,
    captions: Path | None = None,
) -> list[str]:
    """The command that encodes `plan`'s picture, alone, by `encoder` into `output`, with the captions of the ASS
    file `captions` burned in when given.

    `legacy_vsync` writes `-vsync cfr` for ffmpeg < 5.1. (Without the reporting flags: `run_ffmpeg` adds them.)
    """
    settings = plan.settings
    options = [*encoder.output_args(settings), "-r", format_fps(settings.fps)]
    options += ["-vsync" if legacy_vsync else "-fps_mode", "cfr", "-an"]
    graph = ffmpeg.output(picture(plan, encoder, captions), f"file:{output}").global_args("-y")
    argv: list[str] = graph.compile(cmd=str(ffmpeg_exe))
    target = argv.index(f"file:{output}")
    # options the library would sort alphabetically go in as written, right before the output file
    argv[target:target] = options
    argv[1:1] = encoder.device_args()
    return argv


def mux_argv(
    picture_file: Path,
    sound_file: Path,
    output: Path,
    ffmpeg_exe: Path,
    *,
    metadata: Mapping[str, str] | None = None,
    subtitles: Path | None = None,
) -> list[str]:
    """The command that copies the picture of `picture_file` and the sound of `sound_file` into `output`, with
    `metadata` as the container's tags, and the captions of the SRT file `subtitles` as a subtitle track (MP4 and
    MOV take one as 3GPP timed text, which their players show and hide)."""
    argv = [str(ffmpeg_exe), "-y"]
    for source in (picture_file, sound_file, *([subtitles] if subtitles else [])):
        argv += [*input_args(FILE_ONLY), "-i", url(source)]
    argv += ["-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-map_metadata", "-1"]
    if subtitles is not None:
        argv += ["-map", "2:s:0", "-c:s", "mov_text", "-metadata:s:s:0", "handler_name=Captions"]
    if output.suffix.lower() in FAST_START:
        argv += ["-movflags", "+faststart"]
    for key, value in (metadata or {}).items():
        argv += ["-metadata", f"{key}={value}"]
    return [*argv, f"file:{output}"]
