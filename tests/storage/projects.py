"""Projects for storage tests: one hand-made sample touching every field, and a Hypothesis strategy."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from shotline.core.model import (
    MAX_FPS,
    MAX_LENGTH_US,
    MAX_SAMPLE_RATE,
    MAX_SIDE,
    MIN_FPS,
    MIN_SAMPLE_RATE,
    MIN_SIDE,
    AudioClip,
    AudioLane,
    Caption,
    CastKind,
    CastMember,
    DialogueLine,
    GenerationRecord,
    GenerationSettings,
    LaneKind,
    Marker,
    MediaInfo,
    Origin,
    Project,
    ProjectSettings,
    RemovedTake,
    Shot,
    Size,
    Take,
    Transition,
    TransitionKind,
    Trim,
    VoiceChoice,
)


def sample_project(title: str = "Harbour at dawn", shots: int = 2) -> Project:
    """A project where every field differs from its default, so a dropped field cannot go unnoticed."""
    info = MediaInfo(
        duration_us=5_005_000,
        has_video=True,
        has_audio=True,
        fps=Fraction(30000, 1001),
        size=Size(853, 480),
        rotation=90,
        video_codec="h264",
        audio_codec="aac",
        sample_rate=44_100,
        channels=2,
        variable_frame_rate=True,
    )
    made = []
    for n in range(shots):
        take = Take(
            id=f"take-{n}",
            media=f"media/clip{n}.mp4",
            origin=Origin.GENERATED,
            info=info,
            trim=Trim(33_367, 4_004_000),
            generation=GenerationRecord(
                job_id=f"job-{n}",
                backend="runway",
                model="gen4_turbo",
                request={"prompt": "boats", "seed": 7, "nested": {"list": [1, 2.5, None, "x"]}},
                provider_job_id=f"prov-{n}",
                estimated_cost=Decimal("0.50"),
                billed_cost=Decimal("0.45"),
                created_at="2025-01-02T03:04:05+00:00",
            ),
            source_name="boats.mp4",
        )
        made.append(
            Shot(
                id=f"shot-{n}",
                prompt=f"Fishing boats leave the harbour, shot {n} — “quoted” ✓",
                title=f"Shot {n}",
                negative_prompt="blur",
                generation=GenerationSettings(
                    backend="runway",
                    model="gen4_turbo",
                    duration_us=5_000_000,
                    aspect="9:16",
                    resolution="720p",
                    seed=42,
                    audio=False,
                    first_frame="media/first.png",
                    last_frame="media/last.png",
                    reference_images=("media/ref1.png", "media/ref2.png"),
                    options={"motion": 3},
                    continues=n > 0,  # the first shot has none before it to continue
                ),
                takes=(
                    take,
                    Take(
                        id=f"imp-{n}", media="media/x.mov", origin=Origin.IMPORTED, info=info, trim=Trim(0, 1_000_000)
                    ),
                ),
                picked_take_id=take.id,
                gain_db=-3.5,
                muted=True,
                solo=True,
                dialogue=(
                    DialogueLine(f"line-{n}-0", "Cast off — “now” ✓", member_id="cast-0"),
                    DialogueLine(f"line-{n}-1", "Gulls, all of them!", speaker="Harbourmaster"),
                ),
                transition_out=Transition(TransitionKind.CROSSFADE, 500_000),
            )
        )
    music = AudioClip(
        id="music",
        media="media/music.wav",
        lane="music",
        start_us=1_000_000,
        trim=Trim(0, 3_000_000),
        info=MediaInfo(duration_us=9_000_000, has_video=False, has_audio=True, audio_codec="pcm_s16le"),
        gain_db=-6.0,
        muted=True,
        fade_in_us=250_000,
        fade_out_us=500_000,
        solo=True,
        source_name="theme.wav",
    )
    return Project(
        id="project-1",
        title=title,
        settings=ProjectSettings(
            size=Size(1080, 1920),
            fps=Fraction(30000, 1001),
            sample_rate=44_100,
            style="film grain",
            budget=Decimal("12.50"),
        ),
        shots=tuple(made),
        audio=(music,),
        lanes=(
            AudioLane("clips", "Dialogue", LaneKind.CLIPS, gain_db=-1.5, solo=True),
            AudioLane(
                "music", "Score", LaneKind.MUSIC, gain_db=-4.0, muted=True, duck_db=-9.0, duck_release_us=750_000
            ),
        ),
        assets=(made[0].takes[1],) if made else (),
        removed_takes=(
            RemovedTake("shot-0", replace(made[0].takes[0], id="deleted-0", media="media/deleted.mp4"), True),
        )
        if made
        else (),
        markers=(Marker("marker-0", 1_250_000, "the gull"), Marker("marker-1", 4_000_000)),
        cast=(
            CastMember(
                "cast-0",
                "Mara",
                CastKind.CHARACTER,
                "A fisherwoman in a yellow oilskin",
                ("media/first.png",),
                VoiceChoice("openai", "coral", "gpt-4o-mini-tts", {"speed": 1.1, "instructions": "tired, warm"}),
            ),
            CastMember("cast-1", "Quay", CastKind.PLACE, "Stone quay at dawn, gulls", ("media/q1.png", "media/q2.png")),
        ),
        captions=(
            Caption("caption-0", 500_000, 2_000_000, "Cast off — “now” ✓", "Mara", "line-0-0"),
            Caption("caption-1", 2_250_000, 3_000_000, "Gulls, all of them", "Harbourmaster", None, edited=True),
        )
        if made
        else (),
    )


# ---------------------------------------------------------------------------------------------- strategies
# Every project drawn here is one the loader accepts: ids unique where the schema wants them, media inside the
# folder, trims inside their clips, values within the bounds of core.model and storage.schema.

_text = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)
_us = st.integers(min_value=1, max_value=MAX_LENGTH_US)
_finite = st.floats(min_value=-120, max_value=120, allow_nan=False, allow_infinity=False, width=64)
_fps = st.fractions(min_value=MIN_FPS, max_value=MAX_FPS, max_denominator=100_000)
_clip_fps = st.fractions(min_value=Fraction(1, 3600), max_value=1000, max_denominator=100_000)
_size = st.builds(Size, st.integers(MIN_SIDE, MAX_SIDE), st.integers(MIN_SIDE, MAX_SIDE))
_clip_size = st.builds(Size, st.integers(1, MAX_SIDE), st.integers(1, MAX_SIDE))
_money = st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**6), max_value=10**6)
_json_scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_json: st.SearchStrategy[Any] = st.recursive(
    _json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_json_object = st.dictionaries(_text, _json, max_size=3)
_one_line = _text.filter(lambda text: "\n" not in text)
_media = st.from_regex(r"media/[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)


@st.composite
def _clip(draw: st.DrawFn) -> tuple[MediaInfo, Trim]:
    """A clip's info and a trim inside it."""
    info = draw(_info)
    start = draw(st.integers(0, info.duration_us - 1))
    return info, Trim(start, draw(st.integers(start + 1, info.duration_us)))


