"""The rules every generation adapter follows alike, written once: each adapter reads its provider's words, and
this module decides what they mean for the creator's money and the job.

- **An unknown state** (a name a provider added after this Shotline was written) is a job still being worked on:
  it is followed on, never failed, because the provider may still finish it and bill it (`unknown_state`); a status
  answer that cannot be read at all is asked again, like one that never came (`unreadable`).
- **A safety stop** is recognised by one list of words and codes (`is_safety_stop`), whichever provider said it.
- **A job already gone** when it is cancelled (deleted, expired, finished and removed) is one exception, `JobGone`:
  for a cancel that is success, for anything else the job is over.
- **A provider's time** is read by one parser (`provider_time`, core.timestamps, which reads the job journal's
  times too): ISO 8601 or seconds since 1970; a time written without a zone is UTC, as every provider here writes
  it, never this computer's local time.
- **A model the provider no longer serves** is `ModelRetired` naming the replacement the catalogue gives for it
  (`ModelInfo.replacement`), else the one the provider or the adapter names (`retired`).
- **Retries** are planned here and made in one place, `ProviderHttp`, per request (`READS`, `CREATES`,
  `DOWNLOADS`); nothing above it repeats a request. Their worst case, written down with each plan, is what a
  creator can wait before being told the provider cannot be reached.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from shotline.core.errors import JobFailed, ModelRetired, TransientError
from shotline.core.ports import BackendInfo, JobState, JobStatus
from shotline.core.timestamps import utc_seconds

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- states


def unknown_state(provider: str, state: str, *, progress: float | None = None) -> JobStatus:
    """What a provider's unknown job state means: still working, followed on (and said so in the jobs panel).

    Failing it would leave a job the provider may still finish, and bill, without its clip; following it on costs
    a poll, and a job that really ended reaches a state Shotline knows or its status stops being given.
    """
    log.warning("%s reports a job state Shotline does not know: %r", provider, state)
    named = f"{state!r}" if state else "no state at all"
    return JobStatus(
        JobState.RUNNING,
        progress=progress,
        message=f"{provider} reports the job as {named}, which Shotline does not know; it keeps checking on it",
    )


def unreadable(provider: str) -> TransientError:
    """A job status that is not the object the provider documents: asked again at the next poll, as one that never
    came would be (jobs.generation follows a job through those), never the failure of a job it may still bill."""
    return TransientError(f"{provider} sent a job status Shotline could not read; it asks again.")


# ---------------------------------------------------------------------------------------------- safety

_SAFETY = re.compile(
    r"moderat"  # moderation, moderated (Runway, Luma, OpenAI, ComfyUI's partner nodes)
    r"|safety"  # SAFETY.INPUT.TEXT (Runway), safety filter/system (Google, OpenAI)
    r"|content[ _]?(?:policy|filter|blocked)"  # content_policy_violation (fal), content_filter (OpenAI), Google's code
    r"|\bharm(?:ful|_category)"  # HARM_CATEGORY_* (Google)
    r"|policy[ _]violation"
    r"|responsible ai"  # Google's Responsible AI practices
    r"|\bnsfw\b"
    r"|\bflagged\b|\bE005\b"  # "flagged as sensitive (E005)" (Replicate), flagged (Luma)
    r"|\bprohibited\b"
    r"|\binappropriate\b"
    r"|\bviolat(?:es|ed|ion|ing)\b",
    re.IGNORECASE,
)
"""The one list of words that mark a provider's safety stop, read from the providers' own answers: a job whose
failure says one of them is BLOCKED (the creator changes the prompt), anything else FAILED (trying again may do)."""


def is_safety_stop(*said: str) -> bool:
    """Whether a provider's words (a failure text, an error code, a type) say its safety filter stopped the job."""
    return any(_SAFETY.search(text) for text in said if text)


# ---------------------------------------------------------------------------------------------- gone


