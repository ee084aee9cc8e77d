"""A fake OpenAI Videos API (Sora 2) on 127.0.0.1, close enough to the real one that openai-python works against it.

Routes, all under `/v1` (the prefix is optional, as on some gateways):

    POST   /videos                  multipart (as the SDK sends it) or JSON: prompt, model, seconds, size,
                                    input_reference
    GET    /videos                  list, newest first by default, with after/limit/order and first_id/last_id/has_more
    GET    /videos/{id}             the video object; every read moves the job one step on
    DELETE /videos/{id}             removes the video (also a running one: the nearest thing to a cancel)
    GET    /videos/{id}/content     the MP4 (Range honoured); with `redirect_content` a 302 to an expiring signed link
    POST   /videos/{id}/remix       JSON {"prompt"}
    POST   /videos/extensions       multipart prompt, seconds, video[id]
    GET    /models                  the key check

Quirks imitated: the `{"error": {message, type, param, code}}` envelope; a 401 that echoes the key masked, as
OpenAI's does; `openai-poll-after-ms` and `x-request-id` headers; `seconds` as a string; Sora 2 Pro-only frames; a
first frame that must be an image file of exactly the video's frame. A prompt containing BLOCKME fails in
moderation while rendering, BLOCKNOW is refused by moderation at create, FAILME fails while rendering for
another reason. `gone=True` answers every videos path
with 404 the way api.openai.com does since the shutdown.
"""

from __future__ import annotations

import json
import re
import struct
import time
import uuid
import zlib
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply, bearer, file_reply, sample_mp4

KEY = "sk-proj-fakeKEY0000openai1234"
MODELS = ("sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08")
SECONDS = ("4", "8", "12")
EXTEND_SECONDS = ("4", "8", "12", "16", "20")
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
PRO_SIZES = ("1024x1792", "1792x1024")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
STEPS = (("queued", 0), ("in_progress", 35), ("in_progress", 80))
"""What successive reads see before the final state."""
_V1 = r"(?:/v1)?"


