"""Keep the garbage collector from pausing the window.

A full collection walks every object Python holds — with Qt's wrappers that took ~60 ms here, long enough to be
felt as a hitch while jobs and exports run. After a project opens (and after one closes) the objects that will
live on are moved out of the collector's reach with `gc.freeze()`, so later collections scan only what is new.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what is garbage now, then exempt everything still alive from future full collections."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Give frozen objects back to the collector (a project closed: much of what was frozen is garbage now)."""
    gc.unfreeze()
    settle()
