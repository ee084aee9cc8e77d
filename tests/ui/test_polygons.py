"""polygon(): numpy coordinates land in the QPolygonF's points, in order, without a Python object per point."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from shotline.ui.timeline.polygons import polygon


def test_the_points_are_the_coordinates_in_order() -> None:
    xs = np.linspace(0.5, 999.5, 1000)
    ys = np.sin(xs) * 20 + 30
    shape = polygon(xs, ys)
    assert shape.size() == 1000
    assert shape.at(0) == QPointF(xs[0], ys[0])
    assert shape.at(999) == QPointF(xs[999], ys[999])
    assert [(p.x(), p.y()) for p in shape] == list(zip(xs.tolist(), ys.tolist(), strict=True))


def test_the_polygon_owns_its_points() -> None:
    xs, ys = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    shape = polygon(xs, ys)
    xs[:] = 0  # changing the arrays afterwards changes nothing
    del ys
    assert [(p.x(), p.y()) for p in shape] == [(1.0, 4.0), (2.0, 5.0), (3.0, 6.0)]
    assert polygon(np.array([]), np.array([])).isEmpty()


def test_mismatched_coordinates_are_refused() -> None:
    with pytest.raises(ValueError, match="equally long"):
        polygon(np.zeros(3), np.zeros(4))
