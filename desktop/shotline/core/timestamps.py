"""When something happened, as a provider or the job journal writes it down: one reading of a timestamp for both.

Every provider here writes its times in UTC, and so does the journal; a time written without a zone is therefore
UTC, never this computer's local time (which would move find()'s window, or a job's sending time, by hours).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_seconds(value: object) -> float | None:
    """`value` as seconds since 1970 (UTC), or None when it is not a time.

    ISO 8601 with `Z`, an offset or no zone at all (then UTC), or a number of seconds (OpenAI's `created_at`).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    text = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
