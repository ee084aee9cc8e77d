"""How the command line names a shot in what it prints: by position and title, as the creator sees it in the list."""

from __future__ import annotations

from shotline.core.model import Shot

NAME_CHARS = 40
"""How much of a shot's title or prompt a message quotes."""


def named(number: int, shot: Shot) -> str:
    """'shot 3 "Harbour at dawn"' — by position and the title (or the start of the prompt)."""
    name = shot.title.strip() or shot.prompt.strip().split("\n")[0]
    if len(name) > NAME_CHARS:
        name = name[: NAME_CHARS - 1].rstrip() + "…"
    return f'shot {number} "{name}"' if name else f"shot {number}"
