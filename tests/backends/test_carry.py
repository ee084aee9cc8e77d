"""The cast carried to each backend by what its model takes (issue 16): a shot mentioning three cast members sends
exactly the references the model takes, in the provider's own fields and tags, and the rest in words — checked in
what each 127.0.0.1 fake (proven by the provider's SDK in tests/backends/sdk) received, and in the take's snapshot.

The shot: "@Mara and @Teo row into @Harbour at dawn" — two characters and a place, each with one picture and a
description. The request is built as the app builds it (services.generation.build_request) and driven through the
real job code to a take.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shotline.backends.animatic import card_for
from shotline.backends.comfyui import ComfyUIBackend
from shotline.backends.fal import FalBackend
from shotline.backends.google import GoogleBackend
from shotline.backends.luma import LumaBackend
from shotline.backends.openai import OpenAIBackend
from shotline.backends.replicate import ReplicateBackend
from shotline.backends.runway import RunwayBackend
from shotline.core.model import CastKind, CastMember, GenerationSettings, Project, Shot
from shotline.core.ports import GenerationBackend, GenerationRequest
from shotline.core.references import How, Placement
from shotline.jobs.generation import GenerationOutcome
from shotline.media.cards import card_texts
from shotline.services.context import AppContext, open_context
from shotline.services.generation import build_request
from shotline.storage.secrets import MemorySecretStore
from tests.backends.adapter_kit import generate, provider_context
from tests.backends.test_comfyui import _example
from tests.fakes.comfyui import FakeComfyUI
from tests.fakes.fal import KEY as FAL_KEY
from tests.fakes.fal import FakeFal
from tests.fakes.google import KEY as GOOGLE_KEY
from tests.fakes.google import FakeGoogle
from tests.fakes.luma import KEY as LUMA_KEY
from tests.fakes.luma import FakeLuma
from tests.fakes.openai import KEY as OPENAI_KEY
from tests.fakes.openai import FakeOpenAI, png
from tests.fakes.replicate import KEY as REPLICATE_KEY
from tests.fakes.replicate import FakeReplicate
from tests.fakes.runway import KEY as RUNWAY_KEY
from tests.fakes.runway import FakeRunway

pytestmark = pytest.mark.ffmpeg

PROMPT = "@Mara and @Teo row into @Harbour at dawn"
MARA = CastMember("c1", "Mara", CastKind.CHARACTER, "a tall fisherwoman in a yellow oilskin", ("media/mara.png",))
TEO = CastMember("c2", "Teo", CastKind.CHARACTER, "a boy with a red kite", ("media/teo.png",))
HARBOUR = CastMember("c3", "Harbour", CastKind.PLACE, "a grey stone harbour", ("media/harbour.png",))
PICTURES = {
    "mara": png(48, 48, (200, 160, 20)),
    "teo": png(48, 48, (180, 30, 30)),
    "harbour": png(48, 48, (90, 90, 95)),
}
MARA_WORDS = "Mara: a tall fisherwoman in a yellow oilskin."
TEO_WORDS = "Teo: a boy with a red kite."
HARBOUR_WORDS = "Harbour: a grey stone harbour."


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


def _request(
    ctx: AppContext, tmp_path: Path, backend: str, model: str, **settings: Any
) -> tuple[GenerationRequest, Path]:
    """The shot's request for `backend`/`model`, built by build_request from a film whose pictures are in media/."""
    film = tmp_path / "film.shotline"
    (film / "media").mkdir(parents=True)
    for name, data in {**PICTURES, "own": png(48, 48, (10, 200, 10))}.items():
        (film / "media" / f"{name}.png").write_bytes(data)
    shot = Shot("s1", PROMPT, generation=GenerationSettings(backend=backend, model=model, **settings))
    project = Project(id="p", title="Harbour", shots=(shot,), cast=(MARA, TEO, HARBOUR))
    return build_request(ctx, project, shot, project_dir=film), film


def _sent(request: GenerationRequest, backend: GenerationBackend, tmp_path: Path) -> GenerationOutcome:
    outcome, _journal = generate(backend, request, tmp_path / "project")
    # the take's request snapshot says what was sent of whom, as the request did
    snapshot = outcome.take.generation.request if outcome.take.generation else {}
    assert tuple(Placement.from_json(p) for p in snapshot["cast"]) == request.cast
    return outcome


def _hows(request: GenerationRequest) -> dict[str, How]:
    return {placement.name: placement.how for placement in request.cast}


def _b64(name: str) -> str:
    return base64.b64encode(PICTURES[name]).decode()


