"""How alike two frames look: the measure the continuity check uses where one shot is meant to pick up exactly where
the previous one ends.

Both frames are decoded upright (as the export shows them) and averaged down to a small grid of `GRID`×`GRID` cells,
each cell the mean colour of its part of the picture. Averaging first means compression noise, grain and a few
pixels of movement between the two frames do not count; a different place, a different light or a character that
jumped across the frame does. The difference is the mean absolute difference of the cells' red, green and blue
values, as a share of the full range (0 the same picture, 1 white against black).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from shotline.media.frame_reader import FrameReader, Picture

GRID = 16
"""Cells across and down: coarse enough that motion within a cell is averaged away, fine enough to see layout."""
DECODE_BOX = 128
"""The size the frame is scaled into before averaging (the scaler's own filtering already smooths it)."""


def frame_at(path: Path, at_us: int) -> NDArray[np.float64]:
    """The frame shown at `at_us` (µs on the take's clock) as GRID×GRID mean colours in 0–1; slow (decodes)."""
    reader = FrameReader(path)
    try:
        picture = reader.picture_at(at_us, DECODE_BOX, DECODE_BOX)
    finally:
        reader.close()
    return _cells(picture)


def difference(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Mean absolute difference of two frames' cells (`frame_at`), 0–1."""
    return float(np.mean(np.abs(a - b)))


def _cells(picture: Picture) -> NDArray[np.float64]:
    rgb = np.frombuffer(picture.rgb, dtype=np.uint8).reshape(picture.height, picture.width, 3) / 255.0
    # a very wide or tall picture scaled into the box may have fewer rows (columns) than cells: repeat them
    rgb = rgb.repeat(-(-GRID // picture.height), axis=0).repeat(-(-GRID // picture.width), axis=1)
    # each cell averages the rows and columns that fall in it; pictures of other aspects land on the same grid
    rows = np.array_split(np.arange(rgb.shape[0]), GRID)
    cols = np.array_split(np.arange(rgb.shape[1]), GRID)
    return np.array([[rgb[np.ix_(r, c)].reshape(-1, 3).mean(axis=0) for c in cols] for r in rows])
