"""project.json: exact round trip, the golden v1 fixture, specific damage messages, newer formats, migrations."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.core.errors import ProjectCorrupt, ProjectTooNew, SaveFailed
from shotline.core.model import FORMAT_VERSION, DialogueLine, Project, Shot
from shotline.storage import schema
from tests.storage.projects import projects, sample_project

FIXTURES = Path(__file__).parents[1] / "data" / "projects"


def before_6() -> Project:
    """The sample as a format-5 file held it: its shots' "has dialogue" flag set, where format 6 has their lines
    (one unwritten line each, after the migration), no member's voice and no captions (issue 17)."""
    sample = sample_project()
    shots = tuple(replace(s, dialogue=(DialogueLine(f"{s.id}-line-1"),)) for s in sample.shots)
    return replace(sample, shots=shots, cast=tuple(replace(m, voice=None) for m in sample.cast), captions=())


def before_5() -> Project:
    """The sample as a format-4 file held it: format 5 added the cast and a shot's mark that it continues the one
    before (issue 16)."""
    sample = before_6()
    shots = tuple(replace(s, generation=replace(s.generation, continues=False)) for s in sample.shots)
    return replace(sample, cast=(), shots=shots)


def _doc() -> dict[str, Any]:
    return schema.project_to_json(sample_project(shots=3))


def _loads_doc(doc: object) -> Project:
    return schema.loads(json.dumps(doc).encode())


def test_sample_round_trips_exactly_and_keeps_exact_types() -> None:
    project = sample_project()
    again = schema.loads(schema.dumps(project))
    assert again == project
    doc = json.loads(schema.dumps(project))
    assert doc["settings"]["fps"] == "30000/1001"
    assert doc["settings"]["budget"] == "12.50"
    assert doc["settings"]["size"] == "1080x1920"
    assert doc["shots"][0]["takes"][0]["trim"] == {"in_us": 33_367, "out_us": 4_004_000}
    assert again.shots[0].takes[0].generation is not None
    assert str(again.shots[0].takes[0].generation.billed_cost) == "0.45"


def test_dumps_is_stable() -> None:
    assert schema.dumps(sample_project()) == schema.dumps(schema.loads(schema.dumps(sample_project())))


@pytest.mark.parametrize("version", range(1, FORMAT_VERSION + 1))
def test_golden_fixture_of_every_version_loads(version: int) -> None:
    project = schema.loads((FIXTURES / f"v{version}.json").read_bytes())
    assert project.format_version == FORMAT_VERSION
    if version == FORMAT_VERSION:
        assert project == sample_project()
        assert schema.dumps(project) == (FIXTURES / f"v{version}.json").read_bytes()


def test_minimal_document_fills_defaults() -> None:
    project = _loads_doc({"format_version": 1, "id": "p", "shots": [{"id": "s", "prompt": "sea"}]})
    assert project == Project(id="p", title="", shots=(Shot(id="s", prompt="sea"),))


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b"\x00" * 4096, "only zero bytes"),
        (b'{"format_version": 1, "id": "p"\x00\x00\x00', "zero bytes"),
        (b'{"format_version": 1,\n  "id": "p",\n  "shots": [', "ends too early (line 3"),
        (b'{"format_version": 1,\n "id" "p"}', "line 2, column 7"),
        (b"[1, 2]", "top level should be an object but is a list"),
        (b'"hello"', "top level should be an object but is text"),
        (b"\xff\xfe\xfa", "not UTF-8"),
        (b'{"format_version": NaN}', "not valid JSON"),
        (b'{"id": "p"}', "format_version is missing"),
        (b'{"format_version": "1", "id": "p"}', "format_version should be a whole number"),
    ],
)
def test_damaged_bytes_give_specific_messages(raw: bytes, words: str) -> None:
    with pytest.raises(ProjectCorrupt) as caught:
        schema.loads(raw)
    assert words in str(caught.value)
    assert str(caught.value).startswith("The project file is damaged") or "format" in str(caught.value)


