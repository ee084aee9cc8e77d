"""Take details: how one take was made, as labelled fields a creator reads (what made it, the prompt, what it cost,
when), not the raw record; ids are there too, selectable, for a message to the provider's support."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import PurePosixPath
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shotline.core.model import Origin, Take
from shotline.services.context import AppContext
from shotline.services.jobs_view import backend_kind, backend_name, model_name
from shotline.services.ledger import take_cost

_SHOWN_REQUEST = frozenset({"job_id", "shot_id", "backend", "model", "prompt", "label", "shot_number", "options"})
"""Request fields shown elsewhere in the dialog or meaningless to a creator; the rest appear under their own name."""
_REQUEST_NAMES = {
    "duration_us": "Asked length",
    "size": "Asked size",
    "fps": "Asked frame rate",
    "aspect": "Aspect",
    "resolution": "Resolution",
    "negative_prompt": "Avoid",
    "seed": "Seed",
    "audio": "With sound",
    "first_frame": "First frame",
    "last_frame": "Last frame",
    "reference_images": "Reference images",
}


def _seconds(us: int) -> str:
    return f"{us / 1e6:.2f} s".replace(".00 s", " s")


def _when(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def _value(key: str, value: Any) -> str | None:
    """A request value in plain words; None when there is nothing to say (empty, unset)."""
    if value in (None, "", [], (), {}):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "duration_us" and isinstance(value, int):
        return _seconds(value)
    if key == "fps" and isinstance(value, str) and "/" in value:
        rate = Fraction(value)
        return f"{float(rate):g} fps"
    if key in ("first_frame", "last_frame") and isinstance(value, str):
        return PurePosixPath(value).name
    if isinstance(value, list | tuple):
        return ", ".join(PurePosixPath(str(v)).name for v in value)
    return str(value).replace("x", "×") if key == "size" else str(value)


def _media_fields(take: Take) -> list[tuple[str, str]]:
    info = take.info
    fields = [("Length", _seconds(take.duration_us))]
    if info.has_video:
        picture = [f"{info.display_size.width}×{info.display_size.height}"] if info.display_size else []
        if info.fps:
            picture.append(f"{float(info.fps):g} fps")
        if info.video_codec:
            picture.append(info.video_codec)
        fields.append(("Picture", " · ".join(picture) or "yes"))
    if info.has_audio:
        channels = {1: "mono", 2: "stereo"}.get(info.channels, f"{info.channels} channels")
        rate = f"{info.sample_rate / 1000:g} kHz" if info.sample_rate else ""
        fields.append(("Sound", " · ".join(part for part in (info.audio_codec, rate, channels) if part)))
    else:
        fields.append(("Sound", "none"))
    return fields


def take_fields(ctx: AppContext, take: Take) -> list[tuple[str, str]]:
    """The take's details as (label, text) pairs, in the order a creator reads them."""
    fields: list[tuple[str, str]] = [("File", PurePosixPath(take.media).name)]
    record = take.generation
    if take.origin is Origin.IMPORTED or record is None:
        fields.append(("Made", f"imported from {take.source_name}" if take.source_name else "imported"))
        return fields + _media_fields(take)
    request = dict(record.request)
    made_with = f"{backend_name(ctx, record.backend)} · {model_name(ctx, record.backend, record.model)}"
    fields.append(("Made with", made_with))
    if request.get("prompt"):
        fields.append(("Prompt", str(request["prompt"])))
    if record.created_at:
        fields.append(("Made on", _when(record.created_at)))
    cost = take_cost(record, None, backend_kind(ctx, record.backend))
    fields.append(("Cost", f"{cost.text()} — {cost.explain()}"))
    fields += _media_fields(take)
    for key, label in _REQUEST_NAMES.items():
        text = _value(key, request.get(key))
        if text is not None:
            fields.append((label, text))
    for key, value in dict(request.get("options") or {}).items():
        text = _value(key, value)
        if text is not None:
            fields.append((key.replace("_", " ").capitalize(), text))
    for key in sorted(set(request) - _SHOWN_REQUEST - set(_REQUEST_NAMES)):
        text = _value(key, request[key])
        if text is not None:
            fields.append((key.replace("_", " ").capitalize(), text))
    fields.append(("Job", record.job_id))
    if record.provider_job_id:
        fields.append(("Provider's job", record.provider_job_id))
    return fields


def details_text(ctx: AppContext, take: Take) -> str:
    """The details as plain lines ("Label: text"), e.g. for the clipboard."""
    return "\n".join(f"{label}: {text}" for label, text in take_fields(ctx, take))


class TakeDetailsDialog(QDialog):
    """A read-only window of labelled fields; text can be selected and copied."""

    def __init__(self, ctx: AppContext, take: Take, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Take details")
        body = QWidget(self)
        form = QFormLayout(body)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.values: dict[str, QLabel] = {}
        for label, text in take_fields(ctx, take):
            value = QLabel(text, body)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", value)
            self.values[label] = value
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(560, 480)
