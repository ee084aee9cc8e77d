"""The storyboard: one card per shot, with the panel, its list model and the card painter."""

from __future__ import annotations

from shotline.ui.storyboard.model import ShotListModel, ShotRole
from shotline.ui.storyboard.panel import StoryboardPanel

__all__ = ["ShotListModel", "ShotRole", "StoryboardPanel"]