def test_truncated_real_file_is_reported_as_cut_off() -> None:
    raw = schema.dumps(sample_project())
    for cut in (1, len(raw) // 3, len(raw) - 3):
        with pytest.raises(ProjectCorrupt, match="ends too early"):
            schema.loads(raw[:cut])


def _break(doc: dict[str, Any], path: list[Any], value: object) -> dict[str, Any]:
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (["shots", 2, "takes", 0, "trim"], "0-5", "shots[2].takes[0].trim should be an object but is text"),
        (["shots", 2, "takes", 0, "trim", "out_us"], KeyError, "shots[2].takes[0].trim.out_us is missing"),
        (["shots", 2, "takes", 0, "trim", "out_us"], 1, "shots[2].takes[0].trim ends (1 µs) before it starts"),
        (["shots", 1, "takes", 1, "origin"], "stolen", "shots[1].takes[1].origin should be one of generated"),
        (["shots", 0, "prompt"], 5, "shots[0].prompt should be text but is the number 5"),
        (["shots", 0, "muted"], 1, "shots[0].muted should be true or false"),
        (["settings", "fps"], "24/0", 'settings.fps should be a rate above zero like "30000/1001"'),
        (["settings", "size"], "wide", "settings.size should be a size"),
        (["settings", "budget"], "lots", "settings.budget should be an amount"),
        (["audio", 0, "start_us"], -5, "audio[0].start_us should be at least 0"),
        (["audio", 0, "start_us"], True, "audio[0].start_us should be a whole number but is true/false"),
        (["shots", 0, "generation", "reference_images", 1], 3, "shots[0].generation.reference_images[1] should"),
        (["assets", 0, "info", "fps"], "1e999999", "assets[0].info.fps should be a rate"),
        (["shots"], {}, "shots should be a list but is an object"),
        (["id"], KeyError, "id is missing"),
    ],
)
def test_invalid_fields_are_named_by_path(path: list[Any], value: object, words: str) -> None:
    with pytest.raises(ProjectCorrupt) as caught:
        _loads_doc(_break(_doc(), path, value))
    assert words in str(caught.value)


def test_newer_format_is_refused_with_the_exact_advice() -> None:
    doc = _doc() | {"format_version": 7}
    with pytest.raises(ProjectTooNew) as caught:
        _loads_doc(doc)
    assert str(caught.value) == (
        "This project was saved by a newer Shotline (format 7); this Shotline reads up to format 6. "
        "Update Shotline to open it."
    )


def test_migrations_run_step_by_step_and_stay_pure() -> None:
    calls: list[int] = []

    def v0_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
        calls.append(doc["format_version"])
        doc["title"] = doc.pop("name")  # format 0 called the title "name"
        return doc

    old = _doc() | {"format_version": 0}
    old["name"] = old.pop("title")
    original = json.loads(json.dumps(old))
    project = schema.project_from_json(old, migrations={0: v0_to_v1, **schema.MIGRATIONS})
    assert calls == [0]
    assert project.title == sample_project().title
    assert project.format_version == FORMAT_VERSION
    assert old == original, "a migration must not change the caller's document"
    assert schema.migrate(_doc(), migrations={0: v0_to_v1}) == _doc(), "current documents are not touched"


def test_missing_or_failing_migration_is_a_clear_corrupt_error() -> None:
    old = _doc() | {"format_version": 0}
    with pytest.raises(ProjectCorrupt, match="format 0, which this Shotline can no longer read"):
        schema.project_from_json(old, migrations={})

    def broken(doc: dict[str, Any]) -> dict[str, Any]:
        return {"x": doc["no such key"]}

    with pytest.raises(ProjectCorrupt, match="could not be upgraded from format 0"):
        schema.project_from_json(old, migrations={0: broken})


def test_unsavable_value_is_refused_before_writing() -> None:
    project = sample_project()
    bad = Project(id=project.id, title=project.title, shots=(Shot(id="s", prompt="p", gain_db=float("nan")),))
    with pytest.raises(SaveFailed, match="cannot be saved"):
        schema.dumps(bad)


# ---------------------------------------------------------------------------------------------- properties

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects)
def test_any_project_round_trips(project: Project) -> None:
    assert schema.loads(schema.dumps(project)) == project


@_SETTINGS
@given(st.binary(max_size=512))
def test_arbitrary_bytes_raise_only_project_errors(raw: bytes) -> None:
    try:
        schema.loads(raw)
    except (ProjectCorrupt, ProjectTooNew):
        pass


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@_SETTINGS
@given(_json)
def test_arbitrary_json_raises_only_project_errors(data: object) -> None:
    try:
        schema.loads(json.dumps(data).encode())
    except (ProjectCorrupt, ProjectTooNew):
        pass


_field_values = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.just([]) | st.just({})
)


@_SETTINGS
@given(st.data())
def test_one_damaged_field_in_a_real_project_raises_only_project_errors(data: st.DataObject) -> None:
    """Random JSON rarely looks like a project; this damages one field of a real one, anywhere in the tree."""
    doc = _doc()
    node: Any = doc
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if isinstance(node[key], dict | list) and data.draw(st.booleans()):
            node = node[key]
            continue
        node[key] = data.draw(_field_values)
        break
    try:
        schema.loads(json.dumps(doc).encode())
    except (ProjectCorrupt, ProjectTooNew):
        pass


