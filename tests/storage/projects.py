"""Projects for storage tests: one hand-made sample touching every field, and a Hypothesis strategy."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from shotline.core.model import (
    AudioClip,
    AudioLane,
    GenerationRecord,
    GenerationSettings,
    LaneKind,
    MediaInfo,
    Origin,
    Project,
    ProjectSettings,
    Shot,
    Size,
    Take,
    Transition,
    TransitionKind,
    Trim,
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
                dialogue=True,
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
    )


# ---------------------------------------------------------------------------------------------- strategies

_text = st.text(max_size=20)
_us = st.integers(min_value=0, max_value=10**12)
_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
_fps = st.fractions(min_value=Fraction(1, 1000), max_value=240, max_denominator=100_000)
_size = st.builds(Size, st.integers(1, 99_999), st.integers(1, 99_999))
_money = st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**6), max_value=10**6)
_json_scalar = st.none() | st.booleans() | st.integers(-(10**15), 10**15) | _finite | _text
_json: st.SearchStrategy[Any] = st.recursive(
    _json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_json_object = st.dictionaries(_text, _json, max_size=3)


@st.composite
def _trim(draw: st.DrawFn) -> Trim:
    start = draw(_us)
    return Trim(start, start + draw(_us))


_info = st.builds(
    MediaInfo,
    duration_us=_us,
    has_video=st.booleans(),
    has_audio=st.booleans(),
    fps=st.none() | _fps,
    size=st.none() | _size,
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
_take = st.builds(
    Take,
    id=_text,
    media=_text,
    origin=st.sampled_from(Origin),
    info=_info,
    trim=_trim(),
    generation=st.none() | _record,
    source_name=_text,
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
    first_frame=st.none() | _text,
    last_frame=st.none() | _text,
    reference_images=st.lists(_text, max_size=3).map(tuple),
    options=_json_object,
)
_shot = st.builds(
    Shot,
    id=_text,
    prompt=st.text(max_size=200),
    title=_text,
    negative_prompt=_text,
    generation=_generation,
    takes=st.lists(_take, max_size=3).map(tuple),
    picked_take_id=st.none() | _text,
    gain_db=_finite,
    muted=st.booleans(),
    solo=st.booleans(),
    dialogue=st.booleans(),
    transition_out=st.builds(Transition, st.sampled_from(TransitionKind), _us),
)
_audio = st.builds(
    AudioClip,
    id=_text,
    media=_text,
    lane=_text,
    start_us=_us,
    trim=_trim(),
    info=_info,
    gain_db=_finite,
    muted=st.booleans(),
    fade_in_us=_us,
    fade_out_us=_us,
    solo=st.booleans(),
    source_name=_text,
)
_lane = st.builds(
    AudioLane,
    id=_text,
    name=_text,
    kind=st.sampled_from(LaneKind),
    gain_db=_finite,
    muted=st.booleans(),
    solo=st.booleans(),
    duck_db=_finite,
    duck_release_us=_us,
)
projects = st.builds(
    Project,
    id=_text,
    title=_text,
    settings=st.builds(
        ProjectSettings,
        size=_size,
        fps=_fps,
        sample_rate=st.integers(1, 192_000),
        style=_text,
        budget=st.none() | _money,
    ),
    shots=st.lists(_shot, max_size=4).map(tuple),
    audio=st.lists(_audio, max_size=2).map(tuple),
    lanes=st.lists(_lane, max_size=3).map(tuple),
    assets=st.lists(_take, max_size=2).map(tuple),
)
