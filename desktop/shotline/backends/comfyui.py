"""ComfyUI (local): runs the creator's own API-format workflow on a ComfyUI server and fetches the clip it saves.

The creator picks a workflow exported with "Export (API)" (`options["workflow"]`, else the shipped Wan 2.1 example
`resources/comfyui/text-to-video.json`). Shotline fills the shot into it — wherever a string input holds a
placeholder such as `{{prompt}}`, and wherever `options["mapping"]` points (`{"prompt": "6.text"}`, node id and
input name) — checks every node class against `/object_info`, uploads image inputs with `/upload/image`, queues it
with `POST /prompt`, follows `/history` and `/queue`, and downloads the result through `/view`. Reading the
workflow and filling the shot into it is backends.comfyui_workflow's; this module is the server's job protocol.

Quirks that matter:

- The job id is sent as ComfyUI's `prompt_id` (newer servers keep it) and in `extra_data`/`client_id` (every
  server keeps those), so `find()` can spot the job in `/history` or `/queue` after an ambiguous create.
- `GET /history/{id}` answers `{}` both for "not finished" and "unknown"; only `/queue` tells them apart, and a job
  in neither was deleted from the queue or lost when ComfyUI restarted (its queue is not kept).
- Progress is only sent over ComfyUI's websocket, which Shotline does not use, so a running job has no fraction.
- Integer inputs snap to the node's own `min`/`step` from `/object_info` (Wan latents want 4n+1 frames).
- Outputs are files in ComfyUI's output folder: `/view` links never expire, and a missing file means it was
  deleted there. Video nodes list their files under "images" (core) or "gifs" (VideoHelperSuite).
- ComfyUI has no safety filter of its own; a partner (API) node that reports moderation is treated as blocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from shotline.backends import builtin
from shotline.backends.comfyui_workflow import (
    MAX_REFERENCE_IMAGES,
    Workflow,
    checked_mapping,
    fill,
    load_workflow,
    node_inputs,
    placeholders,
    shot_images,
    shot_values,
)
from shotline.backends.http import ProviderHttp, base_url, http_timeout, json_of
from shotline.backends.policy import is_safety_stop
from shotline.backends.registry import BackendContext
from shotline.core.errors import AuthFailed, BackendError, InputRejected, JobFailed, TransientError
from shotline.core.ports import (
    BackendInfo,
    GenerationRequest,
    JobState,
    JobStatus,
    ProgressSink,
    SentCreate,
)

log = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8188"
HISTORY_SCAN = 200
"""How many recent history entries `find()` reads when the server did not keep Shotline's prompt id."""

_VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv", ".m4v", ".gif")
_MODEL_INPUTS = re.compile(r"(ckpt|unet|clip|vae|lora|model|control_net|clip_vision|upscale_model)_?name")
_NODE_PACKS = (
    ("VHS_", "ComfyUI-VideoHelperSuite"),
    ("WanVideo", "ComfyUI-WanVideoWrapper"),
    ("HyVideo", "ComfyUI-HunyuanVideoWrapper"),
    ("CogVideo", "ComfyUI-CogVideoXWrapper"),
    ("LTXVideo", "ComfyUI-LTXVideo"),
    ("easy ", "ComfyUI-Easy-Use"),
    ("Image Resize", "ComfyUI-KJNodes"),
    ("GetImageSize", "ComfyUI-KJNodes"),
    ("UnetLoaderGGUF", "ComfyUI-GGUF"),
    ("CLIPLoaderGGUF", "ComfyUI-GGUF"),
    ("RIFE", "ComfyUI-Frame-Interpolation"),
    ("FILM VFI", "ComfyUI-Frame-Interpolation"),
)

INFO = builtin.COMFYUI