class FakeOpenAI(FakeServer):
    def __init__(
        self,
        key: str = KEY,
        *,
        retired: tuple[str, ...] = (),
        redirect_content: bool = False,
        gone: bool = False,
    ) -> None:
        super().__init__()
        self.key = key
        self.retired = set(retired)
        self.redirect_content = redirect_content
        self.gone = gone
        self.hold = False
        """Keep every job in progress (to cancel one while it runs)."""
        self.stale_links = 0
        """How many of the next content redirects hand out an already expired link."""
        self.poll_after_ms = 10
        self.videos: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        """Each accepted create's fields as received (files as {"filename", "content_type", "size"})."""
        self.deleted: list[str] = []
        self._reads: dict[str, int] = {}
        self._order: dict[str, int] = {}
        self.route("POST", rf"{_V1}/videos", self._create)
        self.route("POST", rf"{_V1}/videos/extensions", self._extend)
        self.route("GET", rf"{_V1}/videos", self._list)
        self.route("GET", rf"{_V1}/videos/(?P<id>[^/]+)", self._retrieve)
        self.route("DELETE", rf"{_V1}/videos/(?P<id>[^/]+)", self._delete)
        self.route("GET", rf"{_V1}/videos/(?P<id>[^/]+)/content", self._content)
        self.route("POST", rf"{_V1}/videos/(?P<id>[^/]+)/remix", self._remix)
        self.route("GET", rf"{_V1}/models", self._models)
        self.route("GET", r"/files/(?P<id>[^/]+)\.mp4", self._file)

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    # ------------------------------------------------------------------------------------------ handlers

    def _create(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        fields, files = _form(call)
        if "input_reference" in fields:
            return _error(
                400,
                "Invalid type for 'input_reference': expected a file, but got a string instead.",
                param="input_reference",
                code="invalid_type",
            )
        prompt = fields.get("prompt", "")
        model = fields.get("model", "sora-2")
        seconds = fields.get("seconds", "4")
        size = fields.get("size", "720x1280")
        if (problem := _check_prompt(prompt)) is not None:
            return problem
        if model in self.retired:
            return _error(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                code="model_not_found",
                param="model",
            )
        if model not in MODELS:
            return _invalid("model", model, MODELS)
        if seconds not in SECONDS:
            return _invalid("seconds", seconds, SECONDS)
        if size not in SIZES:
            return _invalid("size", size, SIZES)
        if size in PRO_SIZES and not model.startswith("sora-2-pro"):
            return _error(
                400, f"The size {size} is only available with sora-2-pro.", param="size", code="invalid_value"
            )
        reference = files.get("input_reference")
        if reference is not None:
            content_type, data = reference["content_type"], reference.pop("data")
            if content_type not in IMAGE_TYPES:
                return _error(
                    400,
                    f"Invalid file format for 'input_reference': {content_type}. Supported: {', '.join(IMAGE_TYPES)}.",
                    param="input_reference",
                    code="invalid_value",
                )
            reference["dimensions"] = _image_size(data)
            frame = tuple(int(v) for v in size.split("x"))
            if reference["dimensions"] is not None and reference["dimensions"] != frame:
                return _error(400, "Inpaint image must match the requested width and height", param="input_reference")
        with self.lock:
            self.created.append({**fields, **({"input_reference": reference} if reference else {})})
            video = self._new_video(prompt=prompt, model=model, seconds=seconds, size=size)
        return _ok(video)

    def _remix(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        fields = _json_or_form(call)
        prompt = fields.get("prompt", "")
        if (problem := _check_prompt(prompt)) is not None:
            return problem
        with self.lock:
            source = self.videos.get(match["id"])
            if source is None:
                return _not_found(match["id"])
            if source["status"] != "completed":
                return _error(
                    400, f"Video {match['id']} is not completed yet; it cannot be remixed.", code="invalid_value"
                )
            self.created.append({"remix_of": match["id"], **fields})
            video = self._new_video(
                prompt=prompt,
                model=source["model"],
                seconds=source["seconds"],
                size=source["size"],
                remixed_from_video_id=match["id"],
            )
        return _ok(video)

    def _extend(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        fields, _files = _form(call)
        prompt, seconds, source_id = fields.get("prompt", ""), fields.get("seconds", ""), fields.get("video[id]", "")
        if (problem := _check_prompt(prompt)) is not None:
            return problem
        if seconds not in EXTEND_SECONDS:
            return _invalid("seconds", seconds, EXTEND_SECONDS)
        with self.lock:
            source = self.videos.get(source_id)
            if source is None:
                return _not_found(source_id)
            if source["status"] != "completed":
                return _error(
                    400, f"Video {source_id} is not completed yet; it cannot be extended.", code="invalid_value"
                )
            self.created.append({"extend_of": source_id, **fields})
            video = self._new_video(
                prompt=prompt,
                model=source["model"],
                seconds=str(int(source["seconds"]) + int(seconds)),
                size=source["size"],
            )
        return _ok(video)

    def _retrieve(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        with self.lock:
            video = self.videos.get(match["id"])
            if video is None:
                return _not_found(match["id"])
            self._advance(video)
            snapshot = dict(video)
        reply = _ok(snapshot)
        reply.headers["openai-poll-after-ms"] = str(self.poll_after_ms)
        return reply

    def _list(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        order = call.param("order") or "desc"
        limit = int(call.param("limit") or 20)
        if not 0 <= limit <= 100:
            return _error(400, "limit must be between 0 and 100", param="limit", code="invalid_value")
        with self.lock:
            videos = sorted(self.videos.values(), key=lambda v: self._order[v["id"]], reverse=order == "desc")
            after = call.param("after")
            if after:
                ids = [v["id"] for v in videos]
                videos = videos[ids.index(after) + 1 :] if after in ids else []
            page = [dict(v) for v in videos[:limit]]
            more = len(videos) > limit
        return _ok(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": more,
            }
        )

    def _delete(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        with self.lock:
            if self.videos.pop(match["id"], None) is None:
                return _not_found(match["id"])
            self.deleted.append(match["id"])
        return _ok({"id": match["id"], "object": "video.deleted", "deleted": True})

    def _content(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refuse(call)) is not None:
            return refused
        variant = call.param("variant") or "video"
        with self.lock:
            video = self.videos.get(match["id"])
            if video is None:
                return _not_found(match["id"])
            if video["status"] != "completed":
                return _error(404, f"Video {match['id']} is not ready; its content is not available yet.")
            if video["expires_at"] is not None and time.time() > video["expires_at"]:
                return _error(404, f"The content of video {match['id']} has expired.", code="video_expired")
            stale = self.stale_links > 0 and variant == "video"
            if stale:
                self.stale_links -= 1
        if variant == "thumbnail":
            return Reply(200, body=b"RIFF\x0c\x00\x00\x00WEBPVP8 ", content_type="image/webp")
        if variant != "video":
            return _invalid("variant", variant, ("video", "thumbnail", "spritesheet"))
        if self.redirect_content:
            # the signed link lives on another host name (same server), as a gateway's file host would
            link = self.sign(f"/files/{match['id']}.mp4", ttl=-1.0 if stale else None)
            return Reply(302, body=b"", headers={"Location": link.replace("://127.0.0.1:", "://localhost:", 1)})
        return file_reply(sample_mp4(), call)

    def _file(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return Reply(403, body=b"<Error><Code>AuthenticationFailed</Code></Error>", content_type="application/xml")
        return file_reply(sample_mp4(), call)

    def _models(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._auth(call)) is not None:
            return refused
        data = [{"id": m, "object": "model", "created": 1759708800, "owned_by": "system"} for m in MODELS]
        data.append({"id": "gpt-5", "object": "model", "created": 1754524800, "owned_by": "system"})
        return _ok({"object": "list", "data": data})

    # ------------------------------------------------------------------------------------------ state

    def _new_video(self, **fields: Any) -> dict[str, Any]:
        video_id = f"video_{uuid.uuid4().hex[:24]}"
        video: dict[str, Any] = {
            "id": video_id,
            "object": "video",
            "status": "queued",
            "progress": 0,
            "created_at": int(time.time()),
            "completed_at": None,
            "expires_at": None,
            "remixed_from_video_id": None,
            "error": None,
            **fields,
        }
        self.videos[video_id] = video
        self._order[video_id] = len(self._order)
        self._reads[video_id] = 0
        return dict(video)

    def _advance(self, video: dict[str, Any]) -> None:
        if video["status"] in ("completed", "failed"):
            return
        step = self._reads[video["id"]] = self._reads[video["id"]] + 1
        if step < len(STEPS) or self.hold:
            video["status"], video["progress"] = STEPS[min(step, len(STEPS) - 1)]
            return
        now = time.time()
        video["completed_at"] = int(now)
        if "BLOCKME" in (video.get("prompt") or ""):
            video["status"] = "failed"
            video["error"] = {
                "code": "moderation_blocked",
                "message": "Your request was blocked by our moderation system.",
            }
            return
        if "FAILME" in (video.get("prompt") or ""):
            video["status"] = "failed"
            video["error"] = {"code": "internal_error", "message": "Video generation failed unexpectedly."}
            return
        video["status"], video["progress"] = "completed", 100
        video["expires_at"] = int(now + self.url_ttl)

    # ------------------------------------------------------------------------------------------ checks

    def _auth(self, call: Call) -> Reply | None:
        token = bearer(call)
        if token is None:
            return _error(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using "
                "Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code=None,
            )
        if token != self.key:
            masked = f"{token[:3]}{'*' * max(len(token) - 7, 0)}{token[-4:]}" if len(token) > 7 else "****"
            return _error(
                401,
                f"Incorrect API key provided: {masked}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        return None

    def _refuse(self, call: Call) -> Reply | None:
        if self.gone:
            return _error(404, f"Invalid URL ({call.method} {call.path})", code=None)
        return self._auth(call)


# ---------------------------------------------------------------------------------------------- helpers


def _ok(body: dict[str, Any]) -> Reply:
    return Reply(200, json=body, headers={"x-request-id": f"req_{uuid.uuid4().hex[:16]}"})


def _error(status: int, message: str, *, param: str | None = None, code: str | None = None) -> Reply:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return Reply(status, json={"error": {"message": message, "type": kind, "param": param, "code": code}})


def _invalid(param: str, value: str, allowed: tuple[str, ...]) -> Reply:
    listed = ", ".join(f"'{a}'" for a in allowed)
    return _error(400, f"Invalid value: '{value}'. Supported values are: {listed}.", param=param, code="invalid_value")


def _not_found(video_id: str) -> Reply:
    return _error(404, f"Video with id '{video_id}' not found.", param="video_id", code=None)


def _check_prompt(prompt: str) -> Reply | None:
    if not prompt:
        return _error(400, "Missing required parameter: 'prompt'.", param="prompt", code="missing_required_parameter")
    if len(prompt) > 32_000:
        return _error(400, "The prompt is too long.", param="prompt", code="string_above_max_length")
    if "BLOCKNOW" in prompt:
        return _error(400, "Your request was blocked by our moderation system.", code="moderation_blocked")
    return None


def _json_or_form(call: Call) -> dict[str, str]:
    if call.headers.get("content-type", "").startswith("application/json"):
        body = call.json()
        return {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    return _form(call)[0]


def _form(call: Call) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Plain fields and files of a multipart body (or of a JSON one: the spec has a JSON create too)."""
    content_type = call.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = call.json()
        return (
            ({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}, {})
            if isinstance(body, dict)
            else ({}, {})
        )
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or found is None:
        return {}, {}
    fields: dict[str, str] = {}
    files: dict[str, dict[str, Any]] = {}
    for part in call.body.split(b"--" + found.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', headers)
        if name is None:
            continue
        filename = re.search(r'filename="([^"]*)"', headers)
        if filename is None:
            fields[name.group(1)] = data.decode("utf-8")
            continue
        kind = re.search(r"(?im)^content-type:\s*(\S+)", headers)
        files[name.group(1)] = {
            "filename": filename.group(1),
            "content_type": kind.group(1).lower() if kind else "application/octet-stream",
            "size": len(data),
            "data": data,
        }
    return fields, files


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG (what the real API checks against `size`)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        at = 2
        while at + 9 < len(data):
            if data[at] != 0xFF:
                at += 1
                continue
            marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[at + 5 : at + 9])
                return int(width), int(height)
            at += 2 + length
    return None


def png(width: int, height: int, rgb: tuple[int, int, int] = (40, 90, 160)) -> bytes:
    """A plain single-colour PNG of the given size, for first-frame tests."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
