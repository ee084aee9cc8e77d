"""Which encoder writes an export's picture, and the ffmpeg options each encoder family needs.

Software encoders (libx264, libx265, prores_ks) always work. With hardware allowed, the platform's hardware
encoders are tried in order: VideoToolbox on macOS; NVENC, Quick Sync and VAAPI elsewhere. A build of ffmpeg
often *lists* encoders the machine cannot run (no GPU, no driver), so a candidate counts only when `ffmpeg
-encoders` lists it AND a tiny test encode succeeds. The answer is remembered per ffmpeg binary for the process.

`SHOTLINE_FORCE_ENCODER` names an encoder to use first without the test encode (for support and for tests that
need a hardware encode to fail mid-export, to prove the fallback to software).
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from shotline.core.errors import RenderFailed
from shotline.core.model import Codec, ExportSettings, Size
from shotline.media import lifeline

log = logging.getLogger(__name__)

FORCE_ENCODER_ENV = "SHOTLINE_FORCE_ENCODER"
VAAPI_DEVICE = "/dev/dri/renderD128"
TEST_ENCODE_TIMEOUT_S = 20

SOFTWARE = {Codec.H264: "libx264", Codec.H265: "libx265", Codec.PRORES: "prores_ks"}
_HARDWARE_MAC = {
    Codec.H264: ("h264_videotoolbox",),
    Codec.H265: ("hevc_videotoolbox",),
    Codec.PRORES: ("prores_videotoolbox",),
}
_HARDWARE_OTHER = {
    Codec.H264: ("h264_nvenc", "h264_qsv", "h264_vaapi"),
    Codec.H265: ("hevc_nvenc", "hevc_qsv", "hevc_vaapi"),
    Codec.PRORES: (),
}
AUDIO_ONLY = {Codec.WAV: "pcm_s24le", Codec.M4A: "aac"}
CODEC_NAMES = {
    Codec.H264: "H.264",
    Codec.H265: "H.265",
    Codec.PRORES: "ProRes 422",
    Codec.WAV: "WAV",
    Codec.M4A: "M4A",
}


@dataclass(frozen=True, slots=True)
class Encoder:
    """An ffmpeg video encoder and how to drive it."""

    name: str
    codec: Codec

    @property
    def hardware(self) -> bool:
        return self.name not in SOFTWARE.values()

    @property
    def family(self) -> str:
        """The encoder family: software, videotoolbox, nvenc, qsv or vaapi."""
        return self.name.rsplit("_", 1)[-1] if self.hardware else "software"

    def device_args(self) -> list[str]:
        """Options before the inputs: VAAPI needs its render device opened."""
        return ["-vaapi_device", VAAPI_DEVICE] if self.family == "vaapi" else []

    def upload_filter(self) -> tuple[str, ...]:
        """Filters at the end of the picture graph: VAAPI encodes frames that live on the GPU."""
        return ("format=nv12", "hwupload") if self.family == "vaapi" else ()

    def output_args(self, settings: ExportSettings) -> list[str]:
        """The picture's encoder options for `settings` (quality maps from the x264-style crf)."""
        args = ["-c:v", self.name]
        family, crf = self.family, settings.crf
        if self.codec is Codec.PRORES:
            args += ["-profile:v", "2"] if self.name == "prores_ks" else ["-profile:v", "standard"]
            return [*args, "-pix_fmt", "yuv422p10le" if self.name == "prores_ks" else "p210le"]
        if family == "software":
            args += ["-crf", str(crf), "-preset", settings.preset, "-pix_fmt", settings.pixel_format]
            if self.codec is Codec.H265:
                args += ["-x265-params", "log-level=error"]
        elif family == "nvenc":
            args += ["-preset", "p4", "-rc", "vbr", "-cq", str(crf), "-b:v", "0", "-pix_fmt", "yuv420p"]
        elif family == "qsv":
            args += ["-global_quality", str(crf), "-pix_fmt", "nv12"]
        elif family == "vaapi":
            args += ["-rc_mode", "CQP", "-qp", str(crf)]
        elif family == "videotoolbox":
            # VideoToolbox has no crf: its quality scale runs 0–100 (higher is better)
            args += ["-q:v", str(max(1, min(100, 100 - 2 * crf))), "-pix_fmt", "yuv420p"]
        if self.codec is Codec.H265:
            args += ["-tag:v", "hvc1"]  # so Apple players open H.265 in MP4/MOV
        return args


