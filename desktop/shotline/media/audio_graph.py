"""The ffmpeg command that renders an `AudioMix` to a WAV of exactly `mix.samples` samples (pure: no process runs).

Each sound is read from its in point, conformed to the mix's rate and layout, cut or padded to its exact length,
given its gain, fades and ducking envelope, delayed to its first output sample, and summed with `amix` without
normalising (so a sound's level in the mix is its own level plus its gain). `mixdown` plays the same mix with pydub;
the two must agree, so both take the envelope from `Ducking.depth` at the centre of the same blocks of samples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ffmpeg

from shotline.core.timecode import US_PER_SECOND
from shotline.media.mix import DUCK_BLOCK_SAMPLES, AudioMix, Ducking, Sound

PROTOCOLS = "file,pipe"
INPUT_MARGIN_US = 250_000
"""Read a little past a sound's end so its last sample is never lost; apad/atrim cut it exactly."""
WAV_CODEC = "pcm_f32le"
"""Float, so a mix that sums past full scale is kept whole for the loudness pass instead of clipping."""
_LAYOUTS = {1: "mono", 2: "stereo"}


def mix_argv(mix: AudioMix, output: Path, ffmpeg_exe: Path) -> list[str]:
    """The ffmpeg argv that writes `mix` to the WAV `output` (without the flags `run_ffmpeg` adds)."""
    layout = _LAYOUTS[mix.channels]
    playing = [sound for sound in mix.sounds if sound.samples > 0]
    sources = _shared_inputs(playing, mix)
    streams = [_sound_chain(sound, mix, next(sources[_read(sound, mix)])) for sound in playing]
    if not streams:
        summed = ffmpeg.input(f"anullsrc=r={mix.sample_rate}:cl={layout}", f="lavfi").audio
    elif len(streams) == 1:
        summed = streams[0]
    else:
        summed = ffmpeg.filter(streams, "amix", inputs=len(streams), normalize=0, duration="longest")
    exact = (
        summed.filter("aformat", sample_fmts="flt", sample_rates=mix.sample_rate, channel_layouts=layout)
        .filter("apad", whole_len=mix.samples)
        .filter("atrim", end_sample=mix.samples)
    )
    graph = ffmpeg.output(
        exact, f"file:{output}", acodec=WAV_CODEC, ar=mix.sample_rate, ac=mix.channels, f="wav"
    ).global_args("-y")
    argv: list[str] = graph.compile(cmd=str(ffmpeg_exe))
    return argv


def _read(sound: Sound, mix: AudioMix) -> tuple[Path, int, int]:
    """What a sound reads: its file, from its in point, for how long (µs)."""
    return sound.source, sound.source_in_us, round(sound.samples * US_PER_SECOND / mix.sample_rate) + INPUT_MARGIN_US


def _shared_inputs(sounds: list[Sound], mix: AudioMix) -> dict[tuple[Path, int, int], Iterator[Any]]:
    """One input per distinct read; a read several sounds share (a repeated shot) goes through `asplit`, because
    ffmpeg-python merges identical nodes and ffmpeg refuses one output feeding two filters."""
    uses = Counter(_read(sound, mix) for sound in sounds)
    inputs: dict[tuple[Path, int, int], Iterator[Any]] = {}
    for (source, in_us, read_us), count in uses.items():
        seek = {"ss": _seconds(in_us)} if in_us > 0 else {}
        # no `-ss 0`: with it ffmpeg keeps an AAC source's priming samples and the sound plays ~23 ms early
        audio = ffmpeg.input(f"file:{source}", t=_seconds(read_us), protocol_whitelist=PROTOCOLS, **seek).audio
        if count == 1:
            inputs[(source, in_us, read_us)] = iter([audio])
        else:
            split = audio.filter_multi_output("asplit", count)
            inputs[(source, in_us, read_us)] = iter([split.stream(index) for index in range(count)])
    return inputs


def _sound_chain(sound: Sound, mix: AudioMix, source: Any) -> Any:
    stream = (
        source.filter("asetpts", "PTS-STARTPTS")
        .filter("aresample", mix.sample_rate)
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


def _seconds(us: int) -> str:
    whole, rest = divmod(us, US_PER_SECOND)
    return f"{whole}.{rest:06d}"
