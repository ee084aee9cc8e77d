"""A cast member's voice: the one edit that sets it (or clears it), so a character sounds the same in every shot.

Bounds are the loader's (storage checks a voice's backend and id are given, and their lengths); which voices a
backend has is the services' to check (services.voices.choose_voice), since core knows no backend.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from shotline.core.commands import Command
from shotline.core.errors import EditError
from shotline.core.model import Project, VoiceChoice

MAX_FIELD = 200
"""Characters in a voice's backend, id or model (as project.json allows when it loads)."""


def set_member_voice(project: Project, member_id: str, voice: VoiceChoice | None) -> Project:
    member = project.member(member_id)
    if voice is not None:
        if not voice.backend or not voice.voice:
            raise EditError(f"@{member.name}'s voice needs a backend and a voice.")
        if max(len(voice.backend), len(voice.voice), len(voice.model)) > MAX_FIELD:
            raise EditError(f"@{member.name}'s voice names something longer than {MAX_FIELD} characters.")
    return replace(project, cast=tuple(replace(m, voice=voice) if m.id == member.id else m for m in project.cast))


def choose_voice(member_id: str, voice: VoiceChoice | None) -> Command:
    """One undo step: the member's voice set (None: spoken by this computer's default voice again)."""
    return Command("Choose voice", partial(set_member_voice, member_id=member_id, voice=voice))
