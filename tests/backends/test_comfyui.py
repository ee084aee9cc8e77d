"""The ComfyUI adapter against the fake ComfyUI server, driven by the real job code, journal and probe."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.comfyui import INFO, ComfyUIBackend, prompt_error_message
from shotline.backends.comfyui_workflow import load_workflow
from shotline.core.errors import AuthFailed, ContentBlocked, InputRejected, JobFailed, TransientError
from shotline.core.ports import GenerationRequest, JobPhase, JobState, KeyCheck
from shotline.jobs.generation import submit_job
from shotline.resources import resource
from tests.backends.adapter_kit import (
    add_job,
    cancel_as_the_creator,
    cloud_request,
    drive,
    generate,
    journal_for,
    provider_context,
    quick_retries,
)
from tests.clips import make_clip
from tests.fakes.comfyui import API, FakeComfyUI

pytestmark = pytest.mark.ffmpeg

PROMPT = API + "/prompt"
HISTORY = API + "/history/.*"
QUEUE = API + "/queue"
VIEW = API + "/view"


@pytest.fixture
def fake() -> Any:
    with FakeComfyUI() as server:
        yield server


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_retries(monkeypatch)


def _backend(tmp_path: Path, url: str, **settings: Any) -> ComfyUIBackend:
    # a key in the store must never be sent anywhere: ComfyUI takes none
    return ComfyUIBackend(provider_context(tmp_path, "comfyui", url, key="not-for-comfyui", **settings))


def _request(**changes: Any) -> GenerationRequest:
    return replace(cloud_request("comfyui", "workflow"), **changes)


def _creates(fake: FakeComfyUI) -> int:
    return fake.count("POST", PROMPT)


def _workflow_file(tmp_path: Path, workflow: dict[str, Any], name: str = "workflow.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(workflow), encoding="utf-8")
    return str(path)


def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("comfyui", "text-to-video.json").read_text(encoding="utf-8"))
    return data


def _first_last_workflow() -> dict[str, Any]:
    """Wan 2.1 first-last-frame: the example with two LoadImage nodes feeding WanFirstLastFrameToVideo."""
    workflow = _example()
    workflow["37"]["inputs"]["unet_name"] = "wan2.1_flf2v_720p_14B_fp16.safetensors"
    workflow["52"] = {"class_type": "LoadImage", "inputs": {"image": "{{first_frame}}"}}
    workflow["53"] = {"class_type": "LoadImage", "inputs": {"image": "{{last_frame}}"}}
    workflow["54"] = {
        "class_type": "WanFirstLastFrameToVideo",
        "inputs": {
            "positive": ["6", 0],
            "negative": ["7", 0],
            "vae": ["39", 0],
            "start_image": ["52", 0],
            "end_image": ["53", 0],
            "width": "{{width}}",
            "height": "{{height}}",
            "length": "{{frames}}",
            "batch_size": 1,
        },
    }
    sampler = workflow["3"]["inputs"]
    sampler.update(positive=["54", 0], negative=["54", 1], latent_image=["54", 2])
    del workflow["40"]
    return workflow


# ---------------------------------------------------------------------------------------------- success


def test_a_workflow_runs_to_a_probed_take_with_the_shot_filled_in(tmp_path: Path, fake: FakeComfyUI) -> None:
    request = _request(negative_prompt="blurry, text", seed=1234, duration_us=5_000_000)
    outcome, journal = generate(_backend(tmp_path, fake.url), request, tmp_path / "project")

    assert outcome.take.info.has_video and outcome.take.info.duration_us > 0
    assert (tmp_path / "project" / outcome.take.media).read_bytes() == fake.outputs[("video", "shotline_00001_.mp4")]
    assert journal.get(request.job_id).phase is JobPhase.DOWNLOADED
    assert _creates(fake) == 1 and fake.jobs() == [request.job_id]
    body = fake.prompts_sent()[0]
    assert body["prompt_id"] == request.job_id
    assert body["extra_data"] == {"shotline_job_id": request.job_id}
    assert body["client_id"] == f"shotline-{request.job_id}"
    nodes = body["prompt"]
    assert nodes["6"]["inputs"]["text"] == request.prompt
    assert nodes["7"]["inputs"]["text"] == "blurry, text"
    assert nodes["3"]["inputs"]["seed"] == 1234
    # 5 s at 24 fps is 120 frames; the latent node steps by 4 from 1, so 121
    assert nodes["40"]["inputs"] == {"width": 1280, "height": 720, "length": 121, "batch_size": 1}
    assert nodes["50"]["inputs"]["fps"] == 24.0
    assert nodes["3"]["inputs"]["model"] == ["48", 0]  # links untouched
    assert all("authorization" not in call.headers for call in fake.calls)


def test_the_shipped_example_is_api_format_with_every_placeholder() -> None:
    workflow = load_workflow(None)
    assert workflow == _example()
    text = json.dumps(workflow)
    for name in ("prompt", "negative_prompt", "seed", "width", "height", "frames", "fps"):
        assert "{{" + name + "}}" in text
    assert {node["class_type"] for node in workflow.values()} >= {"CLIPTextEncode", "KSampler", "SaveVideo"}


def test_without_a_seed_one_is_picked_and_fps_can_come_from_the_options(tmp_path: Path, fake: FakeComfyUI) -> None:
    request = _request(duration_us=2_000_000, options={"fps": 16})
    generate(_backend(tmp_path, fake.url), request, tmp_path / "project")
    nodes = fake.prompts_sent()[0]["prompt"]
    assert isinstance(nodes["3"]["inputs"]["seed"], int)
    assert nodes["40"]["inputs"]["length"] == 33  # 2 s × 16 fps = 32 → 4n+1
    assert nodes["50"]["inputs"]["fps"] == 16.0
    assert nodes["7"]["inputs"]["text"] == ""


def test_an_explicit_mapping_fills_a_workflow_without_placeholders(tmp_path: Path, fake: FakeComfyUI) -> None:
    workflow = _example()
    workflow["6"]["inputs"]["text"] = "a cat"
    workflow["3"]["inputs"]["seed"] = 7
    workflow["40"]["inputs"].update(width=832, height=480, length=33)
    workflow["50"]["inputs"]["fps"] = 16
    workflow["7"]["inputs"]["text"] = "style: {{negative_prompt}}, low quality"
    mapping = {"prompt": "6.text", "seed": ["3.seed"], "frames": "40.length", "width": "40.width"}
    request = _request(
        seed=99, negative_prompt="grain", options={"workflow": _workflow_file(tmp_path, workflow), "mapping": mapping}
    )
    generate(_backend(tmp_path, fake.url), request, tmp_path / "project")
    nodes = fake.prompts_sent()[0]["prompt"]
    assert nodes["6"]["inputs"]["text"] == request.prompt
    assert nodes["3"]["inputs"]["seed"] == 99
    assert nodes["40"]["inputs"] == {"width": 1280, "height": 480, "length": 121, "batch_size": 1}
    assert nodes["7"]["inputs"]["text"] == "style: grain, low quality"


def test_first_and_last_frames_are_uploaded_and_named_in_the_load_image_nodes(
    tmp_path: Path, fake: FakeComfyUI
) -> None:
    first, last = tmp_path / "first.png", tmp_path / "last.png"
    first.write_bytes(b"\x89PNG first frame")
    last.write_bytes(b"\x89PNG last frame")
    request = _request(
        first_frame=str(first),
        last_frame=str(last),
        options={"workflow": _workflow_file(tmp_path, _first_last_workflow())},
    )
    outcome, _ = generate(_backend(tmp_path, fake.url), request, tmp_path / "project")
    assert outcome.take.info.has_video
    assert fake.count("POST", API + "/upload/image") == 2
    nodes = fake.prompts_sent()[0]["prompt"]
    assert fake.inputs[("", nodes["52"]["inputs"]["image"])] == first.read_bytes()
    assert fake.inputs[("", nodes["53"]["inputs"]["image"])] == last.read_bytes()
    assert nodes["54"]["inputs"]["length"] == 121


# ---------------------------------------------------------------------------------------------- faults


def test_a_429_on_the_create_is_waited_out_and_only_one_job_is_queued(tmp_path: Path, fake: FakeComfyUI) -> None:
    fake.inject("POST", PROMPT, status=429, retry_after=0.05)
    request = _request()
    outcome, _ = generate(_backend(tmp_path, fake.url), request, tmp_path / "project")
    assert outcome.take.info.has_video
    assert _creates(fake) == 2
    assert fake.jobs() == [request.job_id]


@pytest.mark.parametrize(("status", "route"), [(429, HISTORY), (500, HISTORY), (503, QUEUE), (500, VIEW)])
def test_failing_reads_are_retried(tmp_path: Path, fake: FakeComfyUI, status: int, route: str) -> None:
    fake.inject("GET", route, status=status, retry_after=0.01 if status == 429 else None, times=2)
    outcome, _ = generate(_backend(tmp_path, fake.url), _request(), tmp_path / "project")
    assert outcome.take.info.has_video
    assert _creates(fake) == 1


def test_a_create_accepted_then_timed_out_is_found_not_sent_again(tmp_path: Path, fake: FakeComfyUI) -> None:
    fake.inject("POST", PROMPT, kind="hang", after_handler=True)
    request = _request()
    outcome, journal = generate(_backend(tmp_path, fake.url, http_timeout=0.5), request, tmp_path / "project")
    assert outcome.take.info.has_video
    assert _creates(fake) == 1
    assert fake.jobs() == [request.job_id]
    assert journal.get(request.job_id).provider_job_id == request.job_id


def test_an_older_server_that_makes_its_own_ids_is_found_by_the_job_tag(tmp_path: Path) -> None:
    with FakeComfyUI(keeps_prompt_id=False) as fake:
        fake.inject("POST", PROMPT, kind="hang", after_handler=True)
        request = _request()
        outcome, journal = generate(_backend(tmp_path, fake.url, http_timeout=0.5), request, tmp_path / "project")
        assert outcome.take.info.has_video
        assert _creates(fake) == 1
        [prompt_id] = fake.jobs()
        assert prompt_id != request.job_id
        assert journal.get(request.job_id).provider_job_id == prompt_id


def test_find_sees_a_finished_job_in_the_history_of_an_older_server(tmp_path: Path) -> None:
    with FakeComfyUI(keeps_prompt_id=False, run_ticks=0) as fake:
        request = _request()

        async def scenario() -> tuple[str, str | None, str | None]:
            backend = _backend(tmp_path, fake.url)
            try:
                prompt_id = await backend.submit(request)
                while (await backend.poll(prompt_id)).state is not JobState.SUCCEEDED:
                    pass
                return prompt_id, await backend.find(request), await backend.find(_request())
            finally:
                await backend.aclose()

        prompt_id, found, other = asyncio.run(scenario())
        assert found == prompt_id
        assert other is None


def test_a_dropped_create_is_looked_for_then_sent_once_more_as_a_local_job_costs_nothing(
    tmp_path: Path, fake: FakeComfyUI
) -> None:
    fake.inject("POST", PROMPT, kind="drop")
    request = _request()
    outcome, _ = generate(_backend(tmp_path, fake.url), request, tmp_path / "project")
    assert outcome.take.info.has_video
    assert _creates(fake) == 2
    assert fake.jobs() == [request.job_id]
    assert fake.count("GET", API + "/history") == 1  # find() read the history before sending again


def test_a_truncated_download_is_resumed_with_range(tmp_path: Path, fake: FakeComfyUI) -> None:
    fake.inject("GET", VIEW, kind="truncate")
    outcome, _ = generate(_backend(tmp_path, fake.url), _request(), tmp_path / "project")
    assert outcome.take.info.has_video
    views = fake.calls_to("GET", VIEW)
    assert len(views) == 2
    assert views[1].headers.get("range", "").startswith("bytes=")
    assert (tmp_path / "project" / outcome.take.media).read_bytes() == next(iter(fake.outputs.values()))


def test_a_clip_deleted_from_the_output_folder_fails_plainly(tmp_path: Path, fake: FakeComfyUI) -> None:
    request = _request()

    async def scenario() -> None:
        backend = _backend(tmp_path, fake.url)
        journal = journal_for(tmp_path / "project")
        try:
            record = await submit_job(add_job(journal, request), backend=backend, journal=journal)
            while (await backend.poll(request.job_id)).state is not JobState.SUCCEEDED:
                pass
            with fake.lock:
                fake.outputs.clear()
            await drive(backend, record, journal, tmp_path / "project")
        finally:
            await backend.aclose()

    with pytest.raises(JobFailed, match="no longer in ComfyUI's output folder"):
        asyncio.run(scenario())


def test_a_failed_workflow_says_where_and_why(tmp_path: Path, fake: FakeComfyUI) -> None:
    request = _request(prompt="FAILME a lighthouse")
    with pytest.raises(JobFailed, match="out of memory"):
        generate(_backend(tmp_path, fake.url), request, tmp_path / "project")
    row = journal_for(tmp_path / "project").get(request.job_id)
    assert row.phase is JobPhase.FAILED
    assert "KSampler (node 3)" in row.message


def test_a_moderation_failure_of_a_partner_node_is_blocked(tmp_path: Path, fake: FakeComfyUI) -> None:
    request = _request(prompt="BLOCKME a lighthouse")
    with pytest.raises(ContentBlocked, match="flagged"):
        generate(_backend(tmp_path, fake.url), request, tmp_path / "project")
    assert journal_for(tmp_path / "project").get(request.job_id).phase is JobPhase.BLOCKED


def test_a_proxy_refusing_access_is_an_auth_failure(tmp_path: Path, fake: FakeComfyUI) -> None:
    fake.inject("GET", API + "/object_info/.*", status=403, body={"error": "login required"})
    with pytest.raises(AuthFailed, match="login required") as caught:
        generate(_backend(tmp_path, fake.url), _request(), tmp_path / "project")
    assert "not-for-comfyui" not in str(caught.value)
    assert _creates(fake) == 0


# ---------------------------------------------------------------------------------------------- refusals


def _refused(tmp_path: Path, url: str, request: GenerationRequest) -> str:
    async def scenario() -> None:
        backend = _backend(tmp_path, url)
        try:
            await backend.submit(request)
        finally:
            await backend.aclose()

    with pytest.raises(InputRejected) as caught:
        asyncio.run(scenario())
    return str(caught.value)


def test_a_missing_custom_node_names_the_node_and_its_pack(tmp_path: Path, fake: FakeComfyUI) -> None:
    workflow = _example()
    workflow["60"] = {"class_type": "VHS_VideoCombine", "inputs": {"images": ["8", 0], "frame_rate": "{{fps}}"}}
    message = _refused(tmp_path, fake.url, _request(options={"workflow": _workflow_file(tmp_path, workflow)}))
    assert "'VHS_VideoCombine' (node 60" in message
    assert "ComfyUI-VideoHelperSuite" in message
    assert _creates(fake) == 0


def test_a_model_file_comfyui_lacks_is_refused_with_comfyuis_words(tmp_path: Path, fake: FakeComfyUI) -> None:
    workflow = _example()
    workflow["37"]["inputs"]["unet_name"] = "wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors"
    message = _refused(tmp_path, fake.url, _request(options={"workflow": _workflow_file(tmp_path, workflow)}))
    assert "Value not in list" in message
    assert "node 37 (UNETLoader)" in message
    assert "'wan2.2_t2v_high_noise_14B_fp8_scaled.safetensors'" in message and "models folder" in message
    assert fake.jobs() == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"model": "sdxl"}, "no model 'sdxl'"),
        ({"duration_us": 45_000_000}, "must last"),
        ({"options": {"workflow": "/nowhere/workflow.json"}}, "does not exist"),
        ({"options": {"workflow": {"nodes": [], "links": []}}}, "Export (API)"),
        ({"options": {"workflow": {"1": {"inputs": {}}}}}, "no class_type"),
        ({"options": {"workflow": {"1": {"class_type": "SaveVideo", "inputs": {}}}}}, "no place for the prompt"),
        ({"options": {"mapping": {"prompt": "99.text"}}}, "node '99'"),
        ({"options": {"mapping": {"prompt": "6"}}}, "node id.input"),
        ({"options": {"mapping": {"steps": "3.steps"}}}, "names 'steps'"),
        ({"options": {"mapping": {"seed": "3.noise_seed"}}}, "no input 'noise_seed'"),
        ({"first_frame": "/tmp/first.png"}, "no input for it"),
        ({"options": {"fps": "fast"}}, "not a number of frames"),
    ],
)
def test_bad_settings_are_refused_before_anything_is_queued(
    tmp_path: Path, fake: FakeComfyUI, change: dict[str, Any], expected: str
) -> None:
    message = _refused(tmp_path, fake.url, _request(**change))
    assert expected in message
    assert _creates(fake) == 0


def test_a_workflow_wanting_an_image_the_shot_lacks_is_refused(tmp_path: Path, fake: FakeComfyUI) -> None:
    request = _request(options={"workflow": _workflow_file(tmp_path, _first_last_workflow())})
    assert "needs a first frame" in _refused(tmp_path, fake.url, request)
    assert fake.calls == []


def test_an_unknown_placeholder_is_refused(tmp_path: Path, fake: FakeComfyUI) -> None:
    workflow = _example()
    workflow["3"]["inputs"]["steps"] = "{{steps}}"
    message = _refused(tmp_path, fake.url, _request(options={"workflow": _workflow_file(tmp_path, workflow)}))
    assert "{{steps}}" in message


# ---------------------------------------------------------------------------------------------- cancel, resume


def test_cancelling_a_running_job_interrupts_only_it(tmp_path: Path) -> None:
    with FakeComfyUI(run_ticks=10**6) as fake:
        request = _request()
        journal = journal_for(tmp_path / "project")
        record = add_job(journal, request)

        async def scenario() -> None:
            backend = _backend(tmp_path, fake.url)
            task = asyncio.create_task(drive(backend, record, journal, tmp_path / "project"))
            try:
                while fake.running is None or journal.get(request.job_id).phase is not JobPhase.SUBMITTED:
                    await asyncio.sleep(0.01)
                await cancel_as_the_creator(task, request.job_id, backend=backend, journal=journal)
                assert (await backend.poll(request.job_id)).state is JobState.CANCELLED
            finally:
                await backend.aclose()

        asyncio.run(scenario())
        assert fake.interrupts == [request.job_id]
        assert journal.get(request.job_id).phase is JobPhase.CANCELLED
        assert "execution_interrupted" in json.dumps(fake.history[request.job_id]["status"])


def test_cancelling_a_waiting_job_deletes_it_from_the_queue(tmp_path: Path) -> None:
    with FakeComfyUI(run_ticks=10**6) as fake:
        first, second = _request(), _request()

        async def scenario() -> JobState:
            backend = _backend(tmp_path, fake.url)
            try:
                await backend.submit(first)
                await backend.submit(second)
                status = await backend.poll(second.job_id)
                assert status.state is JobState.QUEUED and status.queue_position == 1
                assert "behind 1 other" in status.message
                await backend.cancel(second.job_id)
                await backend.cancel("finished-or-unknown")  # not an error
                return (await backend.poll(second.job_id)).state
            finally:
                await backend.aclose()

        assert asyncio.run(scenario()) is JobState.CANCELLED
        assert fake.deleted == [second.job_id]
        assert fake.interrupts == []
        assert fake.running is not None and fake.running["id"] == first.job_id


def test_a_job_comfyui_lost_in_a_restart_fails_with_advice(tmp_path: Path, fake: FakeComfyUI) -> None:
    async def scenario() -> str:
        backend = _backend(tmp_path, fake.url)
        try:
            return (await backend.poll("never-queued-here")).message
        finally:
            await backend.aclose()

    assert "restarted" in asyncio.run(scenario())


# ---------------------------------------------------------------------------------------------- server check


def test_check_key_says_which_comfyui_answers(tmp_path: Path, fake: FakeComfyUI) -> None:
    async def scenario() -> str:
        backend = _backend(tmp_path, fake.url)
        try:
            assert isinstance(backend, KeyCheck)
            return await backend.check_key()
        finally:
            await backend.aclose()

    message = asyncio.run(scenario())
    assert "ComfyUI 0.3.66 is running on cuda:0 NVIDIA GeForce RTX 4090" in message
    assert "needs no key" in message


def test_a_comfyui_that_is_not_running_is_reported_with_advice(tmp_path: Path) -> None:
    with socket.socket() as bound:
        # bound but not listening: connections are refused, and no other program can take the port meanwhile
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}"

        async def scenario() -> None:
            backend = _backend(tmp_path, url)
            try:
                await backend.check_key()
            finally:
                await backend.aclose()

        with pytest.raises(TransientError, match="Start ComfyUI"):
            asyncio.run(scenario())
        with pytest.raises(TransientError, match="Start ComfyUI"):
            generate(_backend(tmp_path, url), _request(), tmp_path / "project")
    assert journal_for(tmp_path / "project").all()[0].phase is JobPhase.FAILED


def test_info_declares_a_local_backend_without_a_key() -> None:
    assert INFO.kind.value == "local" and not INFO.needs_key
    model = INFO.default_model
    assert model.seed and model.negative_prompt and model.image_to_video and model.first_last_frame
    assert model.price_per_second is None


def test_a_saved_clip_can_be_any_video_container(tmp_path: Path, fake: FakeComfyUI) -> None:
    """VideoHelperSuite lists its files under "gifs"; a preview in temp/ comes after the saved file."""
    clip = make_clip(tmp_path / "clip.webm", seconds=1.0, size=(160, 90), fps="24", codec="libvpx-vp9")
    request = _request()

    async def scenario() -> Any:
        backend = _backend(tmp_path, fake.url)
        journal = journal_for(tmp_path / "project")
        try:
            record = await submit_job(add_job(journal, request), backend=backend, journal=journal)
            while (await backend.poll(request.job_id)).state is not JobState.SUCCEEDED:
                pass
            with fake.lock:
                fake.outputs[("", "AnimateDiff_00001.webm")] = clip.read_bytes()
                fake.history[request.job_id]["outputs"] = {
                    "60": {
                        "gifs": [
                            {"filename": "preview.webm", "subfolder": "", "type": "temp", "format": "video/webm"},
                            {"filename": "AnimateDiff_00001.webm", "subfolder": "", "type": "output"},
                        ]
                    },
                    "61": {"images": [{"filename": "still.png", "subfolder": "", "type": "output"}]},
                }
            return await drive(backend, record, journal, tmp_path / "project")
        finally:
            await backend.aclose()

    outcome = asyncio.run(scenario())
    assert outcome.take.info.has_video and not outcome.take.info.has_audio
    assert fake.calls_to("GET", VIEW)[-1].param("filename") == "AnimateDiff_00001.webm"


def test_both_shapes_of_comfyuis_refusal_read_plainly() -> None:
    old = prompt_error_message({"error": "no prompt", "node_errors": []}, "http://127.0.0.1:8188")
    assert "refused the workflow: no prompt" in old
    missing = {
        "error": {
            "type": "invalid_prompt",
            "message": "Cannot execute because node WanVideoSampler does not exist.",
            "details": "Node ID '#27'",
            "extra_info": {},
        },
        "node_errors": {},
    }
    message = prompt_error_message(missing, "http://127.0.0.1:8188")
    assert "'WanVideoSampler' (node 27" in message and "ComfyUI-WanVideoWrapper" in message
