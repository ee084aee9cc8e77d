"""Measuring sound in tests: decode a file or a pydub segment to float samples, then levels, onsets and tones.

Levels are RMS in dBFS of the first channel (-inf → a floor of -150 dB so differences stay finite).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import av
import numpy as np

from tests.clips import ffmpeg_exe

SILENCE_DB = -150.0


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """All samples of `path` as float64 in [-1, 1], shape (samples, channels), and the sample rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        channels = stream.channels
        resampler = av.AudioResampler(format="dbl", layout="stereo" if channels == 2 else "mono", rate=rate)
        chunks = [
            out.to_ndarray().reshape(-1, channels) for f in container.decode(stream) for out in resampler.resample(f)
        ]
        chunks += [out.to_ndarray().reshape(-1, channels) for out in resampler.resample(None)]
    return np.concatenate(chunks), int(rate)


def segment_samples(segment: object) -> np.ndarray:
    """A pydub AudioSegment as float64 samples, shape (samples, channels)."""
    raw = np.array(segment.get_array_of_samples(), dtype=np.float64)  # type: ignore[attr-defined]
    full_scale = float(1 << (8 * segment.sample_width - 1))  # type: ignore[attr-defined]
    return raw.reshape(-1, segment.channels) / full_scale  # type: ignore[attr-defined]


def db(value: float) -> float:
    return max(SILENCE_DB, 20 * float(np.log10(value))) if value > 0 else SILENCE_DB


def rms_db(samples: np.ndarray) -> float:
    mono = samples[:, 0] if samples.ndim == 2 else samples
    return db(float(np.sqrt(np.mean(mono**2)))) if len(mono) else SILENCE_DB


def window_levels(samples: np.ndarray, rate: int, window_s: float = 0.05) -> np.ndarray:
    """RMS dBFS of consecutive windows of `window_s`."""
    size = round(rate * window_s)
    count = len(samples) // size
    return np.array([rms_db(samples[i * size : (i + 1) * size]) for i in range(count)])


def level_between(samples: np.ndarray, rate: int, start_s: float, end_s: float) -> float:
    return rms_db(samples[round(start_s * rate) : round(end_s * rate)])


def onset(samples: np.ndarray, rate: int, threshold: float = 0.05) -> float:
    """Seconds to the first sample louder than `threshold` (a beep's start)."""
    loud = np.nonzero(np.abs(samples[:, 0]) > threshold)[0]
    assert len(loud), "no sound above the threshold"
    return float(loud[0]) / rate


def tone_db(samples: np.ndarray, rate: int, hz: float) -> float:
    """Level (dBFS, as a sine's RMS) of the `hz` component, by a Hann-windowed FFT of the first channel."""
    mono = samples[:, 0]
    window = np.hanning(len(mono))
    spectrum = np.abs(np.fft.rfft(mono * window))
    freqs = np.fft.rfftfreq(len(mono), 1 / rate)
    band = (freqs > hz - 15) & (freqs < hz + 15)
    # Parseval over the tone's main lobe: a sine of amplitude A puts (A/2)^2 * N * sum(w^2) of energy there
    amplitude = 2 * np.sqrt(np.sum(spectrum[band] ** 2) / (len(mono) * np.sum(window**2)))
    return db(float(amplitude) / np.sqrt(2))


def tone(path: Path, *, hz: float, seconds: float, amplitude: float = 0.25, rate: int = 48000) -> Path:
    """A stereo WAV sine of `hz` at `amplitude` (peak) for `seconds`."""
    wave = f"{amplitude}*sin(2*PI*{hz}*t)"
    _ffmpeg(["-f", "lavfi", "-i", f"aevalsrc={wave}|{wave}:s={rate}:d={seconds}", "-c:a", "pcm_s16le", str(path)])
    return path


def _ffmpeg(argv: list[str]) -> None:
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"ffmpeg failed making a test sound: {done.stderr}")


def tone_clip(path: Path, *, hz: float, seconds: float, amplitude: float = 0.25, fps: str = "30") -> Path:
    """A tiny video with a steady `hz` tone as AAC in MP4 (320x180), like a generated shot with sound."""
    wave = f"{amplitude}*sin(2*PI*{hz}*t)"
    _ffmpeg(
        [
            *("-f", "lavfi", "-i", f"color=c=gray:size=320x180:rate={fps}:duration={seconds}"),
            *("-f", "lavfi", "-i", f"aevalsrc={wave}|{wave}:s=48000:d={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k"),
            *("-t", str(seconds), str(path)),
        ]
    )
    return path


def render_with_ffmpeg(mix: object, output: Path) -> np.ndarray:
    """Render an AudioMix with the export's ffmpeg graph (through the app's process runner) and read it back."""
    import asyncio

    from shotline.media.audio_graph import mix_argv
    from shotline.media.process import run_ffmpeg

    asyncio.run(run_ffmpeg(mix_argv(mix, output, Path(ffmpeg_exe()))))  # type: ignore[arg-type]
    samples, _ = read_wav(output)
    return samples


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of `path` by ffmpeg's EBU R128 meter, from its summary: an
    independent check on what the app measured (which reads the meter's running figures)."""
    done = subprocess.run(
        [
            *(ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path)),
            *("-af", "ebur128=peak=true", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    summary = done.stderr[done.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, done.stderr[-800:]
    return float(integrated[1]), float(peak[1])