def test_format_1_audio_clips_lose_their_unused_duck_and_get_the_default_lanes() -> None:
    doc = json.loads((FIXTURES / "v1.json").read_bytes())
    assert any("duck_db" in clip for clip in doc["audio"])
    project = _loads_doc(doc)
    assert [lane.id for lane in project.lanes] == ["clips", "music", "voice"]
    assert project.lane("music").duck_db < 0
    assert project.audio[0].lane == "music"


def test_format_2_projects_open_with_no_deleted_takes_and_keep_everything_else() -> None:
    """Format 3 adds the deleted takes (issue 14, point 12); a format-2 file has none and loses nothing else."""
    old = _loads_doc(json.loads((FIXTURES / "v2.json").read_bytes()))
    assert old.removed_takes == ()
    assert old == replace(before_5(), removed_takes=(), markers=())  # markers came in 4, the cast in 5


def test_a_deleted_take_keeps_its_shot_and_pick_and_its_clip_counts_as_used() -> None:
    project = schema.loads(schema.dumps(sample_project()))
    [deleted] = project.removed_takes
    assert (deleted.shot_id, deleted.take.id, deleted.picked) == ("shot-0", "deleted-0", True)
    assert "media/deleted.mp4" in project.media_paths()
    assert project.media_names()["media/deleted.mp4"] == "boats.mp4"


def test_a_deleted_take_may_not_share_an_id_with_a_shots_take() -> None:
    doc = _doc()
    doc["removed_takes"][0]["take"]["id"] = doc["shots"][1]["takes"][0]["id"]
    with pytest.raises(ProjectCorrupt, match=r"removed_takes\[0\]\.take\.id.*same as shots\[1\]\.takes\[0\]\.id"):
        _loads_doc(doc)


def test_format_3_projects_open_with_no_markers_and_keep_everything_else() -> None:
    """Format 4 adds timeline markers (issue 14, point 17); a format-3 file has none and loses nothing else."""
    old = _loads_doc(json.loads((FIXTURES / "v3.json").read_bytes()))
    assert old.markers == ()
    assert old == replace(before_5(), markers=())


def test_markers_come_back_in_time_order_and_may_not_share_an_id() -> None:
    doc = _doc()
    doc["markers"].reverse()
    assert [m.at_us for m in _loads_doc(doc).markers] == [1_250_000, 4_000_000]
    doc["markers"][1]["id"] = doc["markers"][0]["id"]
    with pytest.raises(ProjectCorrupt, match=r"markers\[1\]\.id.*same as markers\[0\]\.id"):
        _loads_doc(doc)


def test_format_4_projects_open_with_no_cast_and_keep_everything_else() -> None:
    """Format 5 adds the cast and places (issue 16); a format-4 file has none and loses nothing else."""
    old = _loads_doc(json.loads((FIXTURES / "v4.json").read_bytes()))
    assert old.cast == ()
    assert old == before_5()


def test_the_cast_keeps_its_order_kinds_and_pictures_and_its_pictures_count_as_used() -> None:
    project = schema.loads(schema.dumps(sample_project()))
    assert [(m.name, m.kind.value, m.images) for m in project.cast] == [
        ("Mara", "character", ("media/first.png",)),
        ("Quay", "place", ("media/q1.png", "media/q2.png")),
    ]
    assert {"media/q1.png", "media/q2.png", "media/first.png"} <= set(project.media_paths())
    assert project.media_names()["media/q2.png"] == "@Quay's picture 2"


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (["cast", 1, "name"], "mara", "cast[1].name is 'mara', the name of cast[0] too"),
        (["cast", 1, "name"], "Old Quay", "cast[1].name is 'Old Quay', which must be one word"),
        (["cast", 1, "name"], "", "cast[1].name is '', which is empty"),
        (["cast", 1, "name"], "Q" * 5000, "cast[1].name is 'QQQQ"),
        (["cast", 1, "id"], "cast-0", "cast[1].id is 'cast-0', the same as cast[0].id"),
        (["cast", 0, "kind"], "villain", "cast[0].kind should be one of character, place, prop, look"),
        (["cast", 0, "description"], "x" * 2001, "cast[0].description is longer than 2000 characters"),
        (["cast", 0, "images"], [f"media/{n}.png" for n in range(17)], "cast[0].images lists 17 pictures"),
        (["cast", 0, "images", 0], "/home/someone/face.png", "picture 1 of @Mara (cast[0].images[0])"),
        (["cast", 0, "images", 0], "media/../../face.png", "climbs out of the project folder"),
    ],
)
def test_a_damaged_cast_member_is_named_by_path(path: list[Any], value: object, words: str) -> None:
    with pytest.raises(ProjectCorrupt) as caught:
        _loads_doc(_break(_doc(), path, value))
    assert words in str(caught.value)
    assert "Q" * 100 not in str(caught.value)  # a huge name is not echoed whole


