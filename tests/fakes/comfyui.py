"""A fake ComfyUI server: the HTTP API of `server.py`/`execution.py` closely enough for Shotline's adapter.

Routes (each also under `/api`, as ComfyUI serves them): `POST /prompt` (validation with ComfyUI's error shapes:
`no_prompt`, `invalid_prompt` for an unknown node class, `prompt_no_outputs`, `prompt_outputs_failed_validation`
with per-node `value_not_in_list`, `required_input_missing`, `value_bigger_than_max`…), `GET /prompt`, `GET /queue`,
`POST /queue` (delete/clear pending), `POST /interrupt` (optionally only a given prompt id), `GET /history`,
`GET /history/{id}` (`{}` until finished), `GET /view` (400/403/404 rules, Range), `POST /upload/image` (multipart,
rename on collision), `GET /object_info[/{class}]`, `GET /system_stats`; plus the loopback Origin check (403).

One worker runs one prompt at a time. Every status read (`/history…`, `/queue`, `GET /prompt`) is one tick of it: a
pending prompt starts, a running one advances, and after `run_ticks` ticks it finishes and its history entry is
written with a real MP4 in the fake output folder. A text input containing "FAILME" ends in an `execution_error`
(out of memory), "BLOCKME" in one that reports moderation, as a partner API node does. ComfyUI has no keys, so the
fake checks none; its `/view` links never expire, as ComfyUI's don't.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import time
import uuid
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.server import Call, FakeServer, Reply, file_reply, sample_mp4

VERSION = "0.3.66"
API = r"(?:/api)?"


def _node(
    name: str,
    required: dict[str, Any],
    optional: dict[str, Any] | None = None,
    output: tuple[str, ...] = (),
    *,
    output_node: bool = False,
    category: str = "",
    module: str = "nodes",
) -> dict[str, Any]:
    optional = optional or {}
    return {
        "input": {"required": required, "optional": optional},
        "input_order": {"required": list(required), "optional": list(optional)},
        "output": list(output),
        "output_is_list": [False] * len(output),
        "output_name": list(output),
        "name": name,
        "display_name": name,
        "description": "",
        "python_module": module,
        "category": category,
        "output_node": output_node,
        "deprecated": False,
        "experimental": False,
    }


def _int(default: int, low: int, high: int, step: int = 1) -> list[Any]:
    return ["INT", {"default": default, "min": low, "max": high, "step": step}]


def _float(default: float, low: float, high: float, step: float = 0.01) -> list[Any]:
    return ["FLOAT", {"default": default, "min": low, "max": high, "step": step}]


def default_nodes() -> dict[str, dict[str, Any]]:
    """The core nodes the Wan 2.1 workflows use, with their real input names and limits."""
    size = {"width": _int(832, 16, 16384, 16), "height": _int(480, 16, 16384, 16)}
    frames = {"length": _int(81, 1, 16384, 4), "batch_size": _int(1, 1, 4096)}
    wan_inputs = {"positive": ["CONDITIONING"], "negative": ["CONDITIONING"], "vae": ["VAE"], **size, **frames}
    return {
        "UNETLoader": _node(
            "UNETLoader",
            {
                "unet_name": [["wan2.1_t2v_1.3B_fp16.safetensors", "wan2.1_flf2v_720p_14B_fp16.safetensors"], {}],
                "weight_dtype": [["default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"], {}],
            },
            output=("MODEL",),
            category="advanced/loaders",
        ),
        "CLIPLoader": _node(
            "CLIPLoader",
            {
                "clip_name": [["umt5_xxl_fp8_e4m3fn_scaled.safetensors"], {}],
                "type": [["stable_diffusion", "sd3", "ltxv", "wan", "hunyuan_video"], {}],
            },
            {"device": [["default", "cpu"], {"advanced": True}]},
            output=("CLIP",),
            category="advanced/loaders",
        ),
        "VAELoader": _node("VAELoader", {"vae_name": [["wan_2.1_vae.safetensors"], {}]}, output=("VAE",)),
        "ModelSamplingSD3": _node(
            "ModelSamplingSD3", {"model": ["MODEL"], "shift": _float(3.0, 0.0, 100.0)}, output=("MODEL",)
        ),
        "CLIPTextEncode": _node(
            "CLIPTextEncode",
            {"text": ["STRING", {"multiline": True, "dynamicPrompts": True}], "clip": ["CLIP"]},
            output=("CONDITIONING",),
        ),
        "EmptyHunyuanLatentVideo": _node(
            "EmptyHunyuanLatentVideo", {**size, **frames}, output=("LATENT",), module="comfy_extras.nodes_hunyuan"
        ),
        "KSampler": _node(
            "KSampler",
            {
                "model": ["MODEL"],
                "seed": ["INT", {"default": 0, "min": 0, "max": 0xFFFFFFFFFFFFFFFF, "control_after_generate": True}],
                "steps": _int(20, 1, 10000),
                "cfg": _float(8.0, 0.0, 100.0, 0.1),
                "sampler_name": [["euler", "euler_ancestral", "dpmpp_2m", "uni_pc"], {}],
                "scheduler": [["simple", "normal", "karras", "sgm_uniform"], {}],
                "positive": ["CONDITIONING"],
                "negative": ["CONDITIONING"],
                "latent_image": ["LATENT"],
                "denoise": _float(1.0, 0.0, 1.0),
            },
            output=("LATENT",),
        ),
        "VAEDecode": _node("VAEDecode", {"samples": ["LATENT"], "vae": ["VAE"]}, output=("IMAGE",)),
        "CreateVideo": _node(
            "CreateVideo",
            {"images": ["IMAGE"], "fps": _float(30.0, 1.0, 120.0, 1.0)},
            {"audio": ["AUDIO"]},
            output=("VIDEO",),
            module="comfy_extras.nodes_video",
        ),
        "SaveVideo": _node(
            "SaveVideo",
            {
                "video": ["VIDEO"],
                "filename_prefix": ["STRING", {"default": "video/ComfyUI"}],
                "format": [["auto", "mp4"], {"default": "auto"}],
                "codec": [["auto", "h264"], {"default": "auto"}],
            },
            output_node=True,
            module="comfy_extras.nodes_video",
        ),
        "LoadImage": _node("LoadImage", {"image": [["example.png"], {"image_upload": True}]}, output=("IMAGE", "MASK")),
        "WanFirstLastFrameToVideo": _node(
            "WanFirstLastFrameToVideo",
            wan_inputs,
            {
                "clip_vision_start_image": ["CLIP_VISION_OUTPUT"],
                "clip_vision_end_image": ["CLIP_VISION_OUTPUT"],
                "start_image": ["IMAGE"],
                "end_image": ["IMAGE"],
            },
            output=("CONDITIONING", "CONDITIONING", "LATENT"),
            module="comfy_extras.nodes_wan",
        ),
    }


class FakeComfyUI(FakeServer):
    def __init__(self, *, run_ticks: int = 2, keeps_prompt_id: bool = True) -> None:
        super().__init__()
        self.run_ticks = run_ticks
        """Status reads a prompt runs for; set it huge to keep one running (to cancel it)."""
        self.keeps_prompt_id = keeps_prompt_id
        """False acts as a server older than mid-2025, which ignores a client's prompt id and makes its own."""
        self.nodes = default_nodes()
        self.number = 0
        self.pending: list[dict[str, Any]] = []
        self.running: dict[str, Any] | None = None
        self.history: dict[str, dict[str, Any]] = {}
        self.outputs: dict[tuple[str, str], bytes] = {}
        """(subfolder, filename) → bytes in the output folder."""
        self.inputs: dict[tuple[str, str], bytes] = {}
        self.interrupts: list[str | None] = []
        self.deleted: list[str] = []
        self._saved = 0
        for method, path, handler in (
            ("POST", "/prompt", self._post_prompt),
            ("GET", "/prompt", self._get_prompt),
            ("GET", "/queue", self._get_queue),
            ("POST", "/queue", self._post_queue),
            ("POST", "/interrupt", self._interrupt),
            ("GET", "/history", self._get_history),
            ("GET", "/history/(?P<id>[^/]+)", self._get_history_item),
            ("GET", "/view", self._view),
            ("POST", "/upload/image", self._upload),
            ("GET", "/object_info", self._object_info),
            ("GET", "/object_info/(?P<cls>.+)", self._object_info_one),
            ("GET", "/system_stats", self._system_stats),
        ):
            self.route(method, API + path, self._guarded(handler))

    # ------------------------------------------------------------------------------------------ helpers for tests

    def prompts_sent(self) -> list[dict[str, Any]]:
        """The JSON bodies of every POST /prompt the fake received."""
        return [call.json() for call in self.calls_to("POST", API + "/prompt")]

    def jobs(self) -> list[str]:
        """Every prompt id the fake has queued, whatever became of it."""
        with self.lock:
            ids = [item["id"] for item in self.pending] + list(self.history)
            if self.running is not None:
                ids.append(self.running["id"])
            return ids

    # ------------------------------------------------------------------------------------------ plumbing

    def _guarded(self, handler: Any) -> Any:
        def guarded(call: Call, match: re.Match[str]) -> Reply:
            origin = call.headers.get("origin")
            host = call.headers.get("host", "")
            if origin and urlsplit(origin).netloc != host:
                # ComfyUI's anti-CSRF rule for a loopback server
                return Reply(403, body=b"403: Forbidden", content_type="text/plain")
            with self.lock:
                return handler(call, match)  # type: ignore[no-any-return]

        return guarded

    def _tick(self) -> None:
        if self.running is not None:
            job = self.running
            job["ticks"] += 1
            if job.get("interrupt"):
                self._finish(job, interrupted=True)
            elif job["ticks"] > self.run_ticks:
                self._finish(job)
        if self.running is None and self.pending:
            self.pending.sort(key=lambda item: item["number"])
            self.running = self.pending.pop(0)
            self.running["ticks"] = 0
            self.running["started"] = _now_ms()

    def _finish(self, job: dict[str, Any], *, interrupted: bool = False) -> None:
        self.running = None
        pid = job["id"]
        messages: list[list[Any]] = [
            ["execution_start", {"prompt_id": pid, "timestamp": job["started"]}],
            ["execution_cached", {"nodes": [], "prompt_id": pid, "timestamp": job["started"]}],
        ]
        outputs: dict[str, Any] = {}
        texts = " ".join(
            str(node["inputs"].get("text", "")) for node in job["prompt"].values() if isinstance(node, dict)
        )
        failure = None
        if "FAILME" in texts:
            failure = ("3", "KSampler", "Allocation on device 0 would exceed allowed memory. (out of memory)")
        elif "BLOCKME" in texts:
            failure = ("6", "CLIPTextEncode", "Content moderation: the prompt was flagged by the safety filter.")
        if interrupted:
            messages.append(
                ["execution_interrupted", {"prompt_id": pid, "node_id": "3", "node_type": "KSampler", "executed": []}]
            )
        elif failure is not None:
            node_id, node_type, text = failure
            messages.append(
                [
                    "execution_error",
                    {
                        "prompt_id": pid,
                        "node_id": node_id,
                        "node_type": node_type,
                        "executed": [],
                        "exception_message": text,
                        "exception_type": "RuntimeError",
                        "traceback": ["Traceback (most recent call last):\n", f"RuntimeError: {text}\n"],
                        "current_inputs": {},
                        "current_outputs": [],
                        "timestamp": _now_ms(),
                    },
                ]
            )
        else:
            for node_id in job["outputs_to_execute"]:
                node = job["prompt"][node_id]
                if node["class_type"] != "SaveVideo":
                    continue
                self._saved += 1
                prefix = PurePosixPath(str(node["inputs"].get("filename_prefix", "ComfyUI")))
                subfolder = "" if str(prefix.parent) == "." else str(prefix.parent)
                filename = f"{prefix.name}_{self._saved:05}_.mp4"
                self.outputs[(subfolder, filename)] = sample_mp4()
                outputs[node_id] = {
                    "images": [{"filename": filename, "subfolder": subfolder, "type": "output"}],
                    "animated": [True],
                }
            messages.append(["execution_success", {"prompt_id": pid, "timestamp": _now_ms()}])
        ok = not interrupted and failure is None
        self.history[pid] = {
            "prompt": [job["number"], pid, job["prompt"], job["extra_data"], job["outputs_to_execute"]],
            "outputs": outputs,
            "status": {"status_str": "success" if ok else "error", "completed": ok, "messages": messages},
            "meta": {
                node_id: {"node_id": node_id, "display_node": node_id, "parent_node": None, "real_node_id": node_id}
                for node_id in outputs
            },
        }

    @staticmethod
    def _item(job: dict[str, Any]) -> list[Any]:
        return [job["number"], job["id"], job["prompt"], job["extra_data"], job["outputs_to_execute"]]

    # ------------------------------------------------------------------------------------------ queueing

    def _post_prompt(self, call: Call, match: re.Match[str]) -> Reply:
        data = call.json()
        if not isinstance(data, dict) or "prompt" not in data:
            error = {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided"}
            return Reply(400, json={"error": {**error, "extra_info": {}}, "node_errors": {}})
        prompt = data["prompt"]
        problem, node_errors, outputs = self._validate(prompt)
        if problem is not None:
            return Reply(400, json={"error": problem, "node_errors": node_errors})
        if "number" in data:
            number: float = float(data["number"])
        else:
            number = -self.number if data.get("front") else self.number
            self.number += 1
        pid = str(data["prompt_id"]) if self.keeps_prompt_id and data.get("prompt_id") else str(uuid.uuid4())
        extra = dict(data.get("extra_data") or {})
        if "client_id" in data:
            extra["client_id"] = data["client_id"]
        self.pending.append(
            {"id": pid, "number": number, "prompt": prompt, "extra_data": extra, "outputs_to_execute": outputs}
        )
        return Reply(json={"prompt_id": pid, "number": number, "node_errors": {}})

    def _validate(self, prompt: Any) -> tuple[dict[str, Any] | None, dict[str, Any], list[str]]:
        if not isinstance(prompt, dict):
            return _error("invalid_prompt", "Invalid prompt", "The prompt is not an object"), {}, []
        for node_id, node in prompt.items():
            if not isinstance(node, dict) or "class_type" not in node:
                return (
                    _error(
                        "invalid_prompt",
                        "Cannot execute because a node is missing the class_type property.",
                        f"Node ID '#{node_id}'",
                    ),
                    {},
                    [],
                )
            if node["class_type"] not in self.nodes:
                message = f"Cannot execute because node {node['class_type']} does not exist."
                return _error("invalid_prompt", message, f"Node ID '#{node_id}'"), {}, []
        outputs = [nid for nid, node in prompt.items() if self.nodes[node["class_type"]]["output_node"]]
        if not outputs:
            return _error("prompt_no_outputs", "Prompt has no outputs", ""), {}, []
        node_errors: dict[str, Any] = {}
        for output in outputs:
            for node_id in self._needed(prompt, output):
                errors = self._check_inputs(prompt, node_id)
                if errors:
                    entry = node_errors.setdefault(
                        node_id,
                        {"errors": errors, "dependent_outputs": [], "class_type": prompt[node_id]["class_type"]},
                    )
                    entry["dependent_outputs"].append(output)
        if node_errors:
            details = "\n".join(
                f"{e['message']}: {e['details']}" for entry in node_errors.values() for e in entry["errors"]
            )
            return (
                _error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details),
                node_errors,
                [],
            )
        return None, {}, outputs

    def _needed(self, prompt: dict[str, Any], output: str) -> list[str]:
        seen: list[str] = []
        stack = [output]
        while stack:
            node_id = stack.pop()
            if node_id in seen or node_id not in prompt:
                continue
            seen.append(node_id)
            for value in prompt[node_id].get("inputs", {}).values():
                if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
                    stack.append(value[0])
        return seen

    def _check_inputs(self, prompt: dict[str, Any], node_id: str) -> list[dict[str, Any]]:
        node = prompt[node_id]
        spec = self.nodes[node["class_type"]]["input"]
        inputs = node.get("inputs", {})
        errors: list[dict[str, Any]] = []
        declared = {**spec["required"], **spec["optional"]}
        for name in spec["required"]:
            if name not in inputs:
                errors.append(_input_error("required_input_missing", "Required input is missing", name, name, None))
        for name, value in inputs.items():
            if name not in declared:
                continue
            kind, options = declared[name][0], declared[name][1] if len(declared[name]) > 1 else {}
            if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
                if value[0] not in prompt:
                    errors.append(_input_error("required_input_missing", "Required input is missing", name, name, None))
                continue
            if isinstance(kind, list):
                if value not in kind:
                    details = f"{name}: '{value}' not in {kind}"
                    errors.append(_input_error("value_not_in_list", "Value not in list", details, name, value))
            elif kind in ("INT", "FLOAT"):
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or (kind == "INT" and isinstance(value, float) and not value.is_integer())
                ):
                    message = f"Failed to convert an input value to a {kind} value"
                    errors.append(_input_error("invalid_input_type", message, f"{name}, {value}", name, value))
                elif "min" in options and value < options["min"]:
                    message = f"Value {value} smaller than min of {options['min']}"
                    errors.append(_input_error("value_smaller_than_min", message, name, name, value))
                elif "max" in options and value > options["max"]:
                    message = f"Value {value} bigger than max of {options['max']}"
                    errors.append(_input_error("value_bigger_than_max", message, name, name, value))
            elif kind == "STRING" and not isinstance(value, str):
                message = "Failed to convert an input value to a STRING value"
                errors.append(_input_error("invalid_input_type", message, f"{name}, {value}", name, value))
        return errors

    def _get_prompt(self, call: Call, match: re.Match[str]) -> Reply:
        self._tick()
        remaining = len(self.pending) + (1 if self.running else 0)
        return Reply(json={"exec_info": {"queue_remaining": remaining}})

    def _get_queue(self, call: Call, match: re.Match[str]) -> Reply:
        self._tick()
        running = [self._item(self.running)] if self.running else []
        return Reply(json={"queue_running": running, "queue_pending": [self._item(job) for job in self.pending]})

    def _post_queue(self, call: Call, match: re.Match[str]) -> Reply:
        data = call.json() or {}
        if data.get("clear"):
            self.deleted.extend(job["id"] for job in self.pending)
            self.pending.clear()
        for pid in data.get("delete", []):
            self.deleted.append(pid)
            self.pending = [job for job in self.pending if job["id"] != pid]
        return Reply(200, body=b"", content_type="text/plain")

    def _interrupt(self, call: Call, match: re.Match[str]) -> Reply:
        data = call.json() if call.body else {}
        wanted = data.get("prompt_id") if isinstance(data, dict) else None
        self.interrupts.append(wanted)
        if self.running is not None and wanted in (None, self.running["id"]):
            self.running["interrupt"] = True  # stops at the next step, as a real sampler does
        return Reply(200, body=b"", content_type="text/plain")

    def _get_history(self, call: Call, match: re.Match[str]) -> Reply:
        self._tick()
        items = list(self.history.items())
        if (limit := call.param("max_items")) is not None:
            items = items[-int(limit) :]
        return Reply(json=dict(items))

    def _get_history_item(self, call: Call, match: re.Match[str]) -> Reply:
        self._tick()
        pid = match.group("id")
        return Reply(json={pid: self.history[pid]} if pid in self.history else {})

    # ------------------------------------------------------------------------------------------ files

    def _view(self, call: Call, match: re.Match[str]) -> Reply:
        filename = call.param("filename") or ""
        subfolder = call.param("subfolder") or ""
        kind = call.param("type") or "output"
        if not filename or filename.startswith("/") or ".." in filename:
            return Reply(400, body=b"", content_type="text/plain")
        if ".." in PurePosixPath(subfolder).parts or subfolder.startswith("/"):
            return Reply(403, body=b"", content_type="text/plain")
        store = self.outputs if kind == "output" else self.inputs if kind == "input" else {}
        data = store.get((subfolder, filename))
        if data is None:
            return Reply(404, body=b"", content_type="text/plain")
        reply = file_reply(data, call, content_type="video/mp4" if filename.endswith(".mp4") else "image/png")
        reply.headers["Content-Disposition"] = f'filename="{filename}"'
        return reply

    def _upload(self, call: Call, match: re.Match[str]) -> Reply:
        fields = _multipart(call)
        if "image" not in fields or not fields["image"][0]:
            return Reply(400, body=b"", content_type="text/plain")
        name, data = fields["image"]
        subfolder = fields.get("subfolder", ("", b""))[1].decode()
        overwrite = fields.get("overwrite", ("", b""))[1].decode().lower() in ("true", "1")
        if "/" in name or ".." in name:
            return Reply(400, body=b"", content_type="text/plain")
        stem, dot, suffix = name.rpartition(".")
        counter = 1
        while (subfolder, name) in self.inputs and not overwrite and self.inputs[(subfolder, name)] != data:
            name = f"{stem} ({counter}){dot}{suffix}"
            counter += 1
        self.inputs[(subfolder, name)] = data
        choices = self.nodes["LoadImage"]["input"]["required"]["image"][0]
        listed = f"{subfolder}/{name}" if subfolder else name
        if listed not in choices:
            choices.append(listed)
        return Reply(
            json={"name": name, "subfolder": subfolder, "type": fields.get("type", ("", b"input"))[1].decode()}
        )

    # ------------------------------------------------------------------------------------------ information

    def _object_info(self, call: Call, match: re.Match[str]) -> Reply:
        return Reply(json=self.nodes)

    def _object_info_one(self, call: Call, match: re.Match[str]) -> Reply:
        name = match.group("cls")
        return Reply(json={name: self.nodes[name]} if name in self.nodes else {})

    def _system_stats(self, call: Call, match: re.Match[str]) -> Reply:
        return Reply(
            json={
                "system": {
                    "os": "posix",
                    "ram_total": 68719476736,
                    "ram_free": 34359738368,
                    "comfyui_version": VERSION,
                    "python_version": "3.12.9",
                    "pytorch_version": "2.7.1+cu128",
                    "embedded_python": False,
                    "argv": ["main.py"],
                },
                "devices": [
                    {
                        "name": "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync",
                        "type": "cuda",
                        "index": 0,
                        "vram_total": 25757220864,
                        "vram_free": 24000000000,
                        "torch_vram_total": 0,
                        "torch_vram_free": 0,
                    }
                ],
            }
        )


def _error(kind: str, message: str, details: str) -> dict[str, Any]:
    return {"type": kind, "message": message, "details": details, "extra_info": {}}


def _input_error(kind: str, message: str, details: str, name: str, value: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "message": message,
        "details": details,
        "extra_info": {"input_name": name, "input_config": None, "received_value": value},
    }


def _multipart(call: Call) -> dict[str, tuple[str, bytes]]:
    """Form fields as name → (filename, bytes)."""
    head = f"Content-Type: {call.headers.get('content-type', '')}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + call.body)
    fields: dict[str, tuple[str, bytes]] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        fields[name] = (part.get_filename() or "", payload if isinstance(payload, bytes) else b"")
    return fields


def _now_ms() -> int:
    return int(time.time() * 1000)
