"""The timeline: one clip per shot, as wide as it plays, with filmstrips, trim handles, reorder, split and zoom."""

from __future__ import annotations

from shotline.ui.timeline.panel import TimelinePanel

__all__ = ["TimelinePanel"]