class ComfyUIBackend:
    """Implements `GenerationBackend` and `KeyCheck` over ComfyUI's HTTP API."""

    def __init__(self, ctx: BackendContext) -> None:
        self._base = base_url(ctx, INFO.id, DEFAULT_URL)
        self._http = ProviderHttp(
            backend_id=INFO.id,
            provider=f"ComfyUI at {self._base}",
            base=self._base,
            secrets=ctx.secrets,
            key_auth=None,
            on_error=self._error,
            timeout=http_timeout(ctx),
            known_keys=ctx.known_keys,
        )
        self._node_defs: dict[str, dict[str, Any]] = {}
        self._cancelled: set[str] = set()

    @property
    def info(self) -> BackendInfo:
        return INFO

    # ------------------------------------------------------------------------------------------ the protocol

    async def submit(self, request: GenerationRequest) -> str:
        _check_request(request)
        workflow = await asyncio.to_thread(load_workflow, request.options.get("workflow"))
        mapping = checked_mapping(request.options.get("mapping"), workflow)
        wanted = placeholders(workflow) | set(mapping)
        images = await asyncio.to_thread(shot_images, request, wanted)
        values = shot_values(request)
        async with self._reachable():
            await self._check_nodes(workflow, mapping)
            for name, path in images.items():
                values[name] = await self._upload(path)
        body = {
            "prompt": fill(workflow, values, mapping, self._node_defs),
            "prompt_id": request.job_id,
            "client_id": f"shotline-{request.job_id}",
            "extra_data": {"shotline_job_id": request.job_id},
        }
        response = await self._http.create("POST", "/prompt", json=body)
        answer = json_of(response, self._http.provider)
        prompt_id = str(answer.get("prompt_id") or "") if isinstance(answer, dict) else ""
        if not prompt_id:
            raise JobFailed(f"{self._http.provider} accepted the workflow but sent no prompt id; is it ComfyUI?")
        if isinstance(answer, dict) and answer.get("node_errors"):
            # the server queued the outputs that passed and drops the rest; say so in the log, the clip may still come
            log.warning("ComfyUI queued %s with node errors: %s", prompt_id, answer["node_errors"])
        log.info("ComfyUI prompt %s queued for job %s", prompt_id, request.job_id)
        return prompt_id

    async def poll(self, provider_job_id: str) -> JobStatus:
        entry = await self._history_entry(provider_job_id)
        if entry is not None:
            return _finished(entry)
        running, pending = _queue_ids(await self._http.get_json("/queue"))
        if provider_job_id in running:
            return JobStatus(JobState.RUNNING, message="ComfyUI is running the workflow")
        if provider_job_id in pending:
            position = pending.index(provider_job_id) + 1
            ahead = position - 1 + len(running)
            return JobStatus(
                JobState.QUEUED,
                queue_position=position,
                message=f"Waiting in ComfyUI's queue behind {ahead} other workflow(s)",
            )
        # it may have finished between the two reads
        entry = await self._history_entry(provider_job_id)
        if entry is not None:
            return _finished(entry)
        if provider_job_id in self._cancelled:
            return JobStatus(JobState.CANCELLED, message="Removed from ComfyUI's queue.")
        return JobStatus(
            JobState.FAILED,
            message="ComfyUI no longer has this job: it was removed from its queue, or ComfyUI restarted (it does "
            "not keep its queue). Generate the shot again.",
        )

    async def download(self, provider_job_id: str, status: JobStatus, dest: Path, progress: ProgressSink) -> None:
        if not status.outputs:
            status = await self.poll(provider_job_id)
        if not status.outputs:
            raise JobFailed("ComfyUI has no video for this job any more. Generate the shot again.")
        await self._http.download(status.outputs[0], dest, progress)

    async def cancel(self, provider_job_id: str) -> None:
        self._cancelled.add(provider_job_id)
        running, pending = _queue_ids(await self._http.get_json("/queue"))
        if provider_job_id in pending:
            await self._http.read("POST", "/queue", json={"delete": [provider_job_id]})
            log.info("ComfyUI prompt %s removed from the queue", provider_job_id)
        elif provider_job_id in running:
            # servers before mid-2025 ignore the prompt id and stop whatever runs; it was ours a moment ago
            await self._http.read("POST", "/interrupt", json={"prompt_id": provider_job_id})
            log.info("ComfyUI prompt %s interrupted", provider_job_id)

    async def find(self, request: GenerationRequest, sent: SentCreate | None = None) -> str | None:
        job_id = request.job_id
        if await self._history_entry(job_id) is not None:
            return job_id
        queue = await self._http.get_json("/queue")
        for item in _queue_items(queue):
            if _is_for(item, job_id):
                return str(item[1])
        history = await self._http.get_json("/history", params={"max_items": str(HISTORY_SCAN)})
        if isinstance(history, dict):
            for prompt_id, entry in history.items():
                sent = entry.get("prompt") if isinstance(entry, dict) else None
                if prompt_id == job_id or (isinstance(sent, list) and _is_for(sent, job_id)):
                    return str(prompt_id)
        return None

    async def check_key(self) -> str:
        """ComfyUI takes no key: this checks that the server answers, and says which one it is."""
        async with self._reachable():
            stats = await self._http.get_json("/system_stats")
        system = stats.get("system", {}) if isinstance(stats, dict) else {}
        devices = stats.get("devices", []) if isinstance(stats, dict) else []
        version = system.get("comfyui_version") if isinstance(system, dict) else None
        text = f"ComfyUI {version} is running" if version else "ComfyUI is running"
        if devices and isinstance(devices[0], dict) and devices[0].get("name"):
            text += f" on {str(devices[0]['name']).split(' : ')[0]}"
        return f"{text}; it needs no key."

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------------------------------ requests

    async def _history_entry(self, prompt_id: str) -> dict[str, Any] | None:
        data = await self._http.get_json(f"/history/{prompt_id}")
        entry = data.get(prompt_id) if isinstance(data, dict) else None
        return entry if isinstance(entry, dict) else None

    async def _check_nodes(self, workflow: Workflow, mapping: Mapping[str, list[tuple[str, str]]]) -> None:
        """Every node class must exist on the server; also learns their input specs for snapping values."""
        for node_id, node in workflow.items():
            class_type = str(node["class_type"])
            if class_type not in self._node_defs:
                data = await self._http.get_json(f"/object_info/{class_type}")
                if not isinstance(data, dict) or not isinstance(data.get(class_type), dict):
                    raise InputRejected(missing_node_message(node_id, class_type, self._base))
                self._node_defs[class_type] = data[class_type]
        for key, targets in mapping.items():
            for node_id, name in targets:
                class_type = str(workflow[node_id]["class_type"])
                known = node_inputs(self._node_defs.get(class_type, {}))
                if known and name not in known:
                    raise InputRejected(
                        f"The mapping sends {key} to {node_id}.{name}, but a {class_type} node has no input "
                        f"{name!r} (it has {', '.join(sorted(known))}). Fix the mapping."
                    )

    async def _upload(self, path: Path) -> str:
        data = await asyncio.to_thread(path.read_bytes)
        # named by content, so sending it again (a retry, a resumed job) overwrites the same file with itself
        name = f"shotline-{hashlib.sha256(data).hexdigest()[:20]}{path.suffix.lower()}"
        response = await self._http.read(
            "POST",
            "/upload/image",
            files={"image": (name, data, "application/octet-stream")},
            data={"type": "input", "overwrite": "true"},
        )
        answer = json_of(response, self._http.provider)
        if not isinstance(answer, dict) or not answer.get("name"):
            raise JobFailed(f"{self._http.provider} took the image {path.name} but did not say where it put it.")
        subfolder = str(answer.get("subfolder") or "")
        return f"{subfolder}/{answer['name']}" if subfolder else str(answer["name"])

    @contextlib.asynccontextmanager
    async def _reachable(self) -> AsyncIterator[None]:
        """Turns "could not be reached" into advice: ComfyUI is a program the creator starts, not a service."""
        try:
            yield
        except TransientError as exc:
            if "could not be reached" not in str(exc):
                raise
            raise TransientError(
                f"{exc} Start ComfyUI (it listens on {DEFAULT_URL} by default), or set its address in Settings."
            ) from exc

    def _error(self, response: httpx.Response, message: str) -> BackendError | None:
        path = response.request.url.path.removeprefix("/api")
        status = response.status_code
        if path.endswith("/prompt") and status == 400:
            try:
                body = response.json()
            except ValueError:
                body = message
            return InputRejected(prompt_error_message(body, self._base))
        if path.endswith("/view") and status == 404:
            return JobFailed(
                "The clip is no longer in ComfyUI's output folder (it was moved or deleted there). "
                "Generate the shot again."
            )
        if status in (401, 403):
            said = f" ({message})" if message else ""
            return AuthFailed(
                f"ComfyUI at {self._base} refused the request (HTTP {status}){said}. If it runs behind a login "
                "or a proxy, let this computer through, or start ComfyUI without the restriction."
            )
        if status == 404:
            return JobFailed(
                f"{self._base} answered 404 for {path}; is this the address of a ComfyUI server? "
                "Check the ComfyUI address in Settings."
            )
        return None


