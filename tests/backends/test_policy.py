"""The adapters' shared policy (backends/policy.py): one safety list, one time parser, one reading of an unknown
state, the replacement for a retired model, and the retry plans' worst cases as their docstrings write them down."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from shotline.backends.policy import (
    CREATES,
    DOWNLOADS,
    READS,
    is_safety_stop,
    provider_time,
    replacement_for,
    retired,
    unknown_state,
)
from shotline.core.ports import BackendInfo, BackendKind, JobState, ModelInfo
from shotline.jobs import generation

# ---------------------------------------------------------------------------------------------- safety

STOPPED = [
    "SAFETY.INPUT.TEXT",  # Runway's failureCode
    "content_policy_violation",  # fal's error type
    "The prompt was blocked by safety filters (prohibited content).",  # Google
    "400: prompt not allowed because advanced moderation failed",  # Luma
    "moderation_blocked",  # OpenAI's code
    "The input or output was flagged as sensitive. Please try again with different inputs. (E005)",  # Replicate
    "Content moderation: the prompt was flagged by the safety filter.",  # a ComfyUI partner node
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",  # Google's classic safety categories
    "content_filter",
]
NOT_STOPPED = [
    "INTERNAL.BAD_OUTPUT.CODE01",
    "Runner disconnected",
    "Video generation failed due to an internal error.",
    "Job failed: the generation could not be completed",
    "CUDA out of memory. Tried to allocate 2.00 GiB",
    "Rate limit exceeded; harmony restored in 30 s",
    "",
]


@pytest.mark.parametrize("said", STOPPED)
def test_every_providers_safety_stop_is_known_by_the_one_list(said: str) -> None:
    assert is_safety_stop(said)


@pytest.mark.parametrize("said", NOT_STOPPED)
def test_other_failures_are_not_taken_for_safety_stops(said: str) -> None:
    assert not is_safety_stop(said)


def test_any_of_several_words_may_say_it() -> None:
    assert is_safety_stop("", "INTERNAL", "SAFETY.OUTPUT.VIDEO")
    assert not is_safety_stop("", "INTERNAL")


# ---------------------------------------------------------------------------------------------- time


@pytest.fixture
def far_from_utc() -> Iterator[None]:
    """This computer's clock in a zone far from UTC, where reading a provider's time as local would be hours off."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"  # UTC+14
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.mark.usefixtures("far_from_utc")
@pytest.mark.parametrize(
    "written",
    [
        "2026-11-01T10:00:00Z",
        "2026-11-01T10:00:00z",
        "2026-11-01T10:00:00+00:00",
        "2026-11-01T12:00:00+02:00",
        "2026-11-01T10:00:00",  # no zone: UTC, never this computer's local time
        " 2026-11-01T10:00:00.000000Z ",
        1_793_527_200,
        1_793_527_200.0,
    ],
)
def test_a_providers_time_is_read_as_utc_whatever_the_computers_zone(written: object) -> None:
    assert provider_time(written) == 1_793_527_200.0


@pytest.mark.parametrize("written", [None, "", "yesterday", "2026-13-45T99:00:00Z", True, [], {}])
def test_what_is_not_a_time_is_none(written: object) -> None:
    assert provider_time(written) is None


# ---------------------------------------------------------------------------------------------- states, models


def test_an_unknown_state_is_followed_on_and_named() -> None:
    status = unknown_state("Runway", "WARMING_UP", progress=0.2)
    assert status.state is JobState.RUNNING and not status.state.is_final
    assert status.progress == 0.2 and "'WARMING_UP'" in status.message and "keeps checking" in status.message


INFO = BackendInfo(
    id="cloudy",
    name="Cloudy",
    kind=BackendKind.CLOUD,
    models=(
        ModelInfo(id="v1", label="Vision 1", retired="2026-10-22", replacement="v2"),
        ModelInfo(id="v2", label="Vision 2"),
        ModelInfo(id="v3", label="Vision 3"),
    ),
)


def test_the_catalogues_replacement_comes_first_then_the_one_the_provider_named() -> None:
    assert replacement_for(INFO, "v1", named="v3") == "v2"
    assert replacement_for(INFO, "v2", named="v3") == "v3"
    assert replacement_for(INFO, "gone-model", named="v3") == "v3"
    assert replacement_for(INFO, "v3", named="v3") is None, "never the model itself"
    assert replacement_for(INFO, "", named=None) is None


def test_a_retired_model_is_named_with_its_replacement() -> None:
    error = retired(INFO, "v1", "Cloudy", "model v1 is no longer available")
    assert error.replacement == "v2"
    assert str(error) == (
        "Cloudy no longer offers Vision 1 (v1) (Cloudy said: model v1 is no longer available). "
        "Move the shot to Vision 2 (v2) instead."
    )
    unknown = retired(INFO, "", "Cloudy")
    assert (
        unknown.replacement is None
        and str(unknown) == "Cloudy no longer offers this model. Choose another model for the shot."
    )


# ---------------------------------------------------------------------------------------------- retries


def test_the_retry_plans_worst_cases_are_the_ones_written_down() -> None:
    # policy.READS: "≤ 11.25 s" of waits the provider names none of; "9 minutes" at worst with 60 s timeouts
    assert READS.attempts == 5 and READS.usual_wait_s() == 11.25
    assert READS.worst_case_s(60.0) == 9 * 60
    # policy.CREATES: 3 tries, "5 minutes" at worst
    assert CREATES.attempts == 3 and CREATES.worst_case_s(60.0) == 5 * 60
    # policy.DOWNLOADS: "waits of ≤ 0.75 and ≤ 1.5 s"
    assert DOWNLOADS.attempts == 3 and [DOWNLOADS.wait_s(n, 1.0) for n in (1, 2)] == [0.75, 1.5]
    # jobs.generation: an outage is followed for 10 minutes, on top of one poll's worst case, then the run ends
    assert generation.UNREACHABLE_FOR_S + READS.worst_case_s(60.0) == 19 * 60
    assert generation.LINK_REFRESHES == 1


def test_no_wait_is_longer_than_the_plans_longest() -> None:
    plan = replace(READS, attempts=20)
    assert max(plan.wait_s(n, 1.0) for n in range(1, 20)) == plan.max_wait_s == 60.0
