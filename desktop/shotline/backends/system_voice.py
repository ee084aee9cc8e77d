"""The offline voice: the operating system's own speech engine (SAPI5 on Windows, NSSpeechSynthesizer on macOS,
espeak-ng on Linux) through `pyttsx3`, so a film's lines can be spoken with no key and no network.

It answers at once like the cloud voices (backends.voices.SpokenAtOnce): the engine writes a WAV into the backend's
own folder and the job path fetches it from there. The engine is one per process and not thread-safe, so every line
is spoken under one lock, on a worker thread (the runner's loop never waits on it).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shotline.backends.voices import Spoken, SpokenAtOnce
from shotline.core.errors import InputRejected, JobFailed
from shotline.core.ports import GenerationRequest, ModelInfo

log = logging.getLogger(__name__)

_ENGINE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class SystemVoice:
    """One voice the OS engine has: its id (what a cast member's voice keeps) and the name the creator knows."""

    id: str
    name: str


def system_voices() -> list[SystemVoice]:
    """The voices this computer's speech engine has; empty when it has none (no engine installed)."""
    with _ENGINE_LOCK:
        try:
            engine = _engine()
            voices: Any = engine.getProperty("voices")
        except (ImportError, RuntimeError, OSError):
            return []
        return [SystemVoice(str(voice.id), str(voice.name or voice.id)) for voice in voices or ()]


_held: dict[str, Any] = {}
"""The one engine, with the voice it started with (each line sets its voice, so none inherits the last's). No
speaking rate is offered: espeak-ng applies a rate set between lines only some of the time (it queues it behind its
own voice loading), and a setting that is sometimes ignored is worse than none."""


def default_voice() -> str:
    """The id of the voice this computer's engine speaks with when none is chosen ("" with no engine)."""
    with _ENGINE_LOCK:
        try:
            _engine()
        except (ImportError, RuntimeError, OSError):
            return ""
        return str(_held.get("voice") or "")


def _quiet(*_args: object, **_kwargs: object) -> None:
    return None


def _engine() -> Any:
    if "engine" not in _held:
        import pyttsx3  # type: ignore[import-untyped]  # here: a command that never speaks loads no engine

        engine = pyttsx3.init()
        # pyttsx3's espeak driver prints "Audio saved to …" on standard output after each file, where `shotline`
        # prints what it made: that module's own print is silenced (nothing else of pyttsx3 prints)
        driver = sys.modules.get("pyttsx3.drivers.espeak")
        if driver is not None:
            driver.print = _quiet  # type: ignore[attr-defined]
        _held.update(engine=engine, voice=engine.getProperty("voice"))
        atexit.register(_let_go)
    return _held["engine"]


def _let_go() -> None:
    """Drop the engine while Python is still whole: pyttsx3's driver tears itself down in `__del__` with its module's
    globals, and dropped only when the interpreter clears modules, it printed "Exception ignored in: DriverProxy.__del__
    … 'NoneType' object has no attribute 'suppress'" as Shotline exited."""
    with _ENGINE_LOCK:
        _held.clear()


class SystemVoiceBackend(SpokenAtOnce):
    provider = "This computer's speech engine"

    async def speak(self, request: GenerationRequest, model: ModelInfo, voice: str, words: str) -> Spoken:
        sound = await asyncio.to_thread(_speak, words, voice)
        return Spoken(sound, "wav")


def _speak(words: str, voice: str) -> bytes:
    sound = _spoken_once(words, voice)
    if len(sound) <= _WAV_HEADER_BYTES:
        # pyttsx3's espeak-ng driver now and then writes an empty file for a line it speaks fine when asked again (seen
        # in about one run in five of the suite, never twice in a row); speaking is free and takes milliseconds
        log.info("The speech engine made no sound for %r; asking it once more", words[:40])
        sound = _spoken_once(words, voice)
    if len(sound) <= _WAV_HEADER_BYTES:
        raise JobFailed("This computer's speech engine made no sound for the line; try another voice.")
    return sound


_WAV_HEADER_BYTES = 44
"""A WAV file's header alone: the engine said nothing."""


def _spoken_once(words: str, voice: str) -> bytes:
    with _ENGINE_LOCK, tempfile.TemporaryDirectory(prefix="shotline-voice-") as folder:
        out = Path(folder) / "line.wav"
        try:
            engine = _engine()
            if voice and voice not in {str(v.id) for v in engine.getProperty("voices") or ()}:
                raise InputRejected(
                    f"This computer's speech engine has no voice {voice!r}; choose another in Cast & places."
                )
            wanted = voice or _held["voice"]
            if str(engine.getProperty("voice") or "").lower() != wanted.lower():
                # only when it changes: espeak-ng queues the change, and a voice set again is a needless reload
                engine.setProperty("voice", wanted)
            engine.save_to_file(words, str(out))
            engine.runAndWait()
        except ImportError:
            raise JobFailed(
                "Speaking offline needs the pyttsx3 package and the system's speech engine (espeak-ng on Linux)."
            ) from None
        except RuntimeError as exc:
            raise JobFailed(f"This computer's speech engine could not speak the line: {exc}") from None
        try:
            return out.read_bytes()
        except OSError:
            return b""