# ---------------------------------------------------------------------------------------------- the request


def _check_request(request: GenerationRequest) -> None:
    model = INFO.model(request.model)
    if model is None:
        raise InputRejected(f"ComfyUI has no model {request.model!r}; choose {INFO.default_model.id!r}.")
    if not model.min_duration_us <= request.duration_us <= model.max_duration_us:
        raise InputRejected(
            f"A ComfyUI clip must last {model.min_duration_us // 1_000_000}–{model.max_duration_us // 1_000_000} s; "
            "change the shot's duration."
        )
    if len(request.reference_images) > MAX_REFERENCE_IMAGES:
        raise InputRejected(f"ComfyUI takes at most {MAX_REFERENCE_IMAGES} reference images; remove some.")


def missing_node_message(node_id: str, class_type: str, base: str) -> str:
    pack = next((name for prefix, name in _NODE_PACKS if class_type.startswith(prefix)), "")
    needs = f"the custom node pack {pack}" if pack else "the custom node pack that provides it"
    return (
        f"ComfyUI at {base} does not have the node {class_type!r} (node {node_id} of the workflow). Install "
        f"{needs} (ComfyUI Manager → Install Missing Custom Nodes), restart ComfyUI, and generate again."
    )


def prompt_error_message(body: Any, base: str) -> str:
    """ComfyUI's refusal of a workflow (`error` is a string on old servers, an object on new ones) for the creator."""
    error = body.get("error") if isinstance(body, dict) else body
    node_errors = body.get("node_errors") if isinstance(body, dict) else None
    if isinstance(error, dict):
        head = str(error.get("message") or error.get("type") or "the workflow was refused")
        details = str(error.get("details") or "")
        if error.get("type") == "invalid_prompt" and "does not exist" in head:
            node = re.search(r"node (.+?) does not exist", head)
            node_id = re.search(r"#([^']+)", details)
            return missing_node_message(node_id.group(1) if node_id else "?", node.group(1) if node else "?", base)
    else:
        head, details = str(error or "the workflow was refused"), ""
    problems: list[str] = []
    hint = "Fix the workflow in ComfyUI and choose it again."
    if isinstance(node_errors, dict):
        for node_id, entry in node_errors.items():
            if not isinstance(entry, dict):
                continue
            for problem in entry.get("errors", []):
                if not isinstance(problem, dict):
                    continue
                said = ": ".join(filter(None, (str(problem.get("message", "")), str(problem.get("details", "")))))
                problems.append(f"node {node_id} ({entry.get('class_type', '?')}) {said}")
                extra = problem.get("extra_info") or {}
                if problem.get("type") == "value_not_in_list" and _MODEL_INPUTS.fullmatch(
                    str(extra.get("input_name", ""))
                ):
                    hint = (
                        f"Put the model file {extra.get('received_value')!r} in ComfyUI's models folder (or pick an "
                        "installed one in the workflow) and generate again."
                    )
    said = "; ".join(problems[:3]) or details or head
    return f"ComfyUI at {base} refused the workflow: {head} ({said})"[:700] + f". {hint}"


