"""A job that fails at the provider with the key quoted back in its own failure text keeps no piece of the key.

The in-band side of tests/cli/test_keys_quoted_back.py (which covers error answers end to end): each adapter, driven
through the real job code and journal, polls a job the fake reports failed with the key quoted back (every encoding,
tests.fakes.quoting) in the field that provider puts its reason in. The error raised, the journal's record and every
log line must hold no piece of the key, while the provider's own words still reach them.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.comfyui import ComfyUIBackend
from shotline.backends.fal import FalBackend
from shotline.backends.google import GoogleBackend
from shotline.backends.luma import LumaBackend
from shotline.backends.openai import OpenAIBackend
from shotline.backends.registry import BackendContext
from shotline.backends.replicate import ReplicateBackend
from shotline.backends.runway import RunwayBackend
from shotline.core.errors import BackendError
from shotline.core.ports import GenerationBackend
from tests.backends.adapter_kit import add_job, cloud_request, drive, journal_for, provider_context
from tests.fakes import comfyui, fal, google, luma, openai, replicate, runway
from tests.fakes.quoting import MARK, leaks, quoted_back
from tests.fakes.server import FakeServer

JOB = str(uuid.uuid4())
"""The job's id, which ComfyUI also takes as its prompt id (so its history can be answered before it is asked)."""


@dataclass(frozen=True)
class Case:
    fake: Callable[[], FakeServer]
    url: Callable[[Any], str]
    backend: Callable[[BackendContext], GenerationBackend]
    model: str
    key: str
    path: str
    """The status read that answers the job failed."""
    failed: Callable[[str], Any]
    sent: bool = True
    """Whether the adapter sends this key itself; if not, the process only knows it (BackendContext.known_keys)."""


def _url(fake: Any) -> str:
    return str(fake.url)


CASES = {
    "runway failure": Case(
        runway.FakeRunway, _url, RunwayBackend, "gen4.5", runway.KEY, r"/v1/tasks/.+",
        lambda said: {"id": "t", "status": "FAILED", "failure": said, "failureCode": "INTERNAL.BAD_OUTPUT.CODE01"},
    ),
    "replicate error": Case(
        replicate.FakeReplicate, _url, ReplicateBackend, "kwaivgi/kling-v2.0", replicate.KEY, r"/v1/predictions/.+",
        lambda said: {"id": "p", "status": "failed", "error": said, "logs": said},
    ),
    "openai error.message": Case(
        openai.FakeOpenAI, lambda fake: str(fake.api_url), OpenAIBackend, "sora-2", openai.KEY, r"/v1/videos/[^/]+",
        lambda said: {"id": "v", "object": "video", "status": "failed", "error": {"code": "x", "message": said}},
    ),
    "fal error": Case(
        fal.FakeFal, _url, FalBackend, "kling-2.1-master", fal.KEY, r"/.+/requests/[^/]+/status",
        lambda said: {"status": "COMPLETED", "error": said, "error_type": "x", "logs": [{"message": said}]},
    ),
    "google errors[].message": Case(
        google.FakeGoogle, _url, GoogleBackend, "gemini-omni-1.2-flash", google.KEY, r"/v1(?:beta)?/interactions/.+",
        lambda said: {"id": "i", "status": "failed", "errors": [{"code": "x", "message": said}]},
    ),
    "luma failure_reason": Case(
        luma.FakeLuma, _url, LumaBackend, "ray-flash-2", luma.KEY, r"/generations/[^/]+",
        lambda said: {"id": "g", "state": "failed", "failure_reason": said},
    ),
    # ComfyUI takes no key; it may still quote one the process knows (a node calling another provider)
    "comfyui execution_error": Case(
        comfyui.FakeComfyUI, _url, ComfyUIBackend, "workflow", runway.KEY, r"(?:/api)?/history/.+",
        lambda said: {JOB: {"status": {"status_str": "error", "messages": [
            ["execution_error", {"exception_message": said, "node_type": "KSampler", "node_id": "3"}],
        ]}, "outputs": {}}},
        sent=False,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_a_failure_quoting_the_key_keeps_none_of_it(
    case: Case, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with case.fake() as fake:
        fake.inject("GET", case.path, status=200, body=case.failed(quoted_back(case.key)), times=100)
        backend_id = case.backend.__module__.rsplit(".", 1)[1]
        ctx = provider_context(tmp_path, backend_id, case.url(fake), key=case.key if case.sent else None)
        backend = case.backend(ctx if case.sent else replace(ctx, known_keys=lambda: [case.key]))
        request = replace(cloud_request(backend_id, case.model), job_id=JOB)
        project = tmp_path / "project"
        journal = journal_for(project)
        record = add_job(journal, request)

        async def scenario() -> BaseException:
            try:
                await drive(backend, record, journal, project)
            except BackendError as failed:
                return failed
            finally:
                await backend.aclose()
            raise AssertionError("the job did not fail")

        with caplog.at_level(logging.DEBUG):
            error = asyncio.run(scenario())

    told, kept = str(error), journal.get(JOB).message
    journal.close()
    assert MARK in told and MARK in kept, "the provider's words must reach the creator (else nothing is tested)"
    found = leaks(case.key, {"error": told, "journal": kept, "log": caplog.text})
    assert not found, found[:3]
