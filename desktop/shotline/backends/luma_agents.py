"""Luma Agents: turns a shot into a Ray 3.2 generation on Luma's Agents API and brings the clip home.

Ray 3.2 is not served on the Dream Machine API (backends.luma); Luma serves it on the Agents API, with its own
keys (`luma-api-…`, from platform.lumalabs.ai, which the Dream Machine API does not take), so it is a backend of its
own with its own key. The wire is the one Luma's official `luma-agents` SDK (0.5.0) speaks; where it says nothing,
Luma's guides at docs.agents.lumalabs.ai do, and that is said where it is used. Quirks that shape this module:

- **One endpoint for everything.** `POST /generations` with `{"model": "ray-3.2", "type": "video", "prompt",
  "aspect_ratio", "video": {"duration": "5s" | "10s", "resolution", "start_frame", "end_frame", "keyframes",
  "keyframe_indexes", "loop"}}`, then `GET /generations/{id}` until `state` is `completed` (the clip at
  `output[].url`, a presigned link that lasts an hour) or `failed` (`failure_code` and `failure_reason`); `queued`
  and `processing` on the way. Bearer key.
- **Frames travel inline.** An image is `{"url": "https://…"}` or `{"data": <base64>, "media_type": "image/png"}`,
  so a creator's own picture file is sent as it is (up to 50 MB, Luma's error guide: 413 above that).
- **Frames by length.** `video.start_frame`/`end_frame` only go with a 5 s clip (the SDK calls them "the legacy
  2-frame surface", where `video.keyframes` "supports arbitrary positions, 10s durations"), so a 10 s shot sends its
  first and last frame as keyframes pinned at output frames 0 and 240. A loop is 5 s only ("not supported with
  duration=10s"): a 10 s shot that asks for one is refused before sending, saying what to change.
- **No list, no cancel.** The SDK offers only create and get for generations: a create whose answer was lost
  cannot be looked up (`find()` says None, and the job is left uncertain, never sent again), and a generation
  cannot be stopped once sent: cancelling one still running says Luma will finish it and bill it.
- **No cost in the answer**, and no balance to read: `check_key` lists the account's files (`GET /files`, free),
  which only a good key may do.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any

from shotline.backends import builtin
from shotline.backends.catalogue import offered_model, sent_seconds, served
from shotline.backends.http import KeyAuth, ProviderHttp, base_url, http_timeout, json_of
from shotline.backends.images import COMMON, read_picture
from shotline.backends.luma import (
    PROVIDER,
    asked_resolution,
    download_clip,
    failed_status,
    generation_id,
    generation_status,
    luma_error,
    read_generation,
)
from shotline.backends.policy import JobGone
from shotline.backends.registry import BackendContext
from shotline.core.errors import InputRejected, JobFailed
from shotline.core.ports import (
    BackendInfo,
    GenerationRequest,
    JobState,
    JobStatus,
    ModelInfo,
    ProgressSink,
    SentCreate,
)

log = logging.getLogger(__name__)

DEFAULT_URL = "https://agents.lumalabs.ai/v1"
KEYS_PAGE = "https://platform.lumalabs.ai"
INFO = builtin.LUMA_AGENTS

_STATES = {"queued": JobState.QUEUED, "processing": JobState.RUNNING}
_FINAL = frozenset({"completed", "failed"})
_LOOP_S = 5
"""The only length a loop, or a start_frame/end_frame, goes with."""
_GRID_FPS = 24
"""Keyframes are pinned to output frames at 24 a second, whatever the project's rate."""
_MAX_PICTURE_BYTES = 50 * 1000 * 1000
"""Luma's error guide: 413 for an image over 50 MB."""
_KEY_HINT = (
    f" Ray 3.2 takes a key of Luma's Agents API (it starts luma-api-, from {KEYS_PAGE}); a Dream Machine key is not "
    "one."
)
"""Said when a key is refused: the two Luma APIs take different keys, and a creator may well paste the other."""
_RESOLUTION_LINES = {"360p": 360, "540p": 540, "720p": 720, "1080p": 1080}