def candidates(codec: Codec, *, hardware: bool, platform: str = sys.platform) -> tuple[str, ...]:
    """Encoder names to try for `codec`, best first; software last so there is always one."""
    if codec.audio_only:
        return ()
    wanted: tuple[str, ...] = ()
    if hardware:
        wanted = (_HARDWARE_MAC if platform == "darwin" else _HARDWARE_OTHER)[codec]
    return (*wanted, SOFTWARE[codec])


def software(codec: Codec) -> Encoder:
    return Encoder(SOFTWARE[codec], codec)


def pick_encoder(settings: ExportSettings, ffmpeg: Path) -> Encoder | None:
    """The encoder an export uses: a working hardware one when allowed, else software; None for sound only.

    Blocking (it may run test encodes, a fraction of a second each, once per ffmpeg): call it off the GUI thread.
    """
    codec = settings.codec
    if codec.audio_only:
        return None
    forced = os.environ.get(FORCE_ENCODER_ENV, "").strip()
    if forced:
        log.info("using the encoder %s named by %s", forced, FORCE_ENCODER_ENV)
        return Encoder(forced, codec)
    for name in candidates(codec, hardware=settings.hardware)[:-1]:
        if name in listed_encoders(str(ffmpeg)) and encoder_works(str(ffmpeg), name, codec):
            return Encoder(name, codec)
        log.info("hardware encoder %s is not usable here; trying the next", name)
    return software(codec)


@functools.cache
def listed_encoders(ffmpeg: str) -> frozenset[str]:
    """The encoder names this ffmpeg build lists (cached per binary: it never changes while we run)."""
    try:
        done = lifeline.run([ffmpeg, "-hide_banner", "-encoders"], timeout=TEST_ENCODE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    names = set()
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS":
            names.add(parts[1])
    return frozenset(names)


@functools.cache
def encoder_works(ffmpeg: str, name: str, codec: Codec) -> bool:
    """Whether `name` can really encode here: a few frames of a lavfi source to the null muxer."""
    encoder = Encoder(name, codec)
    settings = ExportSettings(Size(256, 144), Fraction(25), codec=codec)
    graph = ",".join(("format=yuv420p", *encoder.upload_filter()))
    argv = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        *encoder.device_args(),
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=256x144:r=25:d=0.2",
        "-vf",
        graph,
        "-frames:v",
        "3",
        *encoder.output_args(settings),
        "-f",
        "null",
        "-",
    ]
    try:
        done = lifeline.run(argv, timeout=TEST_ENCODE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("test encode with %s did not finish: %s", name, exc)
        return False
    if done.returncode != 0:
        log.info("test encode with %s failed: %s", name, done.stderr.strip()[-300:])
    return done.returncode == 0


def audio_args(settings: ExportSettings) -> list[str]:
    """The sound's encoder options: AAC beside H.264/H.265 and in M4A, PCM in ProRes MOVs and WAV."""
    codec = settings.codec
    if codec is Codec.WAV:
        return ["-c:a", AUDIO_ONLY[codec]]
    if codec is Codec.PRORES:
        return ["-c:a", "pcm_s16le"]
    return ["-c:a", "aac", "-b:a", settings.audio_bitrate]


def check_extension(codec: Codec, output: Path) -> None:
    """Refuse a file name whose ending does not suit the codec's container, saying which endings do."""
    if output.suffix.lower() in codec.extensions:
        return
    endings = ", ".join(codec.extensions)
    suggestion = output.with_suffix(codec.extensions[0]).name
    raise RenderFailed(
        f"{output.name} cannot hold {CODEC_NAMES[codec]}: use a file ending in {endings} (for example {suggestion})."
    )
