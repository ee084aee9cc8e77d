"""What a model keeps of a shot's own reference images: a model that takes references or frames, never both, keeps
the shot's frame and says the references will not be sent (issue 16: the same rule core.references sends by)."""

from __future__ import annotations

from shotline.core.model import GenerationSettings, Shot
from shotline.core.ports import ModelInfo
from shotline.services.shot_fit import Setting, fit_shot, take_off

SEEDANCE = ModelInfo(
    "seedance2", "Seedance 2.0", audio=True, image_to_video=True, first_last_frame=True, reference_images=9,
    references_with_frames=False,
)  # fmt: skip


def _shot(**settings: object) -> Shot:
    return Shot("s1", "Gulls", generation=GenerationSettings(**settings))  # type: ignore[arg-type]


def test_references_beside_a_frame_are_dropped_and_said_and_alone_they_are_kept() -> None:
    framed = _shot(first_frame="media/first.png", reference_images=("media/a.png", "media/b.png"))
    fit = fit_shot(framed, SEEDANCE)
    assert Setting.REFERENCES in fit.drops and Setting.FIRST_FRAME in fit.kept
    assert (
        fit.cannot_take()
        == "Seedance 2.0 cannot take this shot's 2 reference images beside a frame: it will not be sent."
    )
    assert take_off(framed, SEEDANCE).generation.reference_images == ()
    alone = _shot(reference_images=("media/a.png", "media/b.png"))
    assert Setting.REFERENCES in fit_shot(alone, SEEDANCE).kept
