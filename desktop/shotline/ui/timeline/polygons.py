"""Build a QPolygonF straight from numpy coordinates.

A waveform is a polygon with two points per pixel column; making each point a Python QPointF costs about a
microsecond apiece on the GUI thread, every repaint. Writing the coordinates into the polygon's own storage costs
nothing worth measuring. (pyqtgraph draws its curves the same way: `ndarray_from_qpolygonf`.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shiboken6
from PySide6.QtGui import QPolygonF

_VoidPtr: Any = shiboken6.VoidPtr
"""shiboken6's stub knows only VoidPtr(int); it also takes a wrapped object, a size and writability."""


def polygon(xs: np.ndarray, ys: np.ndarray) -> QPolygonF:
    """The polygon through (xs[i], ys[i]) in order."""
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError("need two equally long rows of coordinates")
    shape = QPolygonF()
    shape.resize(len(xs))
    if len(xs):
        # QPolygonF is a contiguous QList<QPointF>, each point two doubles (x, y): view its storage as an array.
        storage = _VoidPtr(shape.data(), len(xs) * 16, True)
        points = np.frombuffer(storage, dtype=np.float64).reshape(-1, 2)
        points[:, 0] = xs
        points[:, 1] = ys
    return shape