class JobGone(JobFailed):
    """The provider no longer has this job (deleted, expired, never known): asked to cancel it, nothing is left to
    stop, which is what the creator wanted; asked anything else, the job is over."""


# ---------------------------------------------------------------------------------------------- time


provider_time = utc_seconds
"""A provider's timestamp as seconds since 1970 (UTC), or None: core.timestamps.utc_seconds, the one parser the job
journal's times are read by too. A time without a zone is UTC, never this computer's local time."""


# ---------------------------------------------------------------------------------------------- retired models


def replacement_for(info: BackendInfo, model_id: str, named: str | None = None) -> str | None:
    """The model to use instead of `model_id`: the catalogue's replacement for it, else the one the provider (or
    the adapter's own list) named; never the model itself."""
    model = info.model(model_id) if model_id else None
    candidates = (model.replacement if model is not None else "", named or "")
    return next((c for c in candidates if c and c != model_id), None)


def retired(info: BackendInfo, model_id: str, provider: str, said: str = "", named: str | None = None) -> ModelRetired:
    """`ModelRetired` for a provider's "this model is no longer available", naming the replacement."""
    replacement = replacement_for(info, model_id, named)
    name = _label(info, model_id) if model_id else "this model"
    quoted = f" ({provider} said: {said})" if said else ""
    advice = (
        f" Move the shot to {_label(info, replacement)} instead."
        if replacement
        else " Choose another model for the shot."
    )
    return ModelRetired(f"{provider} no longer offers {name}{quoted}.{advice}", replacement=replacement)


def _label(info: BackendInfo, model_id: str) -> str:
    """The model as the creator knows it, with the id the provider and the CLI use: "Veo 3.1 (veo3.1)"."""
    model = info.model(model_id)
    return f"{model.label} ({model_id})" if model is not None and model.label != model_id else model_id


# ---------------------------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class Retries:
    """How often one request is tried, and how long is waited between tries (ProviderHttp applies it)."""

    attempts: int
    first_wait_s: float = 0.5
    """The first wait when the provider names none; each next one doubles, with up to half again of jitter."""
    max_wait_s: float = 60.0
    """No wait is longer, whatever a provider's Retry-After asks."""

    def wait_s(self, attempt: int, jitter: float) -> float:
        """The wait after failed try `attempt` (1-based) when the provider names none; `jitter` is 0..1."""
        return min(self.first_wait_s * 2.0 ** (attempt - 1) * (1 + jitter / 2), self.max_wait_s)

    def worst_case_s(self, try_s: float) -> float:
        """The longest a creator can wait before the request is given up: every try taking `try_s` (its timeout)
        and every wait as long as a provider may ask."""
        return self.attempts * try_s + (self.attempts - 1) * self.max_wait_s

    def usual_wait_s(self) -> float:
        """The waits alone when the provider names none, at their longest (full jitter)."""
        return sum(self.wait_s(attempt, 1.0) for attempt in range(1, self.attempts))


READS = Retries(attempts=5)
"""A read (status, list, result, cancel, upload): 5 tries. Waits of 0.5–0.75, 1–1.5, 2–3 and 4–6 s (≤ 11.25 s) when
the provider names none; at worst 4 × 60 s of Retry-After and 5 timeouts of 60 s: 9 minutes (READS.worst_case_s(60))."""

CREATES = Retries(attempts=3)
"""A create, tried again only after a 429 (the provider created nothing): 3 tries, at worst 2 × 60 s of waiting plus
3 timeouts of 60 s: 5 minutes. Anything else that fails after the create went out is never retried (AmbiguousSubmit)."""

DOWNLOADS = Retries(attempts=3)
"""A clip's download, each try resuming where the last stopped: 3 tries, waits of ≤ 0.75 and ≤ 1.5 s. An expired
link is not retried here; the job asks the provider for a fresh one, once (jobs.generation.LINK_REFRESHES)."""
