"""What the export dialog offers and remembers: the loudness targets, the part of the film, the file name that
fits the format, and the creator's choices as they are kept between runs. Qt-free, so the wording and the recall
rules are tested without a window."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shotline.core.model import BROADCAST_LUFS, WEB_LUFS, Codec, Fit
from shotline.services.export import ExportReport, default_extension
from shotline.services.presets import CODECS, FITS, PRESETS

if TYPE_CHECKING:
    from shotline.ui.document import ProjectDocument

LOUDNESS: tuple[tuple[str, str, float | None], ...] = (
    ("−14 LUFS (web)", "web", WEB_LUFS),
    ("−23 LUFS (broadcast)", "broadcast", BROADCAST_LUFS),
    ("Off (levels as mixed)", "off", None),
)
WHOLE_FILM, SELECTED_SHOT, RANGE = "film", "shot", "range"
SCOPES = (("The whole film", WHOLE_FILM), ("The selected shot", SELECTED_SHOT), ("A range", RANGE))
"""What to export; the whole film is always the default (a part is a deliberate choice, never a selection's side
effect)."""
_ALL_EXTENSIONS = {ext for codec in Codec for ext in codec.extensions}


def default_output(document: ProjectDocument, codec: Codec = Codec.H264) -> Path:
    """`<title>.<ext>` next to the project folder (not inside it: the bundle is Shotline's own)."""
    name = document.project.title.strip() or document.path.name.removesuffix(".shotline")
    safe = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in name).strip() or "export"
    return document.path.parent / f"{safe}{default_extension(codec)}"


def with_extension(path: Path, codec: Codec) -> Path:
    """`path` with a file ending `codec` can write: kept if it fits, swapped if it is another format's, else added."""
    suffix = path.suffix.lower()
    if suffix in codec.extensions:
        return path
    if suffix in _ALL_EXTENSIONS:
        return path.with_suffix(default_extension(codec))
    return path.with_name(path.name + default_extension(codec))


@dataclass(frozen=True, slots=True)
class ExportChoices:
    """What the creator picked in the dialog, before it becomes ExportSettings for this project."""

    preset: str
    fit: Fit = Fit.FIT
    codec: Codec = Codec.H264
    loudness: str = "web"
    hardware: bool = False
    sign: bool = False
    """Sign with Content Credentials (C2PA)."""

    def remembered(self) -> dict[str, str]:
        return {
            "preset": self.preset,
            "fit": self.fit.value,
            "codec": self.codec.value,
            "loudness": self.loudness,
            "hardware": "yes" if self.hardware else "no",
            "c2pa": "yes" if self.sign else "no",
        }

    @classmethod
    def recall(cls, saved: dict[str, str] | None) -> ExportChoices:
        """The choices kept last time; anything missing or no longer offered falls back to the default."""
        saved = dict(saved or {})
        names = [p.name for p in PRESETS]
        fits = {f.value for f, _ in FITS}
        codecs = {c.value for c, _ in CODECS}
        loudness = {key for _, key, _ in LOUDNESS}
        return cls(
            preset=saved.get("preset", "") if saved.get("preset") in names else names[0],
            fit=Fit(saved["fit"]) if saved.get("fit") in fits else Fit.FIT,
            codec=Codec(saved["codec"]) if saved.get("codec") in codecs else Codec.H264,
            loudness=saved.get("loudness", "web") if saved.get("loudness") in loudness else "web",
            hardware=saved.get("hardware") == "yes",
            sign=saved.get("c2pa") == "yes",
        )


def describe_loudness(report: ExportReport) -> str:
    """What the finished file measures, for the creator: integrated loudness and true peak."""
    loudness = report.loudness
    if loudness is None:
        return "The loudness of the result could not be measured."
    if loudness.silent:
        return "The file is silent."
    return f"Measured loudness {loudness}."


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