def test_google_sends_what_slots_are_left_as_image_blocks_named_by_their_tags(ctx: AppContext, tmp_path: Path) -> None:
    """Gemini Omni takes 3 references; the shot's own picture keeps the first (and its own first frame the start),
    Mara and Teo take the other two, bound by <IMAGE_REF_n> where the prompt names them, and the harbour, which
    would have opened the shot, goes in words."""
    request, film = _request(
        ctx,
        tmp_path,
        "google",
        "gemini-omni-1.2-flash",
        first_frame="media/own.png",
        reference_images=("media/own.png",),
    )
    assert _hows(request) == {"Mara": How.IMAGE_REFERENCE, "Teo": How.IMAGE_REFERENCE, "Harbour": How.DESCRIBED}
    with FakeGoogle() as fake:
        backend = GoogleBackend(provider_context(tmp_path, "google", fake.url, key=GOOGLE_KEY))
        _sent(request, backend, tmp_path)
        body = fake.creates()[0].json()
    content = body["input"][0]["content"]
    images = [block["data"] for block in content if block["type"] == "image"]
    own = base64.b64encode((film / "media" / "own.png").read_bytes()).decode()
    assert images == [own, own, _b64("mara"), _b64("teo")]  # the first frame, then the references in slot order
    (text,) = [block["text"] for block in content if block["type"] == "text"]
    assert text == (
        f"<FIRST_FRAME> <IMAGE_REF_0> <IMAGE_REF_1> and <IMAGE_REF_2> row into Harbour at dawn. {HARBOUR_WORDS}"
    )


def test_runway_seedance_sends_every_member_as_a_text_to_video_reference(ctx: AppContext, tmp_path: Path) -> None:
    request, _ = _request(ctx, tmp_path, "runway", "seedance2")
    assert set(_hows(request).values()) == {How.IMAGE_REFERENCE}
    with FakeRunway() as fake:
        _sent(request, RunwayBackend(provider_context(tmp_path, "runway", fake.url, key=RUNWAY_KEY)), tmp_path)
        (create,) = fake.creates()
    assert create.path == "/v1/text_to_video"
    body = create.json()
    assert body["references"] == [{"uri": f"data:image/png;base64,{_b64(name)}"} for name in ("mara", "teo", "harbour")]
    assert body["promptText"] == "Mara and Teo row into Harbour at dawn"  # untagged: bound by their order


def test_runway_gen45_opens_on_the_place_and_describes_the_characters(ctx: AppContext, tmp_path: Path) -> None:
    request, _ = _request(ctx, tmp_path, "runway", "gen4.5")
    assert _hows(request) == {"Mara": How.DESCRIBED, "Teo": How.DESCRIBED, "Harbour": How.FIRST_FRAME}
    with FakeRunway() as fake:
        _sent(request, RunwayBackend(provider_context(tmp_path, "runway", fake.url, key=RUNWAY_KEY)), tmp_path)
        (create,) = fake.creates()
    assert create.path == "/v1/image_to_video"
    body = create.json()
    assert body["promptImage"] == [{"uri": f"data:image/png;base64,{_b64('harbour')}", "position": "first"}]
    assert body["promptText"] == f"Mara and Teo row into Harbour at dawn. {MARA_WORDS} {TEO_WORDS}"
    assert "references" not in body


def test_fal_seedance_sends_image_urls_named_at_image_n_on_its_reference_endpoint(
    ctx: AppContext, tmp_path: Path
) -> None:
    request, _ = _request(ctx, tmp_path, "fal", "seedance-2")
    with FakeFal() as fake:
        _sent(request, FalBackend(provider_context(tmp_path, "fal", fake.url, key=FAL_KEY)), tmp_path)
        (submit,) = fake.submits()
    assert submit.path == "/bytedance/seedance-2.0/reference-to-video"
    body = submit.json()
    assert body["image_urls"] == [f"data:image/png;base64,{_b64(name)}" for name in ("mara", "teo", "harbour")]
    assert body["prompt"] == "@Image1 and @Image2 row into @Image3 at dawn"
    assert "image_url" not in body


def test_fal_kling_3_takes_text_only_so_every_member_is_described(ctx: AppContext, tmp_path: Path) -> None:
    request, _ = _request(ctx, tmp_path, "fal", "kling-3-standard")
    assert set(_hows(request).values()) == {How.DESCRIBED}
    with FakeFal() as fake:
        _sent(request, FalBackend(provider_context(tmp_path, "fal", fake.url, key=FAL_KEY)), tmp_path)
        (submit,) = fake.submits()
    body = submit.json()
    assert body["prompt"] == f"Mara and Teo row into Harbour at dawn. {MARA_WORDS} {TEO_WORDS} {HARBOUR_WORDS}"
    assert not any("image" in name for name in body)


def test_replicate_video_01_takes_one_character_as_its_subject_and_the_place_as_first_frame(
    ctx: AppContext, tmp_path: Path
) -> None:
    request, _ = _request(ctx, tmp_path, "replicate", "minimax/video-01")
    assert _hows(request) == {"Mara": How.IMAGE_REFERENCE, "Teo": How.DESCRIBED, "Harbour": How.FIRST_FRAME}
    with FakeReplicate() as fake:
        backend = ReplicateBackend(provider_context(tmp_path, "replicate", fake.url, key=REPLICATE_KEY))
        _sent(request, backend, tmp_path)
        sent = fake.create_calls()[0].json()["input"]
    assert sent["subject_reference"] == f"data:image/png;base64,{_b64('mara')}"
    assert sent["first_frame_image"] == f"data:image/png;base64,{_b64('harbour')}"
    assert sent["prompt"] == f"Mara and Teo row into Harbour at dawn. {TEO_WORDS}"


