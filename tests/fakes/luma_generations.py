"""What Luma's two fakes share: a generation's life on Luma's servers, the same on the Dream Machine API
(tests/fakes/luma.py) and the Agents API (tests/fakes/luma_agents.py).

A create checks the Bearer key and the body, charges the account's balance and queues a generation; each read of it
moves the job one step along `steps` (the last one sticks), and a prompt holding BLOCKME or FAILME ends `failed`.
Errors are `{"detail": "..."}`. Finished clips are served from a "storage host", this same server reached as
`localhost` instead of 127.0.0.1, so an adapter treats it as another host (no key sent, 403 means an expired link),
by signed links that expire after `url_ttl` seconds.

A subclass configures the API's own words (its key refusal, its out-of-funds answer, its failure reasons), checks
and prices a create body, and shapes the Generation object it answers with.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply, bearer, file_reply, sample_mp4


class FakeLumaGenerations(FakeServer):
    KEY_REFUSED: str
    NO_FUNDS: str
    """The 402's detail when the balance does not cover a create."""
    BLOCKED_REASON: str
    FAILED_REASON: str
    TIMESPEC = "microseconds"
    """How finely `created_at` is written."""

    def __init__(self, key: str, *, steps: tuple[str, ...], balance_cents: float) -> None:
        super().__init__()
        self.key = key
        self.steps = steps
        """The state shown by each successive status read; the last one sticks."""
        self.balance_cents = balance_cents
        self.jobs: dict[str, dict[str, Any]] = {}
        self._expire_next = 0

    @property
    def storage_url(self) -> str:
        """The same server under another host name, standing in for Luma's storage."""
        return self.url.replace("127.0.0.1", "localhost")

    def expire_next_links(self, count: int = 1) -> None:
        """Hand out the next `count` video links already expired (as if the download started too late)."""
        with self.lock:
            self._expire_next += count

    # ------------------------------------------------------------------------------------------ the API's own

    def _invalid(self, body: Any) -> tuple[int, str] | None:
        """The status and detail a create body is refused with; None when it is fine."""
        raise NotImplementedError

    def _cost_cents(self, body: dict[str, Any]) -> float:
        raise NotImplementedError

    def _job_fields(self, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        """What a new job keeps of its create, beside the id, state and failure every job has."""
        raise NotImplementedError

    def _generation(self, job: dict[str, Any]) -> dict[str, Any]:
        """The Generation object the API answers with for a job."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------ helpers

    def _denied(self, call: Call) -> Reply | None:
        if bearer(call) != self.key:
            return Reply(401, json={"detail": self.KEY_REFUSED})
        return None

    def _video_link(self, path: str) -> str:
        """A signed storage-host link to a finished clip; expired when `expire_next_links` asked for one."""
        with self.lock:
            stale = self._expire_next > 0
            self._expire_next -= stale
        return self._stored_link(path, -1.0 if stale else None)

    def _stored_link(self, path: str, ttl: float | None = None) -> str:
        return self.sign(path, ttl).replace(self.url, self.storage_url, 1)

    # ------------------------------------------------------------------------------------------ routes

    def _create(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        try:
            body = call.json()
        except ValueError:
            return Reply(400, json={"detail": "Request body is not valid JSON"})
        if problem := self._invalid(body):
            return Reply(problem[0], json={"detail": problem[1]})
        cost = self._cost_cents(body)
        prompt = str(body.get("prompt") or "")
        with self.lock:
            if cost > self.balance_cents:
                return Reply(402, json={"detail": self.NO_FUNDS})
            self.balance_cents -= cost
            job = {
                "id": str(uuid.uuid4()),
                "state": "queued",
                "reads": 0,
                "created_at": datetime.now(UTC).isoformat(timespec=self.TIMESPEC).replace("+00:00", "Z"),
                "failure_reason": self.BLOCKED_REASON if "BLOCKME" in prompt else self.FAILED_REASON,
                "fails": "BLOCKME" in prompt or "FAILME" in prompt,
                **self._job_fields(body, prompt),
            }
            self.jobs[job["id"]] = job
            return Reply(201, json=self._generation(job))

    def _get(self, call: Call, match: re.Match[str]) -> Reply:
        if denied := self._denied(call):
            return denied
        with self.lock:
            job = self.jobs.get(match["id"])
            if job is None:
                return Reply(404, json={"detail": "Generation not found"})
            if job["state"] not in {"completed", "failed"}:
                step = self.steps[min(job["reads"], len(self.steps) - 1)]
                job["reads"] += 1
                job["state"] = "failed" if step == "completed" and job["fails"] else step
            return Reply(json=self._generation(job))

    def _video(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return access_denied()
        return file_reply(sample_mp4(), call)


def access_denied() -> Reply:
    # the storage host is a signed-URL bucket: an expired or forged link is refused like S3 does
    return Reply(
        403,
        body=b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        content_type="application/xml",
    )