_info = st.builds(
    MediaInfo,
    duration_us=_us,
    has_video=st.booleans(),
    has_audio=st.booleans(),
    fps=st.none() | _clip_fps,
    size=st.none() | _clip_size,
    rotation=st.sampled_from([0, 90, 180, 270, -90]),
    video_codec=_text,
    audio_codec=_text,
    sample_rate=st.integers(0, 192_000),
    channels=st.integers(0, 8),
    variable_frame_rate=st.booleans(),
)
_record = st.builds(
    GenerationRecord,
    job_id=_text,
    backend=_text,
    model=_text,
    request=_json_object,
    provider_job_id=_text,
    estimated_cost=st.none() | _money,
    billed_cost=st.none() | _money,
    created_at=_text,
)


@st.composite
def _take(draw: st.DrawFn, take_id: str) -> Take:
    info, trim = draw(_clip())
    return Take(
        id=take_id,
        media=draw(_media),
        origin=draw(st.sampled_from(Origin)),
        info=info,
        trim=trim,
        generation=draw(st.none() | _record),
        source_name=draw(_text),
    )


_generation = st.builds(
    GenerationSettings,
    backend=_text,
    model=_text,
    duration_us=_us,
    aspect=_text,
    resolution=_text,
    seed=st.none() | st.integers(-(2**63), 2**63),
    audio=st.booleans(),
    first_frame=st.none() | _media,
    last_frame=st.none() | _media,
    reference_images=st.lists(_media, max_size=3).map(tuple),
    options=_json_object,
)


@st.composite
def _shot(
    draw: st.DrawFn, shot_id: str, take_ids: list[str], line_ids: list[str], speakers: list[tuple[str, str | None]]
) -> Shot:
    return Shot(
        id=shot_id,
        prompt=draw(
            st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=200)
        ),
        title=draw(_text),
        negative_prompt=draw(_text),
        generation=draw(_generation),
        takes=tuple(draw(_take(take_id)) for take_id in take_ids),
        picked_take_id=draw(st.none() | _text),
        gain_db=draw(_finite),
        muted=draw(st.booleans()),
        solo=draw(st.booleans()),
        dialogue=tuple(
            DialogueLine(line_id, draw(_text), *draw(st.tuples(_one_line, st.none()) | st.sampled_from(speakers)))
            for line_id in line_ids
        ),
        transition_out=Transition(draw(st.sampled_from(TransitionKind)), draw(_us)),
    )


