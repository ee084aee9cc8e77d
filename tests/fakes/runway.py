"""A fake Runway API: the task endpoints the `runwayml` SDK (5.24) calls, on 127.0.0.1.

- `POST /v1/text_to_video`, `POST /v1/image_to_video` → `{"id", "estimatedCost": {"credits"}}`, after checking the
  Bearer key (401 `{"error"}`), the `X-Runway-Version` header (400) and the body per model (400 with
  `{"error", "issues": [{"code", "path", "message"}], "docUrl"}`).
- `GET /v1/tasks/{id}`: every read moves a task one step: PENDING → RUNNING (progress 0.25, 0.75) → SUCCEEDED with
  a fresh signed `output` link and `cost.credits`. A prompt containing BLOCKME ends FAILED with
  `SAFETY.INPUT.TEXT`; FAILME ends FAILED with `INTERNAL.BAD_OUTPUT.CODE01`. `throttle=True` starts tasks THROTTLED.
- `DELETE /v1/tasks/{id}` → 204: a running task becomes CANCELLED, a finished one is deleted (then 404).
- `GET /v1/organization` → credit balance, tier and usage.
- Output links point at `localhost` (another host name than the API's 127.0.0.1, as Runway's CDN is), need no key,
  and answer 403 once expired.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.fakes.server import Call, FakeServer, Reply, bearer, file_reply, sample_mp4

KEY = "key_runway_fake_0123456789abcdef"
VERSION = "2024-11-06"
DOC_URL = "https://docs.dev.runwayml.com/api"

GEN4_RATIOS = ("1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672")
VEO_RATIOS = ("1280:720", "720:1280", "1080:1920", "1920:1080")
WIDE_RATIOS = ("1280:720", "720:1280")
# Seedance 2 (runwayml SDK 5.13.0): the 480p and 720p ratios, and for seedance2 alone the 1080p and 4K ones too
SEEDANCE_RATIOS = (
    *("992:432", "864:496", "752:560", "640:640", "560:752", "496:864"),
    *("1470:630", "1280:720", "1112:834", "960:960", "834:1112", "720:1280"),
)
SEEDANCE_HD_RATIOS = (
    *SEEDANCE_RATIOS,
    *("2206:946", "1920:1080", "1664:1248", "1440:1440", "1248:1664", "1080:1920"),
    *("3840:1646", "3840:2160", "3840:2880", "3840:3840", "2880:3840", "2160:3840"),
)


class _Model:
    def __init__(
        self,
        *,
        t2v_ratios: tuple[str, ...] | None,
        i2v_ratios: tuple[str, ...],
        durations: tuple[int, ...],
        duration_required: bool,
        positions: tuple[str, ...],
        credits: int,
        credits_with_audio: int | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        self.t2v_ratios = t2v_ratios
        self.i2v_ratios = i2v_ratios
        self.durations = durations
        self.duration_required = duration_required
        self.positions = positions
        self.credits = credits
        self.credits_with_audio = credits_with_audio
        self.extra = extra


MODELS: dict[str, _Model] = {
    "gen4.5": _Model(
        t2v_ratios=WIDE_RATIOS,
        i2v_ratios=GEN4_RATIOS,
        durations=tuple(range(2, 11)),
        duration_required=True,
        positions=("first",),
        credits=12,
        extra=("seed", "contentModeration"),
    ),
    "gen4_turbo": _Model(
        t2v_ratios=None,
        i2v_ratios=GEN4_RATIOS,
        durations=tuple(range(2, 11)),
        duration_required=False,
        positions=("first",),
        credits=5,
        extra=("seed", "contentModeration"),
    ),
    "veo3.1": _Model(
        t2v_ratios=VEO_RATIOS,
        i2v_ratios=VEO_RATIOS,
        durations=(4, 6, 8),
        duration_required=False,
        positions=("first", "last"),
        credits=20,
        credits_with_audio=40,
        extra=("seed", "audio", "negativePrompt"),
    ),
    "veo3.1_fast": _Model(
        t2v_ratios=VEO_RATIOS,
        i2v_ratios=VEO_RATIOS,
        durations=(4, 6, 8),
        duration_required=False,
        positions=("first", "last"),
        credits=10,
        credits_with_audio=15,
        extra=("seed", "audio", "negativePrompt"),
    ),
    "gemini_omni_flash": _Model(
        t2v_ratios=WIDE_RATIOS,
        i2v_ratios=WIDE_RATIOS,
        durations=tuple(range(3, 11)),
        duration_required=False,
        positions=("first",),
        credits=15,
    ),
    # Seedance 2: the SDK types `duration` as any int; the model makes 4 to 15 s. Runway publishes 36 credits a
    # second for seedance2 and nothing for Fast and Mini, so the fake reports its own 36 for all three.
    **{
        model_id: _Model(
            t2v_ratios=ratios,
            i2v_ratios=ratios,
            durations=tuple(range(4, 16)),
            duration_required=False,
            positions=("first", "last"),
            credits=36,
            extra=("audio", "referenceAudio", "references", "referenceVideos"),
        )
        for model_id, ratios in (
            ("seedance2", SEEDANCE_HD_RATIOS),
            ("seedance2_fast", SEEDANCE_RATIOS),
            ("seedance2_mini", SEEDANCE_RATIOS),
        )
    },
}

_STEPS: tuple[tuple[str, float | None], ...] = (("PENDING", None), ("RUNNING", 0.25), ("RUNNING", 0.75))


class FakeRunway(FakeServer):
    def __init__(self, key: str = KEY, *, throttle: bool = False, credit_balance: int = 12_345) -> None:
        super().__init__()
        self.key = key
        self.throttle = throttle
        self.credit_balance = credit_balance
        self.tasks: dict[str, dict[str, Any]] = {}
        self.cancelled: list[str] = []
        self.deleted: list[str] = []
        self.route("POST", r"/v1/(text_to_video|image_to_video)", self._create)
        self.route("GET", r"/v1/tasks/([^/]+)", self._get)
        self.route("DELETE", r"/v1/tasks/([^/]+)", self._delete)
        self.route("GET", r"/v1/organization", self._organization)
        self.route("GET", r"/files/([^/]+)/output\.mp4", self._file)

    # ------------------------------------------------------------------------------------------ helpers for tests

    def creates(self) -> list[Call]:
        return self.calls_to("POST", r"/v1/(text_to_video|image_to_video)")

    def file_link(self, task_id: str) -> str:
        """A signed link on `localhost`: a different host from the API, as Runway's CDN is."""
        return self.sign(f"/files/{task_id}/output.mp4").replace("://127.0.0.1:", "://localhost:", 1)

    # ------------------------------------------------------------------------------------------ checks

    def _refused(self, call: Call) -> Reply | None:
        if bearer(call) != self.key:
            return Reply(401, json={"error": "Invalid API secret provided."})
        version = call.headers.get("x-runway-version")
        if version is None:
            return Reply(400, json={"error": "The X-Runway-Version header is required."})
        if version != VERSION:
            return Reply(400, json={"error": f"Unsupported API version: {version}. Use {VERSION}."})
        return None

    @staticmethod
    def _invalid(path: str, message: str, code: str = "invalid_value") -> Reply:
        return Reply(
            400,
            json={
                "error": "Validation of body failed",
                "issues": [{"code": code, "path": [path], "message": message}],
                "docUrl": DOC_URL,
            },
        )

    def _validate(self, endpoint: str, body: Any) -> Reply | None:
        if not isinstance(body, dict):
            return self._invalid("body", "Expected object")
        model_id = body.get("model")
        model = MODELS.get(model_id) if isinstance(model_id, str) else None
        image = endpoint == "image_to_video"
        if model is None or (not image and model.t2v_ratios is None):
            allowed = " | ".join(f"'{m}'" for m, spec in MODELS.items() if image or spec.t2v_ratios is not None)
            return self._invalid(
                "model",
                f"Invalid discriminator value. Expected {allowed}, received '{model_id}'",
                "invalid_union_discriminator",
            )
        prompt = body.get("promptText")
        if prompt is not None and (not isinstance(prompt, str) or not prompt.strip()):
            return self._invalid("promptText", "String must contain at least 1 character(s)")
        if isinstance(prompt, str) and len(prompt.encode("utf-16-le")) // 2 > 1000:
            return self._invalid("promptText", "String must contain at most 1000 character(s)")
        if prompt is None and (not image or model_id == "gen4.5"):
            return self._invalid("promptText", "Required", "invalid_type")
        ratios = model.i2v_ratios if image else model.t2v_ratios or ()
        if body.get("ratio") not in ratios:
            return self._invalid("ratio", f"Invalid enum value. Expected {' | '.join(ratios)}")
        duration = body.get("duration")
        if duration is None and model.duration_required:
            return self._invalid("duration", "Required", "invalid_type")
        if duration is not None and duration not in model.durations:
            return self._invalid("duration", f"Invalid duration for {model_id}: {duration}")
        if image:
            return self._validate_images(model, body.get("promptImage"))
        if "promptImage" in body:
            return self._invalid("promptImage", "Unrecognized key(s) in object: 'promptImage'", "unrecognized_keys")
        return None

    def _validate_images(self, model: _Model, images: Any) -> Reply | None:
        if isinstance(images, str):
            images = [{"uri": images, "position": "first"}]
        if not isinstance(images, list) or not images:
            return self._invalid("promptImage", "Required", "invalid_type")
        positions = [image.get("position") for image in images if isinstance(image, dict)]
        if any(position not in model.positions for position in positions) or len(set(positions)) != len(images):
            return self._invalid("promptImage", f"Positions must be one each of: {', '.join(model.positions)}")
        if "first" not in positions:
            return self._invalid("promptImage", "This model does not support generating with only a last frame")
        for image in images:
            uri = image.get("uri", "")
            if not re.fullmatch(r"data:image/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+", uri or ""):
                return self._invalid("promptImage", "Expected a HTTPS URL, runway:// URI or base64 data URI")
        return None

    # ------------------------------------------------------------------------------------------ routes

    def _create(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        try:
            body = call.json()
        except ValueError:
            return Reply(400, json={"error": "Request body is not valid JSON"})
        if (invalid := self._validate(match.group(1), body)) is not None:
            return invalid
        model = MODELS[body["model"]]
        seconds = int(body.get("duration") or (8 if model.durations == (4, 6, 8) else 5))
        per_second = model.credits_with_audio if body.get("audio", True) and model.credits_with_audio else model.credits
        task_id = str(uuid.uuid4())
        prompt = str(body.get("promptText", ""))
        with self.lock:
            self.tasks[task_id] = {
                "id": task_id,
                "createdAt": "2026-11-01T12:00:00.000Z",
                "body": body,
                "credits": per_second * seconds,
                "reads": 0,
                "status": "",
                "ending": "BLOCK" if "BLOCKME" in prompt else "FAIL" if "FAILME" in prompt else "",
            }
        return Reply(200, json={"id": task_id, "estimatedCost": {"credits": per_second * seconds}})

    def _advance(self, task: dict[str, Any]) -> dict[str, Any]:
        """Move the task one step and return its wire form."""
        steps = (("THROTTLED", None), *_STEPS) if self.throttle else _STEPS
        base = {"id": task["id"], "createdAt": task["createdAt"]}
        if task["status"] in ("CANCELLED", "SUCCEEDED", "FAILED"):
            state, progress = task["status"], None
        elif task["reads"] < len(steps):
            state, progress = steps[task["reads"]]
        else:
            state, progress = {"BLOCK": "FAILED", "FAIL": "FAILED"}.get(task["ending"], "SUCCEEDED"), None
        task["reads"] += 1
        task["status"] = state
        if state in ("PENDING", "THROTTLED", "RUNNING"):
            wire = {**base, "status": state, "estimatedCost": {"credits": task["credits"]}}
            if progress is not None:
                wire["progress"] = progress
            return wire
        if state == "CANCELLED":
            return {**base, "status": state, "cost": {"credits": 0}}
        if state == "FAILED":
            if task["ending"] == "BLOCK":
                failure, code = "The prompt did not pass our content moderation.", "SAFETY.INPUT.TEXT"
            else:
                failure, code = "The output did not meet our quality bar.", "INTERNAL.BAD_OUTPUT.CODE01"
            return {**base, "status": state, "failure": failure, "failureCode": code, "cost": {"credits": 0}}
        return {
            **base,
            "status": "SUCCEEDED",
            "output": [self.file_link(task["id"])],
            "cost": {"credits": task["credits"]},
        }

    def _get(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        with self.lock:
            task = self.tasks.get(match.group(1))
            if task is None or task["id"] in self.deleted:
                return Reply(404, json={"error": "Task not found"})
            return Reply(200, json=self._advance(task))

    def _delete(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        with self.lock:
            task = self.tasks.get(match.group(1))
            if task is None or task["id"] in self.deleted:
                return Reply(404, json={"error": "Task not found"})
            if task["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                self.deleted.append(task["id"])
            else:
                task["status"] = "CANCELLED"
                self.cancelled.append(task["id"])
        return Reply(204)

    def _organization(self, call: Call, match: re.Match[str]) -> Reply:
        if (refused := self._refused(call)) is not None:
            return refused
        with self.lock:
            daily = {}
            for task in self.tasks.values():
                model = task["body"]["model"]
                daily[model] = daily.get(model, 0) + 1
        return Reply(
            200,
            json={
                "creditBalance": self.credit_balance,
                "tier": {
                    "maxMonthlyCreditSpend": 10_000,
                    "models": {m: {"maxConcurrentGenerations": 2, "maxDailyGenerations": 50} for m in MODELS},
                },
                "usage": {"models": {m: {"dailyGenerations": n} for m, n in daily.items()}},
            },
        )

    def _file(self, call: Call, match: re.Match[str]) -> Reply:
        if not self.link_ok(call):
            return Reply(403, body=b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
        with self.lock:
            task = self.tasks.get(match.group(1))
            if task is None or task["status"] != "SUCCEEDED" or task["id"] in self.deleted:
                return Reply(404, body=b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
        return file_reply(sample_mp4(), call)