class LumaAgentsBackend:
    """Implements `GenerationBackend` and `KeyCheck` against Luma's Agents API."""

    def __init__(self, ctx: BackendContext) -> None:
        self._info, _ = served(ctx.catalogue, INFO)
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=PROVIDER,
            base=base_url(ctx, INFO.id, DEFAULT_URL),
            secrets=ctx.secrets,
            key_auth=KeyAuth(missing_hint=f"Create one at {KEYS_PAGE} (an Agents API key, starting luma-api-)."),
            headers={"Accept": "application/json"},
            on_error=lambda response, said: luma_error(
                response, said, self._info, billing_page=KEYS_PAGE, key_hint=_KEY_HINT
            ),
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        body = await asyncio.to_thread(create_body, request, self._info)
        response = await self._http.create("POST", "/generations", json=body)
        provider_id = generation_id(json_of(response, PROVIDER) if response.content else None)
        log.info("Luma Agents generation %s created for job %s", provider_id, request.job_id)
        return provider_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        return await read_generation(
            self._http, provider_job_id, status_of, f"{PROVIDER} no longer has this generation."
        )

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        # the link lasts an hour: a stale one is polled for again
        await download_clip(self._http, self.poll, provider_job_id, status, dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        # The Agents API has no way to stop a generation (the SDK offers create and get only). Reading it tells a
        # generation already over, or gone, where cancelling is done, from one still running, which Luma finishes
        # and bills whatever Shotline does: the creator is told so rather than "cancelled".
        try:
            generation = await self._http.get_json(f"/generations/{provider_job_id}")
        except JobGone:
            log.info("Luma Agents generation %s was already gone", provider_job_id)
            return
        state = str(generation.get("state") or "") if isinstance(generation, dict) else ""
        if state in _FINAL:
            return
        raise JobFailed(
            f"{PROVIDER}'s Agents API cannot stop a generation once it is sent, so Luma finishes this one and bills "
            "it; Shotline will not bring it in."
        )

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        # No list of generations exists to look in (luma-agents 0.5.0: create and get only), so a create whose
        # answer was lost cannot be told from nothing: the job code leaves it uncertain, never sends it again.
        return None

    async def check_key(self) -> str:
        await self._http.get_json("/files", params={"limit": 1})
        return "Key accepted."

    async def aclose(self) -> None:
        await self._http.aclose()


# ---------------------------------------------------------------------------------------------- the request


def create_body(request: GenerationRequest, info: BackendInfo = INFO) -> dict[str, Any]:
    """The `POST /generations` body for a shot; InputRejected (before anything is sent) when Luma can't make it.

    Blocking (it reads the shot's picture files): call it through `asyncio.to_thread` from a coroutine."""
    model = offered_model(info, request.model, PROVIDER)
    if not request.prompt.strip():
        # the SDK's one required field; Luma's guides allow 1–6000 characters
        raise InputRejected("Luma's Ray 3.2 needs a prompt for this shot; write what it should show.")
    if request.aspect not in model.aspects:
        raise InputRejected(
            f"Ray 3.2 cannot make {request.aspect} clips; choose one of {', '.join(model.aspects)} in the shot's "
            "settings."
        )
    if request.reference_images:
        raise InputRejected(
            "Luma's Ray 3.2 takes no reference images for a clip; remove them from the shot, or give it a start "
            "frame instead."
        )
    seconds = sent_seconds(model, request.duration_us)
    loop = bool(request.options.get("loop"))
    if loop and seconds != _LOOP_S:
        raise InputRejected(
            f"Luma's Ray 3.2 makes a loop only in a {_LOOP_S} s clip, not {seconds} s; make the shot {_LOOP_S} s "
            "long, or turn its loop off."
        )
    video: dict[str, Any] = {"duration": f"{seconds}s", "resolution": _resolution(request, model)}
    if seconds == _LOOP_S:
        # the first and last frame as the guides show them (start_frame/end_frame, which take only 5 s)
        if request.first_frame:
            video["start_frame"] = _image(request.first_frame)
        if request.last_frame:
            video["end_frame"] = _image(request.last_frame)
    else:
        # past 5 s the same pictures are pinned as keyframes on the clip's 24 fps grid (the SDK: "a single anchor is
        # a valid start-pinned i2v", "10s -> 0..240"), so a longer shot keeps its frames
        anchors = [(0, request.first_frame), (seconds * _GRID_FPS, request.last_frame)]
        pinned = [(index, image) for index, image in anchors if image]
        if pinned:
            video["keyframes"] = [_image(image) for _, image in pinned]
            video["keyframe_indexes"] = [index for index, _ in pinned]
    if loop:
        video["loop"] = True
    if request.negative_prompt or request.seed is not None:
        log.debug("Ray 3.2 takes no negative prompt or seed; leaving them out for job %s", request.job_id)
    return {
        "model": model.id,
        "type": "video",
        "prompt": request.prompt,
        "aspect_ratio": request.aspect,
        "video": video,
    }


def _resolution(request: GenerationRequest, model: ModelInfo) -> str:
    if asked := asked_resolution(request, model, "Ray 3.2"):
        return asked
    # nothing chosen: the smallest size that is not below the project frame, since each step up costs more
    offered = sorted((_RESOLUTION_LINES[name], name) for name in model.resolutions if name in _RESOLUTION_LINES)
    if not offered:
        return model.resolutions[-1]
    short_side = min(request.size.width, request.size.height)
    return next((name for lines, name in offered if short_side <= lines), offered[-1][1])


def _image(image: str) -> dict[str, str]:
    """A frame as the SDK's ImageRef: a web address as it is, a file on this computer inline."""
    if re.match(r"https://", image, re.IGNORECASE):
        return {"url": image}
    picture = read_picture(image, PROVIDER, kinds=COMMON, max_bytes=_MAX_PICTURE_BYTES)
    return {"data": picture.base64(), "media_type": picture.mime}


# ---------------------------------------------------------------------------------------------- the answers


def status_of(generation: Any) -> JobStatus:
    """An Agents API Generation object as a normalised status."""
    return generation_status(generation, _STATES, _video_of, _failure)


def _video_of(generation: dict[str, Any]) -> str:
    outputs = generation.get("output")
    files = [o for o in outputs if isinstance(o, dict) and o.get("url")] if isinstance(outputs, list) else []
    # the video first: an HDR request may bring an EXR beside it (video.exr_export)
    files.sort(key=lambda output: output.get("type") != "video")
    return str(files[0]["url"]) if files else ""


def _failure(generation: dict[str, Any]) -> JobStatus:
    code = str(generation.get("failure_code") or "")
    status = failed_status(str(generation.get("failure_reason") or "").strip(), code)
    if status.state is JobState.FAILED and code == "budget_exhausted":
        return JobStatus(
            JobState.FAILED,
            message=f"Your {PROVIDER} Agents account ran out of funds while making this clip. Add funds at "
            f"{KEYS_PAGE}, then generate it again.",
        )
    return status