@st.composite
def _lane(draw: st.DrawFn, lane_id: str) -> AudioLane:
    return AudioLane(
        id=lane_id,
        name=draw(_text),
        kind=draw(st.sampled_from(LaneKind)),
        gain_db=draw(_finite),
        muted=draw(st.booleans()),
        solo=draw(st.booleans()),
        duck_db=draw(st.floats(min_value=-120, max_value=0)),
        duck_release_us=draw(_us),
    )


@st.composite
def _audio(draw: st.DrawFn, clip_id: str, lanes: list[str]) -> AudioClip:
    info, trim = draw(_clip())
    return AudioClip(
        id=clip_id,
        media=draw(_media),
        lane=draw(st.sampled_from(lanes)),
        start_us=draw(_us),
        trim=trim,
        info=info,
        gain_db=draw(_finite),
        muted=draw(st.booleans()),
        fade_in_us=draw(_us),
        fade_out_us=draw(_us),
        solo=draw(st.booleans()),
        source_name=draw(_text),
    )


_cast_name = st.from_regex(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-z0-9_À-ÖØ-öø-ÿ]{0,15}", fullmatch=True)


@st.composite
def _cast(draw: st.DrawFn) -> tuple[CastMember, ...]:
    names = draw(st.lists(_cast_name, max_size=3, unique_by=str.casefold))
    return tuple(
        CastMember(
            id=member_id,
            name=name,
            kind=draw(st.sampled_from(CastKind)),
            description=draw(_text),
            images=tuple(draw(st.lists(_media, max_size=3))),
            voice=draw(st.none() | st.builds(VoiceChoice, _text.filter(bool), _text.filter(bool), _text, _json_object)),
        )
        for member_id, name in zip(draw(_ids(len(names))), names, strict=True)
    )


def _ids(count: int) -> st.SearchStrategy[list[str]]:
    return st.lists(_text, min_size=count, max_size=count, unique=True)


@st.composite
def _project(draw: st.DrawFn) -> Project:
    shot_count = draw(st.integers(0, 4))
    takes_per_shot = [draw(st.integers(0, 3)) for _ in range(shot_count)]
    removed_count = draw(st.integers(0, 2))
    take_ids = draw(_ids(sum(takes_per_shot) + removed_count))
    removed_ids, take_ids = take_ids[:removed_count], take_ids[removed_count:]
    cast = draw(_cast())
    speakers = [("", member.id) for member in cast] or [("", None)]  # a member says it, or the typed name
    lines_per_shot = [draw(st.integers(0, 2)) for _ in range(shot_count)]
    line_ids = draw(_ids(sum(lines_per_shot)))
    shots = []
    shot_ids = draw(_ids(shot_count))
    for shot_id, count, lines in zip(shot_ids, takes_per_shot, lines_per_shot, strict=True):
        shots.append(draw(_shot(shot_id, take_ids[:count], line_ids[:lines], speakers)))
        take_ids, line_ids = take_ids[count:], line_ids[lines:]
    removed = tuple(
        RemovedTake(
            draw(st.sampled_from(shot_ids) | _text if shot_ids else _text), draw(_take(take_id)), draw(st.booleans())
        )
        for take_id in removed_ids
    )
    lanes = tuple(draw(_lane(lane_id)) for lane_id in draw(_ids(draw(st.integers(0, 3)))))
    audio_count = draw(st.integers(0, 2)) if lanes else 0
    return Project(
        id=draw(_text),
        title=draw(_text),
        settings=draw(
            st.builds(
                ProjectSettings,
                size=_size,
                fps=_fps,
                sample_rate=st.integers(MIN_SAMPLE_RATE, MAX_SAMPLE_RATE),
                style=_text,
                budget=st.none() | _money,
            )
        ),
        shots=tuple(shots),
        audio=tuple(draw(_audio(clip_id, [lane.id for lane in lanes])) for clip_id in draw(_ids(audio_count))),
        lanes=lanes,
        assets=tuple(draw(_take(take_id)) for take_id in draw(_ids(draw(st.integers(0, 2))))),
        removed_takes=removed,
        cast=cast,
        captions=tuple(draw(_captions())),
    )


@st.composite
def _captions(draw: st.DrawFn) -> list[Caption]:
    made = []
    for caption_id in draw(_ids(draw(st.integers(0, 2)))):
        start = draw(st.integers(0, MAX_LENGTH_US - 1))
        made.append(
            Caption(
                caption_id,
                start,
                draw(st.integers(start + 1, MAX_LENGTH_US)),
                draw(_text),
                draw(_one_line),
                draw(st.none() | _text),
                draw(st.booleans()),
            )
        )
    return sorted(made, key=lambda c: (c.start_us, c.end_us))


projects = _project()