def test_sora_takes_the_place_as_its_input_reference_and_the_characters_in_words(
    ctx: AppContext, tmp_path: Path
) -> None:
    request, _ = _request(ctx, tmp_path, "openai", "sora-2")
    assert _hows(request) == {"Mara": How.DESCRIBED, "Teo": How.DESCRIBED, "Harbour": How.FIRST_FRAME}
    with FakeOpenAI() as fake:
        _sent(request, OpenAIBackend(provider_context(tmp_path, "openai", fake.api_url, key=OPENAI_KEY)), tmp_path)
        (created,) = fake.created
    assert created["prompt"] == f"Mara and Teo row into Harbour at dawn. {MARA_WORDS} {TEO_WORDS}"
    assert created["input_reference"]["content_type"] == "image/png"  # the harbour, fitted to the clip's frame


def test_luma_takes_no_local_picture_so_every_member_is_described(ctx: AppContext, tmp_path: Path) -> None:
    request, _ = _request(ctx, tmp_path, "luma", "ray-2")
    assert set(_hows(request).values()) == {How.DESCRIBED}
    with FakeLuma() as fake:
        _sent(request, LumaBackend(provider_context(tmp_path, "luma", fake.url, key=LUMA_KEY)), tmp_path)
        (create,) = fake.calls_to("POST", r"/generations(/video)?")
    body = json.loads(create.body)
    assert body["prompt"] == f"Mara and Teo row into Harbour at dawn. {MARA_WORDS} {TEO_WORDS} {HARBOUR_WORDS}"
    assert "keyframes" not in body


def test_comfyui_fills_the_workflows_reference_images_in_mention_order(ctx: AppContext, tmp_path: Path) -> None:
    """A local workflow takes 4 pictures by placeholder ({{reference_image_1}}…): all three members go, uploaded,
    each named in its LoadImage node, and the prompt names them plainly."""
    workflow = _example()
    for number in (1, 2, 3):
        workflow[f"6{number}"] = {"class_type": "LoadImage", "inputs": {"image": f"{{{{reference_image_{number}}}}}"}}
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(workflow), encoding="utf-8")
    request, _ = _request(ctx, tmp_path, "comfyui", "workflow", options={"workflow": str(path)})
    assert set(_hows(request).values()) == {How.IMAGE_REFERENCE}
    with FakeComfyUI() as fake:
        backend = ComfyUIBackend(provider_context(tmp_path, "comfyui", fake.url, key=None))
        _sent(request, backend, tmp_path)
        nodes = fake.prompts_sent()[0]["prompt"]
        uploaded = [fake.inputs[("", nodes[f"6{number}"]["inputs"]["image"])] for number in (1, 2, 3)]
    assert uploaded == [PICTURES["mara"], PICTURES["teo"], PICTURES["harbour"]]
    assert nodes["6"]["inputs"]["text"] == "Mara and Teo row into Harbour at dawn"


def test_fal_veo_31_sends_its_three_asset_references_but_no_look(ctx: AppContext, tmp_path: Path) -> None:
    """Veo's references are assets (a scene, an object, a character): the three members go as image_urls on its
    reference-to-video endpoint, untagged; a look has no slot there."""
    request, _ = _request(ctx, tmp_path, "fal", "veo3.1")
    assert set(_hows(request).values()) == {How.IMAGE_REFERENCE}
    with FakeFal() as fake:
        _sent(request, FalBackend(provider_context(tmp_path, "fal", fake.url, key=FAL_KEY)), tmp_path)
        (submit,) = fake.submits()
    assert submit.path == "/fal-ai/veo3.1/reference-to-video"
    body = submit.json()
    assert body["image_urls"] == [f"data:image/png;base64,{_b64(name)}" for name in ("mara", "teo", "harbour")]
    assert body["prompt"] == "Mara and Teo row into Harbour at dawn"
    model = ctx.registry.info("fal").model("veo3.1")
    assert model is not None and CastKind.LOOK not in model.reference_kinds


def test_the_offline_animatic_takes_text_only_so_its_card_carries_the_descriptions(
    ctx: AppContext, tmp_path: Path
) -> None:
    request, _ = _request(ctx, tmp_path, "animatic", "card")
    assert set(_hows(request).values()) == {How.DESCRIBED}
    model = ctx.registry.info("animatic").model("card")
    assert model is not None
    written = card_texts(card_for(request, model))["prompt.txt"].replace("\n", " ")
    assert written.startswith("Mara and Teo row into Harbour at dawn. Mara: a tall fisherwoman")
