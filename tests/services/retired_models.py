"""A test backend with a retired model and its replacement, as the catalogue will mark them (`ModelInfo.retired`,
`replacement`): the churn tests use it before any built-in model is marked retired.

Jobs run on the animatic (offline, no key), so a shot moved onto "card" really generates. The old model takes an
end frame, a seed, a negative prompt and a reference picture; its replacement takes none of them, and makes 5 or
10 s clips only.
"""

from __future__ import annotations

from decimal import Decimal

from shotline.backends.builtin import builtin_spec
from shotline.backends.registry import BackendSpec
from shotline.core.lengths import LengthFit
from shotline.core.ports import BackendInfo, BackendKind, ModelInfo

ANIMATIC = builtin_spec("animatic")

RETIRED_ON = "2026-07-30"

NEW = ModelInfo(
    id="card",
    label="Studio Two",
    durations_us=(5_000_000, 10_000_000),
    length_fit=LengthFit.NEAREST,
    aspects=("16:9", "9:16"),
    audio=True,
    image_to_video=True,
    price_per_second=Decimal("0.10"),
)
OLD = ModelInfo(
    id="studio-one",
    label="Studio One",
    min_duration_us=2_000_000,
    max_duration_us=10_000_000,
    aspects=("16:9", "9:16", "1:1"),
    audio=True,
    image_to_video=True,
    first_last_frame=True,
    reference_images=1,
    seed=True,
    negative_prompt=True,
    price_per_second=Decimal("0.05"),
    retired=RETIRED_ON,
    replacement="card",
)
INFO = BackendInfo(
    id="studio",
    name="Test Studio",
    kind=BackendKind.OFFLINE,
    models=(NEW, OLD),
    description="A test backend with one retired model.",
)
SPEC = BackendSpec(info=INFO, create=ANIMATIC.create)
