"""Captions: made from the dialogue lines and timed to their voices, edited on the captions lane (undoable).

A line voiced on the voice-over lane (`core.voice_takes`: one clip per line) is timed to that clip where it plays,
word by word when the voice's provider said when each word is said (`words`, in the clip's own time), else spread
over the clip; any other line over its shot (`core.captions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from shotline.core import commands
from shotline.core.captions import Voicing, Word, captions_from_lines
from shotline.core.errors import EditError
from shotline.core.model import AudioClip, Caption, ExportSettings, Project
from shotline.core.voice_takes import voice_clip
from shotline.services.session import ProjectSession
from shotline.services.voices import spoken_words

WordsOf = Callable[[AudioClip], Sequence[Word]]
"""The words a voice clip's take says, each timed in the take's own time (µs from its start); none when its
provider gave no word times."""


def no_words(clip: AudioClip) -> Sequence[Word]:
    return ()


def said_words(bundle_path: Path) -> WordsOf:
    """The words each voice clip's take says, as its provider timed them (kept beside the sound by
    `services.voices`); none for a take whose provider gave no word times."""
    return lambda clip: [Word(text, start, end) for text, start, end in spoken_words(bundle_path, clip)]


def voicings(project: Project, words_of: WordsOf = no_words) -> dict[str, Voicing]:
    """Where each voiced dialogue line plays on the timeline, by line id, with its words placed there (those cut
    off by the clip's trim left out)."""
    found: dict[str, Voicing] = {}
    for shot in project.shots:
        for line in shot.dialogue:
            clip = voice_clip(project, line.id)
            if clip is None or clip.muted or clip.duration_us <= 0:
                continue
            placed = tuple(
                Word(
                    word.text,
                    clip.start_us + word.start_us - clip.trim.in_us,
                    clip.start_us + word.end_us - clip.trim.in_us,
                )
                for word in words_of(clip)
                if clip.trim.in_us <= word.start_us < clip.trim.out_us
            )
            found[line.id] = Voicing(line.id, clip.start_us, clip.end_us, placed)
    return found


def make_captions(session: ProjectSession, words_of: WordsOf | None = None) -> tuple[Caption, ...]:
    """Make the captions again from the lines, as one undoable step; the creator's edited captions are kept. The
    voices' words are read from the project unless `words_of` says otherwise."""
    command = remake_captions(session.project, words_of or said_words(session.bundle.path))
    if command is not None:
        session.execute(command)
    return session.project.captions


def remake_captions(project: Project, words_of: WordsOf = no_words) -> commands.Command | None:
    """The undoable step that makes `project`'s captions again from its lines; None when they would be the same
    (no step that changes nothing but their ids)."""
    made = captions_from_lines(project, voicings(project, words_of))
    if [_shown(c) for c in made] == [_shown(c) for c in project.captions]:
        return None
    return commands.set_captions(made, "Make captions from lines")


def check_caption_choices(project: Project, settings: ExportSettings) -> None:
    """Refuse (EditError) captions asked of an export that cannot have them, saying what to do instead."""
    chosen = settings.captions
    if not chosen.any:
        return
    if not project.captions:
        raise EditError(
            "This film has no captions yet; make them from its dialogue lines (the timeline's Captions lane, or "
            "shotline captions make) before exporting with captions."
        )
    if settings.codec.audio_only and (chosen.burn or chosen.soft):
        raise EditError(
            "A sound-only export has no picture to draw captions into or to carry a subtitle track beside; export "
            "the captions as files beside it, or export a video."
        )


def _shown(caption: Caption) -> tuple[int, int, str, str, str | None, bool]:
    return caption.start_us, caption.end_us, caption.text, caption.speaker, caption.line_id, caption.edited
