"""The sharing progress in the status bar reads as the export's does (issue 14, point 11, shared): one percentage,
on the bar, and a time left that does not leap when the work goes unevenly."""

from __future__ import annotations

import itertools
import re

from shotline.ui.background_work import ProgressIndicator


def test_one_percentage_and_a_steady_time_left(qtbot) -> None:
    indicator = ProgressIndicator()
    qtbot.addWidget(indicator)
    indicator.start("Sharing…")
    shown = []
    for elapsed_s, fraction in ((2.0, 0.08), (3.0, 0.1251), (4.0, 0.126), (5.0, 0.128), (6.0, 0.13), (7.0, 0.2)):
        indicator.show_progress("Sharing…", fraction, elapsed_s)
        percents = set(re.findall(r"\d+%", indicator.bar.text())) | set(re.findall(r"\d+%", indicator.label.text()))
        assert len(percents) == 1, (indicator.bar.text(), indicator.label.text())
        match = re.search(r"about (\d+):(\d\d) left", indicator.label.text())
        assert match, indicator.label.text()
        shown.append((elapsed_s, int(match[1]) * 60 + int(match[2])))
    for (before_s, before), (after_s, after) in itertools.pairwise(shown):
        assert after - before <= (after_s - before_s) + 1, shown