def test_format_5_shots_keep_speaking_as_one_unwritten_line_and_the_rest_is_kept() -> None:
    """Format 6 (issue 17): a set "has dialogue" flag becomes one unwritten line (the music keeps ducking under the
    shot), a clear one no lines; no member has a voice and the film no captions yet."""
    doc = json.loads((FIXTURES / "v5.json").read_bytes())
    doc["shots"][1]["dialogue"] = False
    old = _loads_doc(doc)
    first, second = old.shots
    assert first.dialogue == (DialogueLine("shot-0-line-1", text="", speaker="", member_id=None),)
    assert second.dialogue == ()
    assert old == replace(before_6(), shots=(first, replace(before_6().shots[1], dialogue=())))
    assert schema.loads(schema.dumps(old)) == old, "the migrated project saves and opens as it is"


def test_lines_keep_their_order_speakers_and_words_and_voices_and_captions_come_back() -> None:
    project = schema.loads(schema.dumps(sample_project()))
    said = [(line.id, line.member_id, line.speaker, line.text) for line in project.shots[0].dialogue]
    assert said == [
        ("line-0-0", "cast-0", "", "Cast off — “now” ✓"),
        ("line-0-1", None, "Harbourmaster", "Gulls, all of them!"),
    ]
    voice = project.cast[0].voice
    assert voice is not None and (voice.backend, voice.voice, voice.model) == ("openai", "coral", "gpt-4o-mini-tts")
    assert dict(voice.settings) == {"speed": 1.1, "instructions": "tired, warm"}
    assert project.cast[1].voice is None
    assert [(c.start_us, c.end_us, c.line_id, c.edited) for c in project.captions] == [
        (500_000, 2_000_000, "line-0-0", False),
        (2_250_000, 3_000_000, None, True),
    ]


def test_captions_come_back_in_time_order() -> None:
    doc = _doc()
    doc["captions"].reverse()
    assert [c.id for c in _loads_doc(doc).captions] == ["caption-0", "caption-1"]


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (["shots", 1, "dialogue", 0, "member"], "cast-9", "shots[1].dialogue[0].member is 'cast-9', no member of"),
        (["shots", 1, "dialogue", 0, "speaker"], "Mara", "shots[1].dialogue[0] names both a cast member and a typed"),
        (["shots", 1, "dialogue", 1, "speaker"], "A\nB", "shots[1].dialogue[1].speaker runs over more than one line"),
        (["shots", 1, "dialogue", 1, "speaker"], "S" * 81, "speaker is longer than 80 characters"),
        (["shots", 0, "dialogue", 1, "text"], "w" * 1001, "shots[0].dialogue[1].text is longer than 1000 characters"),
        (["shots", 0, "dialogue", 1, "text"], 7, "(shot 1, line 2)"),
        (["shots", 2, "dialogue", 0, "id"], "line-0-1", "shots[2].dialogue[0].id is 'line-0-1', the same as shots[0]"),
        (["shots", 0, "dialogue"], True, "shots[0].dialogue should be a list but is true/false"),
        (["shots", 0, "dialogue"], [{"id": f"l{n}", "text": "hi"} for n in range(51)], "lists 51 lines; a shot"),
        (["cast", 0, "voice", "voice"], "", "cast[0].voice.voice is empty"),
        (["cast", 0, "voice", "backend"], KeyError, "cast[0].voice.backend is missing"),
        (["cast", 0, "voice", "settings"], "fast", "cast[0].voice.settings should be an object"),
        (["captions", 0, "end_us"], 500_000, "captions[0].end_us is 00:00:00.500, not after its start"),
        (["captions", 1, "start_us"], -1, "captions[1].start_us should be at least 0"),
        (["captions", 1, "id"], "caption-0", "captions[1].id is 'caption-0', the same as captions[0].id"),
        (["captions", 0, "text"], "w" * 1001, "captions[0].text is longer than 1000 characters (caption 1)"),
    ],
)
def test_a_damaged_line_voice_or_caption_is_named_by_path(path: list[Any], value: object, words: str) -> None:
    with pytest.raises(ProjectCorrupt) as caught:
        _loads_doc(_break(_doc(), path, value))
    assert words in str(caught.value)
