"""Hand the cut to another editor: one file in the format its name ends with, and the sound as stems beside it.

| ending | format | for | media |
|---|---|---|---|
| .otio | OpenTimelineIO | any editor with an OTIO import (Resolve, Avid, Hiero, Blender's VSE add-on) | relative |
| .fcpxml | FCPXML (OTIO's fcpx_xml adapter + `handoff_xml`) | Final Cut Pro, DaVinci Resolve | absolute file URLs |
| .xml | FCP 7 XML (OTIO's fcp_xml adapter + `handoff_xml`) | Premiere Pro, DaVinci Resolve | absolute file URLs |
| .edl | CMX 3600 EDL (OTIO's cmx_3600 adapter) | any editor, picture only | relative |
| .mlt | MLT XML (written by Shotline: `handoff_mlt`) | Shotcut, Kdenlive (crossfades become gaps), `melt` | relative |
| .kdenlive | Kdenlive project (written by Shotline: `handoff_kdenlive`) | Kdenlive, `melt` | relative |

Relative media are written relative to the file's folder, so the cut opens from wherever the two are moved together;
Final Cut and Premiere take only absolute file URLs, so those two formats name the files where they are. The stems
are the film's own mix split by lane (`media.mix.build_stems`, played by `media.mixdown`): `NAME.clip-sound.wav`,
`NAME.music.wav` and `NAME.dialogue.wav` (the voice-over lanes), each as long as the film, summing to the export's
mix before loudness normalisation. The captions go beside the cut as `NAME.srt` (`NAME.mlt.srt` and
`NAME.kdenlive.srt` for an MLT or Kdenlive project, which Kdenlive loads as its subtitles), and in an .otio and an .mlt
as a track too.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import opentimelineio as otio

from shotline.core.errors import EditError, TargetExists
from shotline.core.model import ExportSettings, LaneKind, Project
from shotline.core.ports import ProgressSink
from shotline.jobs.runner import throttled
from shotline.media.leftovers import sweep_beside
from shotline.media.mix import build_stems
from shotline.media.mixdown import write_wav
from shotline.media.plan import plan_export
from shotline.media.subtitles import write_srt
from shotline.services.export_target import check_target
from shotline.services.handoff_kdenlive import kdenlive_document
from shotline.services.handoff_mlt import mlt_document
from shotline.services.handoff_staging import Meter, Staging
from shotline.services.handoff_timeline import Locate, build_timeline
from shotline.services.handoff_xml import amend
from shotline.services.session import ProjectSession
from shotline.storage.bundle import ProjectBundle

FORMATS = {
    ".otio": ("otio_json", "OpenTimelineIO"),
    ".fcpxml": ("fcpx_xml", "FCPXML (Final Cut Pro, DaVinci Resolve)"),
    ".xml": ("fcp_xml", "FCP 7 XML (Premiere Pro, DaVinci Resolve)"),
    ".edl": ("cmx_3600", "CMX 3600 EDL"),
    ".mlt": ("mlt", "MLT XML (Shotcut, Kdenlive)"),
    ".kdenlive": ("kdenlive", "Kdenlive project"),
}
"""Each hand-off file ending: the OpenTimelineIO adapter that writes it ("mlt", "kdenlive": Shotline's own) and its
name."""
ABSOLUTE_URLS = {"fcpx_xml", "fcp_xml"}
STEM_NAMES = {LaneKind.CLIPS: "clip-sound", LaneKind.MUSIC: "music", LaneKind.VOICE: "dialogue"}


@dataclass(frozen=True, slots=True)
class Handoff:
    """What a hand-off wrote: the cut, its format's name, the stems beside it, and how many clips it names."""

    cut: Path
    format_name: str
    stems: tuple[Path, ...]
    clips: int
    captions: Path | None = None
    """The captions as SRT beside the cut (every editor named above imports it), when the project has captions."""


def format_of(output: Path) -> tuple[str, str]:
    """(adapter, name) for `output`'s ending; EditError naming the endings there are for any other."""
    found = FORMATS.get(output.suffix.lower())
    if found is None:
        endings = ", ".join(FORMATS)
        raise EditError(f"{output.name}: a hand-off is written as one of {endings}; name the file with one of them.")
    return found


def stem_paths(output: Path) -> dict[LaneKind, Path]:
    """Where each stem of the cut at `output` goes: beside it, named after it."""
    return {kind: output.with_name(f"{output.stem}.{name}.wav") for kind, name in STEM_NAMES.items()}


def write_handoff(
    project: Project,
    bundle: ProjectBundle,
    output: Path,
    *,
    progress: ProgressSink | None = None,
    cancel: threading.Event | None = None,
) -> Handoff:
    """Write the cut of `project` to `output` (format by its ending) and its stems beside it. Refuses (EditError,
    MediaMissing) before writing anything when the cut cannot be handed off: an unknown ending, a shot without a
    take, a missing clip or sound.

    `progress` gets the fraction of the stems' sound mixed (1.0 once everything is in place; throttled as every
    job's progress is); setting `cancel` stops the mixing at its next decoded frame with HandoffCancelled. Cancelled
    or failed (SaveFailed for a file that could not be written), the hand-off leaves nothing of itself behind, and
    the files that were there as they were."""
    adapter, name = format_of(output)
    output = output.absolute()
    locate = _locator(bundle, output.parent, absolute=adapter in ABSOLUTE_URLS)
    timeline = build_timeline(project, bundle, locate, adapter)
    settings = ExportSettings.for_project(project)
    plan = plan_export(project, settings, bundle.resolve)
    stems = build_stems(project, plan, bundle.resolve)  # checks every sound before anything is written
    meter = Meter(output, stems.values(), throttled(progress) if progress else None, cancel)
    meter.check()
    sweep_beside(output)  # what a Shotline killed while handing off left there
    with Staging(output) as staging:
        try:
            if adapter == "mlt":
                staging.part(output).write_bytes(mlt_document(timeline, settings.size, settings.fps))
            elif adapter == "kdenlive":
                staging.part(output).write_bytes(kdenlive_document(timeline, settings.size, settings.fps))
            else:
                staging.part(output).write_text(_document(timeline, adapter), encoding="utf-8")
            written = []
            for kind, path in stem_paths(output).items():
                if kind in stems:
                    write_wav(stems[kind], staging.part(path), meter.mixed)
                    written.append(path)
            captions = None
            if project.captions:
                captions = captions_path(output)
                write_srt(project.captions, plan.window, staging.part(captions))
            meter.check()
            staging.commit()
        except OSError as error:
            raise staging.failure(error) from None
    meter.finish()
    return Handoff(output, name, tuple(written), len(plan.segments), captions)


def _document(timeline: otio.schema.Timeline, adapter: str) -> str:
    if adapter == "cmx_3600":
        # an EDL is the picture's cut: one video track, the sound goes as stems
        picture = otio.schema.Timeline(name=timeline.name, global_start_time=timeline.global_start_time)
        picture.tracks.append(timeline.tracks[0].deepcopy())
        timeline = picture
    text: str = otio.adapters.write_to_string(timeline, adapter_name=adapter)
    return amend(text, timeline, adapter)


def _locator(bundle: ProjectBundle, folder: Path, *, absolute: bool) -> Locate:
    def locate(media: str) -> str:
        path = bundle.resolve(media).absolute()
        if absolute:
            return str(otio.url_utils.url_from_filepath(str(path)))
        try:
            relative = Path(os.path.relpath(path, folder)).as_posix()
        except ValueError:  # another drive on Windows: no relative path exists
            return str(otio.url_utils.url_from_filepath(str(path)))
        return quote(relative)

    return locate


def captions_path(output: Path) -> Path:
    """Where the captions of the cut at `output` go: beside it, named after it. An MLT or Kdenlive project's keep its
    whole name (`Film.mlt.srt`): Kdenlive loads the file of that name onto its subtitle track when it opens one."""
    if output.suffix.lower() in {".mlt", ".kdenlive"}:
        return output.with_name(f"{output.name}.srt")
    return output.with_suffix(".srt")


def check_handoff_target(session: ProjectSession, output: Path, *, replace: bool) -> None:
    """The export's rule for the cut and each stem: never inside the project or over a file it uses, and over an
    existing file only when `replace` is given."""
    format_of(output)
    for path in (output, *stem_paths(output.absolute()).values(), captions_path(output.absolute())):
        try:
            check_target(session, path, replace=replace)
        except TargetExists:
            raise TargetExists(
                f"{path.name} is already there; choose another name, or replace it (--overwrite)."
            ) from None
