"""The OpenAI Videos API (Sora 2, Sora 2 Pro) as a Shotline backend, at api.openai.com or a compatible gateway.

Its one job: turn a shot into one `/videos` job, follow it to `completed`, and fetch `/videos/{id}/content`.

Quirks that matter (read in openai-python's `resources/videos.py` and `types/video*.py`):

- OpenAI shut the Videos API down on 2026-09-24; OpenAI-compatible gateways still serve it, so the base URL is a
  setting. When api.openai.com itself answers 404 to a create, the creator is told that plainly, with what to do.
- A create is `multipart/form-data` (the SDK always sends it so): `seconds` is a *string* of 4, 8 or 12, `size` is
  one of four fixed frames (the 1024×1792 pair is Sora 2 Pro only), and `input_reference` must be an image file
  of exactly that frame, so a first frame is scaled and cropped to it here before upload.
- Remix (`options["remix_of"]`) is `POST /videos/{id}/remix` with JSON `{"prompt"}` and keeps its source's length
  and frame; extend (`options["extend_of"]`) is multipart `POST /videos/extensions` with `video[id]` (the SDK's
  encoding of `{"id": …}`) and the new segment's `seconds` (4–20), so the shot's duration is the added part.
- A video carries no metadata or tag, so a create that timed out can only be recognised by its prompt and
  settings; `find` answers only when the job journal knows when the create went out (`SentCreate`, which survives
  a restart), no identical create of another job is still out, and exactly one video no other job owns matches;
  otherwise it says "unknown" (the job code then marks the job uncertain rather than sending it again).
- The finished clip is an authenticated GET on the API itself; some gateways redirect it to an expiring signed
  link instead. The assets expire (about an hour after the job ends), and no cost is reported.
- There is no cancel: DELETE removes the video, which is the nearest thing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from shotline.backends import builtin
from shotline.backends.catalogue import offered_model, sent_seconds, served
from shotline.backends.http import (
    KeyAuth,
    ProviderHttp,
    base_url,
    error_for,
    http_timeout,
    json_of,
)
from shotline.backends.policy import JobGone, is_safety_stop, provider_time, retired, unknown_state, unreadable
from shotline.backends.registry import BackendContext
from shotline.core.errors import (
    AmbiguousSubmit,
    AuthFailed,
    BackendError,
    ContentBlocked,
    InputRejected,
    JobFailed,
    ModelRetired,
    QuotaExceeded,
)
from shotline.core.file_reading import DECODER_OPTIONS, STILL_OPEN_OPTIONS, file_url
from shotline.core.ports import (
    BackendInfo,
    GenerationRequest,
    JobState,
    JobStatus,
    ProgressSink,
    SentCreate,
)

log = logging.getLogger(__name__)

DEFAULT_URL = "https://api.openai.com/v1"
SHUTDOWN_DATE = "24 September 2026"
OPENAI_HOSTS = frozenset({"api.openai.com"})
"""The hosts that are OpenAI itself (where the Videos API is gone), as opposed to a compatible gateway."""

_EXTEND_SECONDS = (4, 8, 12, 16, 20)
"""The lengths an extension adds (a new clip is as long as its model makes: the catalogue's lengths)."""
_FRAMES = {"720p": (1280, 720), "1024p": (1792, 1024)}
"""Landscape frame per resolution; portrait is the same frame turned."""
_CLOCK_SLACK_S = 120
"""How far the provider's clock may be from ours when matching a timed-out create by its creation time."""
_LIST_LIMIT = 100
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
_FORM_MODEL = re.compile(rb'name="model"\r\n\r\n([^\r]+)\r\n')
_SECRETISH = re.compile(r"\b(?:sk|rk|sess)-[A-Za-z0-9_\-*.]{4,}|\S*\*{3,}\S*")


INFO = builtin.OPENAI


def is_openai_itself(base: str) -> bool:
    """Whether `base` is OpenAI's own API (where the Videos API was shut down) rather than a gateway."""
    host = (urlsplit(base).hostname or "").lower()
    return host in OPENAI_HOSTS


# ---------------------------------------------------------------------------------------------- the request


@dataclass(frozen=True)
class _Plan:
    """What one create sends, worked out and checked before any request."""

    kind: str
    """"create", "remix" or "extend"."""
    prompt: str
    model: str = ""
    seconds: str = ""
    size: str = ""
    source: str = ""
    """The video a remix or an extension starts from."""
    first_frame: Path | None = None

    @property
    def frame(self) -> tuple[int, int]:
        width, height = self.size.split("x")
        return int(width), int(height)


def _plan(request: GenerationRequest, info: BackendInfo = INFO) -> _Plan:
    prompt = request.prompt.strip()
    if not prompt:
        raise InputRejected("Sora needs a prompt; write what the shot should show.")
    if len(prompt) > 32_000:
        raise InputRejected("The prompt is longer than Sora's 32,000 characters; shorten it.")
    if request.last_frame or request.reference_images:
        raise InputRejected(
            "Sora 2 takes one image, the first frame; remove the last frame and reference images from this shot."
        )
    remix_of = str(request.options.get("remix_of") or "").strip()
    extend_of = str(request.options.get("extend_of") or "").strip()
    if remix_of and extend_of:
        raise InputRejected("A shot can remix a video or extend one, not both; clear one of the two.")
    if (remix_of or extend_of) and request.first_frame:
        raise InputRejected("A remix or an extension starts from its video, so it takes no first frame; clear it.")
    if remix_of:
        return _Plan("remix", prompt, source=remix_of)
    if extend_of:
        return _Plan("extend", prompt, seconds=str(_extension_seconds(request.duration_us)), source=extend_of)

    family = _family(request.model, info)
    model = offered_model(info, family, "Sora")
    resolution = request.resolution or "720p"
    if resolution not in _FRAMES or (resolution == "1024p" and family != "sora-2-pro"):
        offered = ", ".join(model.resolutions)
        raise InputRejected(f"{request.model} makes {offered} video, not {resolution!r}; change the resolution.")
    width, height = _FRAMES[resolution]
    portrait = _is_portrait(request.aspect)
    return _Plan(
        "create",
        prompt,
        model=request.model,
        seconds=str(sent_seconds(model, request.duration_us)),
        size=f"{height}x{width}" if portrait else f"{width}x{height}",
        first_frame=Path(request.first_frame) if request.first_frame else None,
    )


def _family(model: str, info: BackendInfo = INFO) -> str:
    # dated snapshots ("sora-2-pro-2025-10-06") behave like the model they were taken from
    if model.startswith("sora-2-pro"):
        return "sora-2-pro"
    if model.startswith("sora-2"):
        return "sora-2"
    offered = ", ".join(m.id for m in info.models)
    raise InputRejected(f"Sora has no model {model!r}; choose one of: {offered}.")


def _extension_seconds(duration_us: int) -> int:
    seconds, rest = divmod(duration_us, 1_000_000)
    if rest or seconds not in _EXTEND_SECONDS:
        listed = ", ".join(str(n) for n in _EXTEND_SECONDS)
        raise InputRejected(
            f"Sora extends a video by {listed} s, not {duration_us / 1e6:g} s; change the shot's length."
        )
    return seconds


def _is_portrait(aspect: str) -> bool:
    try:
        width, height = (float(part) for part in aspect.split(":"))
    except ValueError:
        raise InputRejected(f"{aspect!r} is not an aspect ratio; Sora makes 16:9 or 9:16.") from None
    if width == height or width <= 0 or height <= 0:
        raise InputRejected(f"Sora makes only 16:9 (landscape) or 9:16 (portrait) video, not {aspect}.")
    return height > width


def _reference_image(path: Path, width: int, height: int) -> tuple[str, bytes, str]:
    """The first frame as Sora accepts it: an image of exactly the video's frame (scaled to cover, then cropped)."""
    import av  # only a first frame needs it, and it is slow to import

    if not path.is_file():
        raise InputRejected(f"The first frame {path} is not there any more; choose the image again.")
    mime = _IMAGE_TYPES.get(path.suffix.lower())
    try:
        with av.open(file_url(path), options=STILL_OPEN_OPTIONS) as container:
            stream = container.streams.video[0]
            stream.codec_context.options = {**stream.codec_context.options, **DECODER_OPTIONS}
            frame = next(container.decode(stream))
            if (frame.width, frame.height) == (width, height) and mime is not None:
                return path.name, path.read_bytes(), mime
            graph = av.filter.Graph()
            source = graph.add_buffer(template=stream)
            chain = [
                source,
                graph.add("scale", f"{width}:{height}:force_original_aspect_ratio=increase"),
                graph.add("crop", f"{width}:{height}"),
                graph.add("format", "rgb24"),
                graph.add("buffersink"),
            ]
            for upstream, downstream in itertools.pairwise(chain):
                upstream.link_to(downstream)
            graph.configure()
            graph.push(frame)
            fitted = graph.pull()
            if not isinstance(fitted, av.VideoFrame):
                raise InputRejected(f"The first frame {path.name} is not a picture.")
        encoder = av.CodecContext.create("png", "w")
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "rgb24"
        data = b"".join(bytes(packet) for packet in [*encoder.encode(fitted), *encoder.encode(None)])
    except (av.FFmpegError, StopIteration, IndexError, OSError) as exc:
        raise InputRejected(f"The first frame {path.name} could not be read as an image ({exc}).") from exc
    return f"{path.stem}-{width}x{height}.png", data, "image/png"


# ---------------------------------------------------------------------------------------------- reconciling


@dataclass(frozen=True)
class _Fingerprint:
    """What a video object shows of the create that made it (the API keeps no tag of ours)."""

    kind: str
    prompt: str
    model: str
    seconds: str
    size: str
    source: str

    @classmethod
    def of(cls, plan: _Plan) -> _Fingerprint:
        return cls(plan.kind, plan.prompt, plan.model, plan.seconds, plan.size, plan.source)

    def matches(self, video: dict[str, Any]) -> bool:
        if video.get("prompt") != self.prompt:
            return False
        if self.kind == "remix":
            return video.get("remixed_from_video_id") == self.source
        if self.kind == "extend":
            return True  # an extension reports the stitched length and its source's frame: the prompt is all
        return (video.get("model"), str(video.get("seconds")), video.get("size")) == (
            self.model,
            self.seconds,
            self.size,
        )


def _fingerprint_of(request: GenerationRequest) -> _Fingerprint | None:
    try:
        return _Fingerprint.of(_plan(request))
    except BackendError:
        return None  # a request this backend would refuse was never sent


# ---------------------------------------------------------------------------------------------- the backend


class OpenAIBackend:
    """Implements `GenerationBackend` and `KeyCheck` over the OpenAI Videos API."""

    def __init__(self, ctx: BackendContext) -> None:
        self._info, _ = served(ctx.catalogue, INFO)
        base = base_url(ctx, INFO.id, DEFAULT_URL)
        self._official = is_openai_itself(base)
        host = urlsplit(base).hostname or base
        self._provider = "OpenAI" if self._official else f"{host} (OpenAI-compatible)"
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=self._provider,
            base=base,
            secrets=ctx.secrets,
            key_auth=KeyAuth(
                missing_hint="Use the key of the OpenAI-compatible service you set as this backend's address."
            ),
            on_error=self._error,
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        plan = _plan(request, self._info)
        files: dict[str, Any] = {}
        if plan.first_frame is not None:
            width, height = plan.frame
            files["input_reference"] = await asyncio.to_thread(_reference_image, plan.first_frame, width, height)
        response = await self._send(plan, files)
        video = json_of(response, self._provider)
        provider_id = video.get("id") if isinstance(video, dict) else None
        if not isinstance(provider_id, str) or not provider_id:
            # the job was accepted, but its id is unreadable: look it up rather than send it again
            raise AmbiguousSubmit(f"{self._provider} accepted the job but its answer named no video id.")
        log.info("%s video %s created for job %s", self._provider, provider_id, request.job_id)
        return provider_id

    async def _send(self, plan: _Plan, files: dict[str, Any]) -> httpx.Response:
        if plan.kind == "remix":
            return await self._http.create(
                "POST", f"/videos/{_segment(plan.source)}/remix", json={"prompt": plan.prompt}
            )
        if plan.kind == "extend":
            fields = {"prompt": plan.prompt, "seconds": plan.seconds, "video[id]": plan.source}
            return await self._http.create("POST", "/videos/extensions", files=_form(fields))
        fields = {"model": plan.model, "prompt": plan.prompt, "seconds": plan.seconds, "size": plan.size}
        return await self._http.create("POST", "/videos", files={**_form(fields), **files})

    async def poll(self, provider_job_id: str) -> JobStatus:
        video = await self._http.get_json(f"/videos/{_segment(provider_job_id)}")
        if not isinstance(video, dict):
            raise unreadable(self._provider)
        return self._status(video, provider_job_id)

    def _status(self, video: dict[str, Any], provider_job_id: str) -> JobStatus:
        status = str(video.get("status") or "")
        percent = video.get("progress")
        progress = min(max(float(percent) / 100, 0.0), 1.0) if isinstance(percent, int | float) else None
        if status == "queued":
            return JobStatus(JobState.QUEUED, progress=progress)
        if status == "in_progress":
            return JobStatus(JobState.RUNNING, progress=progress)
        if status == "completed":
            return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=(self._content_url(provider_job_id),))
        if status in ("cancelled", "canceled"):  # some gateways add this state
            return JobStatus(JobState.CANCELLED)
        if status == "failed":
            found = video.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            code, said = str(error.get("code") or ""), str(error.get("message") or "").strip()
            if is_safety_stop(code, said):
                return JobStatus(JobState.BLOCKED, message=said or code)
            reason = f"{said} ({code})" if said and code else said or code or "no reason given"
            return JobStatus(
                JobState.FAILED, message=f"{self._provider} could not make this clip: {reason}. Try generating again."
            )
        return unknown_state(self._provider, status, progress=progress)

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        url = status.outputs[0] if status.outputs else self._content_url(provider_job_id)
        await self._http.download(url, dest, progress, headers={"Accept": "application/binary"})

    async def cancel(self, provider_job_id: str) -> None:
        try:
            await self._http.read("DELETE", f"/videos/{_segment(provider_job_id)}")
        except JobGone:
            log.info("%s video %s was already gone", self._provider, provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        fingerprint = _fingerprint_of(request)
        if sent is None or not sent.sent_at or fingerprint is None:
            return None  # without the time it went out, nothing tells it from an identical earlier shot
        if any(_fingerprint_of(other) == fingerprint for other in sent.sending):
            return None  # an identical create is still out; its video could be mistaken for this one
        page = await self._http.get_json("/videos", params={"limit": str(_LIST_LIMIT), "order": "desc"})
        videos = page.get("data") if isinstance(page, dict) else None
        candidates = [
            video["id"]
            for video in videos or ()
            if isinstance(video, dict)
            and isinstance(video.get("id"), str)
            and video["id"] not in sent.claimed
            and (created := provider_time(video.get("created_at"))) is not None
            and created >= sent.sent_at - _CLOCK_SLACK_S
            and fingerprint.matches(video)
        ]
        if len(candidates) != 1:
            log.info("%d videos at %s look like job %s; not guessing", len(candidates), self._provider, request.job_id)
            return None
        return str(candidates[0])

    async def check_key(self) -> str:
        listing = await self._http.get_json("/models")
        models = listing.get("data") if isinstance(listing, dict) else None
        ids = {str(m.get("id")) for m in models or () if isinstance(m, dict)}
        if self._official:
            return (
                f"Key accepted. Note: OpenAI shut the Sora Videos API down on {SHUTDOWN_DATE}; to generate, set "
                "an OpenAI-compatible gateway's address in Preferences → API base URL."
            )
        sora = sorted(i for i in ids if i.startswith("sora"))
        if models is not None and not sora:
            return f"Key accepted, but {self._provider} lists no Sora model, so videos may not work there."
        return f"Key accepted; {self._provider} offers {', '.join(sora)}." if sora else "Key accepted."

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------------------------------ helpers

    def _content_url(self, provider_job_id: str) -> str:
        return f"{self._http.base}/videos/{_segment(provider_job_id)}/content?variant=video"

    def _error(self, response: httpx.Response, message: str) -> BackendError:
        """The OpenAI error envelope read for the creator (ProviderHttp has already taken every known key out)."""
        status, method = response.status_code, response.request.method
        path = response.request.url.path
        error = _envelope(response)
        code, param = str(error.get("code") or ""), str(error.get("param") or "")
        message = _SECRETISH.sub("[key]", message)  # a key OpenAI masks (sk-abc…***) may not be one we know
        said = f" ({self._provider} said: {message})" if message else ""
        creating = method == "POST"
        if status == 401:
            return AuthFailed(f"{self._provider} did not accept the API key{said}. Check it in Edit → API keys.")
        if creating and status == 404 and self._official:
            return ModelRetired(
                f"OpenAI shut the Sora Videos API down on {SHUTDOWN_DATE}, so api.openai.com no longer makes "
                "videos. To keep using Sora 2, set the address of an OpenAI-compatible gateway that still serves "
                "it in Preferences → API base URL (or SHOTLINE_OPENAI_BASE_URL), with that gateway's key."
            )
        if code == "model_not_found":
            return retired(self._info, _sent_model(response), self._provider, message)
        if is_safety_stop(code, message) and status in (400, 403, 422):
            return ContentBlocked(
                f"{self._provider}'s safety system refused this shot{said}. Change the prompt or image and try again."
            )
        if code in ("insufficient_quota", "billing_hard_limit_reached", "billing_not_active"):
            return QuotaExceeded(
                f"Your {self._provider} account has no credit left for this{said}. Add credit, then try again."
            )
        if creating and status == 404:
            if path.endswith(("/remix", "/extensions")):
                return InputRejected(
                    f"{self._provider} does not know the video to start from{said}; it may have expired or been "
                    "deleted. Clear the remix/extend source or pick another video."
                )
            return InputRejected(
                f"{self._provider} has no Videos API at {self._http.base}/videos{said}. Check this backend's "
                "address in Preferences → API base URL."
            )
        if creating and status in (400, 422):
            setting = f" the setting {param!r}" if param else " the request"
            return InputRejected(f"{self._provider} refused{setting}{said}. Change the shot's settings and try again.")
        if method == "DELETE" and status == 404:
            return JobGone(f"{self._provider} no longer has this video.")
        if method == "DELETE" and 400 <= status < 500 and status != 429:
            return JobFailed(f"{self._provider} could not stop the job{said}; it may still finish and be billed.")
        if method == "GET" and path.endswith("/content") and status in (404, 410):
            return JobFailed(
                f"{self._provider} no longer has this clip{said}; finished videos are kept only for a short "
                "while (about an hour). Generate the shot again."
            )
        if status == 404 and self._official:
            return JobFailed(
                f"OpenAI no longer knows this video{said}; it shut the Sora Videos API down on {SHUTDOWN_DATE}."
            )
        return error_for(status, self._provider, message)


def _segment(value: str) -> str:
    return quote(value, safe="")


def _form(fields: dict[str, str]) -> dict[str, tuple[None, str]]:
    # plain fields as parts without a file name, so the body is multipart even with no image (as the SDK sends it)
    return {name: (None, value) for name, value in fields.items()}


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _sent_model(response: httpx.Response) -> str:
    """The model a create asked for (a multipart field, as the SDK sends it), or "" when it named none."""
    request = response.request
    try:
        body = request.content
    except httpx.RequestNotRead:  # a multipart body was streamed out; its fields are still in memory
        body = b"".join(request.stream) if isinstance(request.stream, httpx.SyncByteStream) else b""
    found = _FORM_MODEL.search(body)
    return found.group(1).decode("utf-8", "replace") if found else ""
