"""The one length rule: what a shot asks for, fitted to what its model makes."""

from __future__ import annotations

import dataclasses

import pytest

from shotline.core.errors import InputRejected
from shotline.core.lengths import LengthFit, fit_length, lengths_text
from shotline.core.ports import ModelInfo

S = 1_000_000
KLING = ModelInfo("kling", "Kling", durations_us=(5 * S, 10 * S), min_duration_us=5 * S, max_duration_us=10 * S)
RANGE = ModelInfo("range", "Ranged", min_duration_us=4 * S, max_duration_us=20 * S)


def test_nearest_breaks_a_tie_towards_the_longer_clip() -> None:
    fitted = fit_length(KLING, 7_500_000)
    assert fitted.made_us == 10 * S
    assert fitted.describe() == "asks 7.5 s → 10 s will be made and billed"
    assert fit_length(KLING, 7_400_000).made_us == 5 * S


def test_at_least_holds_the_whole_shot_and_refuses_a_longer_one() -> None:
    ray = dataclasses.replace(KLING, label="Ray", durations_us=(5 * S, 9 * S), length_fit=LengthFit.AT_LEAST)
    assert fit_length(ray, 5_100_000).made_us == 9 * S
    with pytest.raises(InputRejected, match=r"Ray makes clips of 5 or 9 s, not 9\.5 s"):
        fit_length(ray, 9_500_000)


def test_exact_never_changes_a_length() -> None:
    veo = dataclasses.replace(KLING, label="Veo", durations_us=(4 * S, 6 * S, 8 * S), length_fit=LengthFit.EXACT)
    assert not fit_length(veo, 6 * S).changed
    with pytest.raises(InputRejected, match="4, 6 or 8 s, not 7 s"):
        fit_length(veo, 7 * S)


def test_a_range_is_fitted_to_its_step_and_bounds() -> None:
    assert fit_length(RANGE, 7_400_000).made_us == 7 * S
    assert fit_length(RANGE, 30 * S).made_us == 20 * S
    assert lengths_text(RANGE) == "4–20 s in whole seconds"
    frames = dataclasses.replace(RANGE, length_step_us=0)
    assert not fit_length(frames, 7_400_000).changed
