"""What the export dialog offers and remembers: the loudness targets, the part of the film, the file name that
fits the format, and the creator's choices as they are kept between runs. Qt-free, so the wording and the recall
rules are tested without a window."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shotline.core.caption_style import CaptionExport, CaptionPlace, CaptionStyle
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
CAPTION_FORMS: tuple[tuple[str, str, str], ...] = (
    ("burn", "Burned in", "Drawn into the picture by the style below, inside the frame's safe area (re-encodes it)"),
    ("track", "Subtitle track", "A track inside the film that players turn on and off (MP4/MOV timed text)"),
    ("files", "SRT and WebVTT files", "NAME.srt and NAME.vtt beside the film, as players and sites look for them"),
)
CAPTION_SIZES: tuple[tuple[str, str, float], ...] = (
    ("Small letters", "small", 4.5),
    ("Medium letters", "medium", 5.5),
    ("Large letters", "large", 7.5),
)
"""Burned-in letter heights, in percent of the frame's shorter side (`core.caption_style`)."""
CAPTION_PLACES: tuple[tuple[str, CaptionPlace], ...] = (
    ("At the bottom", CaptionPlace.BOTTOM),
    ("In the middle", CaptionPlace.MIDDLE),
    ("At the top", CaptionPlace.TOP),
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
    captions: tuple[str, ...] = ()
    """Which of `CAPTION_FORMS` to write ("burn", "track", "files")."""
    caption_size: str = "medium"
    caption_place: CaptionPlace = CaptionPlace.BOTTOM

    def caption_export(self) -> CaptionExport:
        """The captions these choices ask of the export."""
        size = next(value for _, key, value in CAPTION_SIZES if key == self.caption_size)
        style = CaptionStyle(size=size, place=self.caption_place)
        forms = set(self.captions)
        return CaptionExport(sidecars="files" in forms, soft="track" in forms, burn="burn" in forms, style=style)

    def remembered(self) -> dict[str, str]:
        return {
            "preset": self.preset,
            "fit": self.fit.value,
            "codec": self.codec.value,
            "loudness": self.loudness,
            "hardware": "yes" if self.hardware else "no",
            "c2pa": "yes" if self.sign else "no",
            "captions": ",".join(self.captions),
            "caption_size": self.caption_size,
            "caption_place": self.caption_place.value,
        }

    @classmethod
    def recall(cls, saved: dict[str, str] | None) -> ExportChoices:
        """The choices kept last time; anything missing or no longer offered falls back to the default."""
        saved = dict(saved or {})
        names = [p.name for p in PRESETS]
        fits = {f.value for f, _ in FITS}
        codecs = {c.value for c, _ in CODECS}
        loudness = {key for _, key, _ in LOUDNESS}
        sizes = {key for _, key, _ in CAPTION_SIZES}
        places = {place.value for _, place in CAPTION_PLACES}
        return cls(
            preset=saved.get("preset", "") if saved.get("preset") in names else names[0],
            fit=Fit(saved["fit"]) if saved.get("fit") in fits else Fit.FIT,
            codec=Codec(saved["codec"]) if saved.get("codec") in codecs else Codec.H264,
            loudness=saved.get("loudness", "web") if saved.get("loudness") in loudness else "web",
            hardware=saved.get("hardware") == "yes",
            sign=saved.get("c2pa") == "yes",
            captions=tuple(form for form, _, _ in CAPTION_FORMS if form in saved.get("captions", "").split(",")),
            caption_size=saved["caption_size"] if saved.get("caption_size") in sizes else "medium",
            caption_place=CaptionPlace(saved["caption_place"])
            if saved.get("caption_place") in places
            else CaptionPlace.BOTTOM,
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