# ---------------------------------------------------------------------------------------------- answers


def _finished(entry: Mapping[str, Any]) -> JobStatus:
    status = _dict(entry.get("status"))
    events = {str(m[0]): m[1] for m in status.get("messages", []) if isinstance(m, list | tuple) and len(m) == 2}
    if "execution_interrupted" in events:
        return JobStatus(JobState.CANCELLED, message="The workflow was interrupted in ComfyUI.")
    if status.get("status_str") == "error" or "execution_error" in events:
        failure = _dict(events.get("execution_error"))
        said = str(failure.get("exception_message") or "").strip()
        where = f"{failure.get('node_type', 'a node')} (node {failure.get('node_id', '?')})"
        if is_safety_stop(said):
            return JobStatus(JobState.BLOCKED, message=said)
        return JobStatus(
            JobState.FAILED, message=f"ComfyUI stopped at {where}: {said or 'no reason given'}. Check ComfyUI's log."
        )
    outputs = tuple(_video_links(entry.get("outputs")))
    if not outputs:
        return JobStatus(
            JobState.FAILED,
            message="The workflow finished but saved no video; end it with a video save node (SaveVideo, "
            "SaveWEBM or VHS_VideoCombine) and generate again.",
        )
    return JobStatus(JobState.SUCCEEDED, progress=1.0, outputs=outputs)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _video_links(outputs: Any) -> Iterator[str]:
    """`/view` links to the video files the output nodes saved; saved outputs before previews."""
    files: list[dict[str, Any]] = []
    if isinstance(outputs, dict):
        for node_output in outputs.values():
            if not isinstance(node_output, dict):
                continue
            for items in node_output.values():
                if isinstance(items, list):
                    files.extend(i for i in items if isinstance(i, dict) and isinstance(i.get("filename"), str))
    videos = [f for f in files if str(f["filename"]).lower().endswith(_VIDEO_SUFFIXES)]
    videos.sort(key=lambda f: (f.get("type", "output") != "output", str(f["filename"]).lower().endswith(".gif")))
    for found in videos:
        query = {
            "filename": found["filename"],
            "subfolder": found.get("subfolder") or "",
            "type": found.get("type") or "output",
        }
        # relative, so a ComfyUI served under a sub-path (behind a proxy) keeps it
        yield "view?" + urlencode(query)


