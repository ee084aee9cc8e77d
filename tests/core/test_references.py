"""Carrying the cast to a model: each mentioned member in the best place the model has, the rest in words."""

from __future__ import annotations

from dataclasses import replace

from shotline.core.model import CastKind, CastMember, GenerationSettings, Project, ProjectSettings, Shot
from shotline.core.ports import ModelInfo
from shotline.core.references import How, Placement, carry, placements

MARA = CastMember("c1", "Mara", CastKind.CHARACTER, "a tall fisherwoman in a yellow oilskin", ("media/mara.png",))
HARBOUR = CastMember("c2", "Harbour", CastKind.PLACE, "a grey stone harbour", ("media/harbour.png",))
TEO = CastMember("c3", "Teo", CastKind.CHARACTER, "a boy with a red kite", ("media/teo.png", "media/teo2.png"))
GULL = CastMember("c4", "Gull", CastKind.PROP)  # no picture, no description


def _film(prompt: str = "@Mara and @Teo row into @Harbour at dawn", **settings: object) -> Project:
    shot = Shot("s1", prompt, negative_prompt="no @Teo twin", generation=GenerationSettings(**settings))  # type: ignore[arg-type]
    return Project(id="p", title="Harbour", shots=(shot,), cast=(MARA, HARBOUR, TEO, GULL))


def _hows(found: tuple[Placement, ...]) -> list[tuple[str, str]]:
    return [(p.name, p.text()) for p in found]


def test_a_text_only_model_gets_every_member_in_words_in_the_order_mentioned() -> None:
    project = _film()
    model = ModelInfo("t2v", "Text Only")
    carried = carry(project, project.shots[0], model)
    assert _hows(carried.placements) == [
        ("Mara", "described in words"),
        ("Teo", "described in words"),
        ("Harbour", "described in words"),
    ]
    assert carried.prompt == (
        "Mara and Teo row into Harbour at dawn. Mara: a tall fisherwoman in a yellow oilskin. "
        "Teo: a boy with a red kite. Harbour: a grey stone harbour."
    )
    assert carried.negative_prompt == "no Teo twin"
    assert carried.reference_images == () and carried.first_frame is None


def test_slots_fill_in_mention_order_and_the_rest_go_in_words_or_are_dropped_saying_why() -> None:
    project = _film("@Mara, @Teo, @Gull and @Harbour")
    model = ModelInfo("r", "Refs Two", reference_images=2)
    carried = carry(project, project.shots[0], model)
    assert _hows(carried.placements) == [
        ("Mara", "image reference"),
        ("Teo", "image reference"),
        ("Gull", "dropped (no picture or description)"),
        ("Harbour", "described in words"),
    ]
    assert carried.reference_images == ("media/mara.png", "media/teo.png")  # a member's first picture
    assert carried.reference_tags == ("", "")
    assert carried.prompt == "Mara, Teo, Gull and Harbour. Harbour: a grey stone harbour."


def test_a_member_with_no_room_and_no_description_is_dropped_with_the_number_of_references() -> None:
    project = replace(_film(), cast=(replace(MARA, description=""), HARBOUR, replace(TEO, description=""), GULL))
    model = ModelInfo("r", "Refs One", reference_images=1)
    assert _hows(placements(project, project.shots[0], model)) == [
        ("Mara", "image reference"),
        ("Teo", "dropped (only 1 reference)"),
        ("Harbour", "described in words"),
    ]


def test_a_tagged_model_names_each_reference_in_the_prompt_after_the_shots_own_images() -> None:
    project = _film(reference_images=("media/own.png",))
    model = ModelInfo("g", "Tagged", reference_images=3, reference_tag="<IMAGE_REF_{index}>")
    carried = carry(project, project.shots[0], model)
    assert _hows(carried.placements) == [
        ("Mara", "image reference"),
        ("Teo", "image reference"),
        ("Harbour", "described in words"),
    ]
    assert carried.reference_images == ("media/own.png", "media/mara.png", "media/teo.png")
    assert carried.reference_tags == ("<IMAGE_REF_0>", "<IMAGE_REF_1>", "<IMAGE_REF_2>")
    assert carried.prompt.startswith("<IMAGE_REF_1> and <IMAGE_REF_2> row into Harbour at dawn.")
    assert [p.tag for p in carried.placements] == ["<IMAGE_REF_1>", "<IMAGE_REF_2>", ""]


def test_slots_for_characters_only_leave_a_place_to_the_first_frame() -> None:
    project = replace(_film(), settings=ProjectSettings(style="film grain"))
    model = ModelInfo("s", "Subject", image_to_video=True, reference_images=1, reference_kinds=(CastKind.CHARACTER,))
    carried = carry(project, project.shots[0], model)
    assert _hows(carried.placements) == [
        ("Mara", "image reference"),
        ("Teo", "described in words"),
        ("Harbour", "first frame"),
    ]
    assert carried.first_frame == "media/harbour.png"
    assert carried.prompt == ("Mara and Teo row into Harbour at dawn, film grain. Teo: a boy with a red kite.")


def test_the_shots_own_first_frame_keeps_its_place_and_a_model_that_cannot_mix_sends_no_cast_picture() -> None:
    project = _film(first_frame="media/own-first.png")
    model = ModelInfo("sd", "No Mixing", image_to_video=True, reference_images=9, references_with_frames=False)
    carried = carry(project, project.shots[0], model)
    assert carried.first_frame == "media/own-first.png"
    assert {p.how for p in carried.placements} == {How.DESCRIBED}
    assert carried.placements[0].detail == "No Mixing takes no references beside a first or last frame"
    assert carried.reference_images == ()


def test_a_model_that_cannot_mix_keeps_the_shots_first_frame_over_its_own_references() -> None:
    project = _film("@Gull at dawn", first_frame="media/own-first.png", reference_images=("media/own-ref.png",))
    model = ModelInfo("sd", "No Mixing", image_to_video=True, reference_images=9, references_with_frames=False)
    carried = carry(project, project.shots[0], model)
    assert (carried.first_frame, carried.reference_images) == ("media/own-first.png", ())


def test_placements_round_trip_through_json() -> None:
    placement = Placement("c1", "Mara", How.IMAGE_REFERENCE, image="media/mara.png", tag="@Image1")
    assert Placement.from_json(placement.to_json()) == placement
    dropped = Placement("c4", "Gull", How.DROPPED, detail="only 3 references")
    assert Placement.from_json(dropped.to_json()) == dropped
    assert dropped.text() == "dropped (only 3 references)"


def test_an_unknown_mention_and_an_email_stay_as_written() -> None:
    project = _film("@Mara waves at @Nobody; write to crew@Mara.net")
    carried = carry(project, project.shots[0], ModelInfo("t", "Text"))
    assert carried.prompt.startswith("Mara waves at @Nobody; write to crew@Mara.net.")


def test_a_description_mentioning_another_member_is_written_as_the_prompt_writes_it() -> None:
    son = replace(TEO, description="@Mara's son, with a red kite")
    project = replace(_film("@Teo waits"), cast=(MARA, HARBOUR, son))
    carried = carry(project, project.shots[0], ModelInfo("t", "Text"))
    assert carried.prompt == "Teo waits. Teo: Mara's son, with a red kite."
