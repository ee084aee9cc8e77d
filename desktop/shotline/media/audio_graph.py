"""The ffmpeg graph that plays an `AudioMix` as exactly `mix.samples` samples: the sound the export encodes straight
from the clips (`mix_source`), or writes to a WAV (`mix_argv`).

No process runs here; building the command reads each file's clock and where to seek in it (`media.clock`, PyAV,
cached). Each sound is read from its in point, conformed to the mix's rate and layout, cut or padded to its exact
length, given its gain, fades and ducking envelope, delayed to its first output sample, and summed with `amix`
without normalising (so a sound's level in the mix is its own level plus its gain). `mixdown` plays the same mix
with pydub; the two must agree, so both take the envelope from `Ducking.depth` at the centre of the same blocks of
samples.

A sound's in point is on its take's clock (`media.clock`: it starts at the first picture frame, or the first sound
sample of a file without picture), and the sound keeps its own offset from the picture on it. So each input is read
on the file's own timestamps (`-copyts`, `-noaccurate_seek`, from a seek point `media.clock` checked), shifted so
the in point is time 0, and `aresample` with `first_pts=0` starts it exactly there: sound that begins after the in
point gets silence before it, sound before it is cut. (Resetting each sound to zero on its own put a clip whose
sound starts 67 ms after its picture 67 ms early.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from shotline.media.clock import input_cut, seconds_arg
from shotline.media.intake import TAKE_INPUT, url
from shotline.media.mix import DUCK_BLOCK_SAMPLES, AudioMix, Ducking, Sound
from shotline.media.sound_source import SoundSource

WAV_CODEC = "pcm_f32le"
"""Float, so a mix that sums past full scale is kept whole instead of clipping."""
_LAYOUTS = {1: "mono", 2: "stereo"}
_START_ONLY = {"first_pts": 0, "min_comp": 0.000001, "min_hard_comp": 1e9, "max_soft_comp": 0}
"""`aresample` options that place a sound's first sample by its timestamp (padding silence before it or cutting
what lies before time 0) and leave the rest as it is: timestamps that wander later on are not chased, as before."""


def mix_source(mix: AudioMix, ffmpeg_exe: Path) -> SoundSource:
    """`mix` as ffmpeg makes it, read from its clips: no WAV is written between the mix and what is made of it."""
    argv: list[str] = ffmpeg.output(_mixed(mix), "-", f="null").compile(cmd=str(ffmpeg_exe))
    graph = argv.index("-filter_complex")
    label = argv[graph + 3]  # -filter_complex <graph> -map [label]
    return SoundSource((*argv[1:graph], "-copyts"), argv[graph + 1], label.strip("[]"))


def mix_argv(mix: AudioMix, output: Path, ffmpeg_exe: Path) -> list[str]:
    """The ffmpeg argv that writes `mix`, as the export makes it (`mix_source`), to the float WAV `output` (without
    the flags `run_ffmpeg` adds)."""
    wav = ["-c:a", WAV_CODEC, "-ar", str(mix.sample_rate), "-ac", str(mix.channels), "-f", "wav"]
    return [*mix_source(mix, ffmpeg_exe).argv(ffmpeg_exe, []), *wav, f"file:{output}"]


def _mixed(mix: AudioMix) -> Any:
    """The summed sound of `mix`, exactly `mix.samples` long, as an ffmpeg-python stream."""
    layout = _LAYOUTS[mix.channels]
    playing = [sound for sound in mix.sounds if sound.samples > 0]
    sources = _shared_inputs(playing)
    streams = [_sound_chain(sound, mix, *_next(sources[_read(sound)])) for sound in playing]
    if not streams:
        summed = ffmpeg.input(f"anullsrc=r={mix.sample_rate}:cl={layout}", f="lavfi").audio
    elif len(streams) == 1:
        summed = streams[0]
    else:
        summed = ffmpeg.filter(streams, "amix", inputs=len(streams), normalize=0, duration="longest")
    return (
        summed.filter("aformat", sample_fmts="flt", sample_rates=mix.sample_rate, channel_layouts=layout)
        .filter("apad", whole_len=mix.samples)
        .filter("atrim", end_sample=mix.samples)
    )


def _read(sound: Sound) -> tuple[Path, int]:
    """What a sound reads: its file, from its in point (µs on the take's clock)."""
    return sound.source, sound.source_in_us


def _next(source: tuple[Fraction, Iterator[Any]]) -> tuple[Fraction, Any]:
    return source[0], next(source[1])


def _shared_inputs(sounds: list[Sound]) -> dict[tuple[Path, int], tuple[Fraction, Iterator[Any]]]:
    """One input per distinct read; a read several sounds share (a repeated shot) goes through `asplit`, because
    ffmpeg-python merges identical nodes and ffmpeg refuses one output feeding two filters.

    No `-t`: each chain ends at its sound's last sample, and ffmpeg stops reading an input once its chain is done.
    """
    uses = Counter(_read(sound) for sound in sounds)
    inputs: dict[tuple[Path, int], tuple[Fraction, Iterator[Any]]] = {}
    for (source, in_us), count in uses.items():
        cut = input_cut(source, "audio", in_us)
        options: dict[str, Any] = {"noaccurate_seek": None}
        if cut.seek is not None:
            # absolute: ffmpeg's plain -ss counts from the container's start, the earliest of all its streams
            options.update(seek_timestamp=1, ss=seconds_arg(cut.seek))
        audio = ffmpeg.input(url(source), **TAKE_INPUT, **options).audio
        if count == 1:
            inputs[(source, in_us)] = cut.at, iter([audio])
        else:
            split = audio.filter_multi_output("asplit", count)
            inputs[(source, in_us)] = cut.at, iter([split.stream(index) for index in range(count)])
    return inputs


def _sound_chain(sound: Sound, mix: AudioMix, cut: Fraction, source: Any) -> Any:
    """One sound from file time `cut` (its in point), placed on the mix's samples with its gain, fades and duck."""
    stream = (
        source.filter("asetpts", f"round(PTS-{seconds_arg(cut)}/TB)")
        .filter("aresample", mix.sample_rate, **_START_ONLY)
        .filter("aformat", sample_fmts="flt", sample_rates=mix.sample_rate, channel_layouts=_LAYOUTS[mix.channels])
        .filter("apad", whole_len=sound.samples)
        .filter("atrim", end_sample=sound.samples)
        .filter("asetpts", "PTS-STARTPTS")
    )
    if sound.gain_db:
        stream = stream.filter("volume", f"{sound.gain_db:g}dB")
    if sound.fade_in_samples > 0:
        stream = stream.filter("afade", t="in", ss=0, ns=sound.fade_in_samples, curve=sound.fade_in_curve)
    if sound.fade_out_samples > 0:
        start = sound.samples - sound.fade_out_samples
        stream = stream.filter("afade", t="out", ss=start, ns=sound.fade_out_samples, curve=sound.fade_out_curve)
    if sound.duck is not None:
        # small frames, one gain each: the envelope moves in steps of DUCK_BLOCK_SAMPLES, as in the pydub mixdown
        stream = stream.filter("asetnsamples", n=DUCK_BLOCK_SAMPLES, p=0).filter(
            "volume", volume=duck_expression(sound.duck, sound.start_sample), eval="frame"
        )
    if sound.start_sample > 0:
        stream = stream.filter("adelay", delays=f"{sound.start_sample}S", all=1)
    return stream


def duck_expression(duck: Ducking, start_sample: int) -> str:
    """A `volume` expression (eval=frame) for `duck`: `Ducking.depth` at each block's centre, in output samples.

    The sound's timestamps start at 0 here, so `t*sample_rate` is the frame's first sample within the sound.
    (ffmpeg 9 leaves `nb_samples` and `nb_consumed_samples` NaN in this expression, so neither is used.)
    """
    at = f"({start_sample + DUCK_BLOCK_SAMPLES / 2:g}+t*sample_rate)"
    depths = [
        f"clip(min(({at}-{start - duck.attack_samples})/{max(duck.attack_samples, 1)}"
        f",({end + duck.release_samples}-{at})/{max(duck.release_samples, 1)}),0,1)"
        for start, end in duck.spans
    ]
    deepest = depths[0]
    for depth in depths[1:]:
        deepest = f"max({deepest},{depth})"
    return f"pow(10,{duck.amount_db:g}*{deepest}/20)"