def _queue_items(queue: Any) -> list[list[Any]]:
    if not isinstance(queue, dict):
        return []
    items: list[list[Any]] = []
    for key in ("queue_running", "queue_pending"):
        items.extend(i for i in queue.get(key, []) if isinstance(i, list) and len(i) >= 2)
    return items


def _queue_ids(queue: Any) -> tuple[list[str], list[str]]:
    """Prompt ids running, and pending in the order ComfyUI will run them (by number)."""
    if not isinstance(queue, dict):
        return [], []
    running = [str(i[1]) for i in queue.get("queue_running", []) if isinstance(i, list) and len(i) >= 2]
    pending_items = [i for i in queue.get("queue_pending", []) if isinstance(i, list) and len(i) >= 2]
    pending_items.sort(key=lambda i: float(i[0]) if isinstance(i[0], int | float) else 0.0)
    return running, [str(i[1]) for i in pending_items]


def _is_for(item: list[Any], job_id: str) -> bool:
    """Whether a queue/history item `[number, prompt_id, prompt, extra_data, …]` was sent for `job_id`."""
    extra = item[3] if len(item) > 3 and isinstance(item[3], dict) else {}
    return (
        str(item[1]) == job_id
        or extra.get("shotline_job_id") == job_id
        or extra.get("client_id") == (f"shotline-{job_id}")
    )
