"""The stills drafted for a shot or a cast member, as the "Draft stills" dialog's grid shows them.

Whose drafts they are (a shot's or a cast member's) and how the dialog names them; which of the owner's still jobs
the grid lists and in what order; what each cell says about its job (its picture, its progress, or why it failed in
the provider's words); what a landed still already is and what Generate makes of one picked as a first frame; and
the pictures, read off the GUI thread. The dialog (ui.dialogs.draft_stills) plans and sends the drafts and acts on
a pick; this says what the drafts are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap

from shotline.core.errors import ShotlineError
from shotline.core.model import CastMember, Project, Shot
from shotline.core.ports import BackendInfo, JobPhase, JobRecord, MediaKind, ModelInfo
from shotline.services import cast as cast_service
from shotline.services.jobs_view import state_text
from shotline.services.ledger import job_cost
from shotline.services.member_stills import member_prompt
from shotline.services.stills import Still, stills_of
from shotline.ui.document import ProjectDocument
from shotline.ui.stills_grid import PICTURE, CellState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StillsOwner:
    """Whose drafts these are: a shot's (one becomes its first frame) or a cast member's (they join their pictures),
    read from the project as it is now."""

    document: ProjectDocument
    id: str
    for_member: bool

    def shot(self) -> Shot | None:
        project = self.document.project
        return project.shot(self.id) if not self.for_member and project.has_shot(self.id) else None

    def member(self) -> CastMember | None:
        return next((m for m in self.document.project.cast if m.id == self.id), None)

    def whose(self) -> str:
        """ "shot 2's" or "@Mara's", as the sentences say it."""
        member = self.member()
        if member is not None:
            return f"@{member.name}'s"
        shot = self.shot()
        return f"shot {self.document.project.index_of(shot.id) + 1}'s" if shot is not None else "the shot's"

    def noun(self) -> str:
        """What a cell is called: a shot's still, a cast member's picture."""
        return "picture" if self.for_member else "still"

    def words(self) -> tuple[str, str, str] | None:
        """The dialog's heading, the prompt the drafts are made from, and the hint on picking; None when the shot or
        member is gone."""
        member, shot = self.member(), self.shot()
        if member is not None:
            return (
                f"Draft pictures of @{member.name}",
                f"“{member_prompt(member)}”",
                "Enter or double-click adds the picture to "
                f"@{member.name}'s pictures · right-click: add it to another cast member · Esc closes, the "
                "drafts go on.",
            )
        if shot is not None:
            number = self.document.project.index_of(shot.id) + 1
            return (
                f"Draft stills of shot {number}{f' · {shot.title}' if shot.title else ''}",
                f"“{shot.prompt.strip()}”" if shot.prompt.strip() else "This shot has no prompt yet.",
                "Enter or double-click makes the still this shot's first frame · right-click: add it to a cast "
                "member · Esc closes, the drafts go on.",
            )
        return None


def listed(jobs: Iterable[JobRecord], owner_id: str, sent: Sequence[str]) -> list[JobRecord]:
    """The owner's still jobs as the grid lists them: those sent from the dialog (`sent`, newest first), then any
    other still at work (one resumed at start), then the earlier stills that landed, newest first. An earlier failure
    is left out: it is in the jobs panel, and a grid of old failures hides the pictures."""
    mine = {job_id: index for index, job_id in enumerate(sent)}
    stills = [
        record for record in jobs if record.shot_id == owner_id and record.request.get("kind") == MediaKind.IMAGE.value
    ]
    sent_records = sorted((r for r in stills if r.id in mine), key=lambda r: mine[r.id])
    others = [r for r in reversed(stills) if r.id not in mine]
    at_work = [r for r in others if not _ended(r)]
    landed = [r for r in others if _ended(r) and r.media_path and r.phase is not JobPhase.FAILED]
    return [*sent_records, *at_work, *landed]


def cell_state(document: ProjectDocument, record: JobRecord, *, sent: bool, badge: str) -> CellState:
    """What the still's cell says: its model and cost (and when it was asked for, if earlier), then its picture,
    its progress or why it failed. `sent`: asked for from the open dialog; `badge`: what a landed still already is."""
    registry = document.ctx.registry
    try:
        info = registry.info(record.backend)
        still = info.still_model(record.model)
        model = still.label if still is not None else record.model
        kind = info.kind
    except ShotlineError:
        model, kind = record.model, None
    cost = job_cost(record, kind)
    caption = f"{model} · {cost.text()}"
    if not sent:
        caption += f" · {_when(record.created_at)}"
    landed = record.phase in (JobPhase.DOWNLOADED, JobPhase.ATTACHED) and bool(record.media_path)
    if landed:
        return CellState(record.id, caption, media=record.media_path, badge=badge)
    if _ended(record):
        return CellState(record.id, caption, problem=_sentence(state_text(record)))
    return CellState(record.id, caption, progress=document.progress(record.id), status=_sentence(state_text(record)))


def cell_states(
    document: ProjectDocument, records: Iterable[JobRecord], sent: Sequence[str], shot: Shot | None
) -> list[CellState]:
    """What each listed still's cell says; `sent`: the jobs sent from the open dialog, `shot`: the owner, if a shot."""
    project = document.project
    return [
        cell_state(
            document,
            record,
            sent=record.id in sent,
            badge=badge(project, shot, record.media_path) if record.media_path else "",
        )
        for record in records
    ]


def badge(project: Project, shot: Shot | None, media: str) -> str:
    """What the still already is: the shot's first frame, one of a member's pictures."""
    said = []
    if shot is not None and shot.generation.first_frame == media:
        said.append("✓ First frame")
    said += [f"✓ @{member.name}" for member in project.cast if media in member.images]
    return " · ".join(said)


def drafted_still(document: ProjectDocument, job_id: str) -> Still | None:
    """The still a job made, once it landed; None while it works, after it failed, or for a job not in the journal."""
    try:
        found = stills_of([document.job(job_id)])
    except KeyError:
        return None
    return found[0] if found else None


def what_generate_makes(backend: BackendInfo, shot: Shot) -> tuple[str, bool]:
    """What Generate does with the shot's new first frame, and whether its model makes clips from words only (then
    the sentence names a model of the same backend that starts from a picture)."""
    model = backend.model(shot.generation.model)
    if model is None or _starts_from_picture(model):
        return "Generate animates it.", False
    said = f"{model.label} makes clips from words only: choose a model that starts from a picture"
    framed = next((m for m in backend.models if _starts_from_picture(m) and not m.retired), None)
    said += f" ({framed.label}, say) in the inspector." if framed is not None else " in the inspector."
    return said, True


def _starts_from_picture(model: ModelInfo) -> bool:
    return model.image_to_video or model.first_last_frame


class StillPictures:
    """The landed stills' pictures, each read and scaled to a cell off the GUI thread once (a provider's may be
    several megabytes); `shown` is called as each arrives, so the grid shows it."""

    def __init__(self, document: ProjectDocument, owner: QObject, shown: Callable[[], None]) -> None:
        self.document = document
        self.owner = owner
        self.shown = shown
        self.pictures: dict[str, QPixmap] = {}
        self._reading: set[str] = set()

    def want(self, media: str) -> None:
        """Read the still's picture unless it is read or on its way already."""
        if media in self.pictures or media in self._reading:
            return
        self._reading.add(media)
        bundle = self.document.session.bundle

        async def read() -> QImage:
            return await asyncio.to_thread(lambda: fitted_picture(cast_service.shown_picture(bundle, media)))

        def show(picture: QImage) -> None:
            self._reading.discard(media)
            if not picture.isNull():
                self.pictures[media] = QPixmap.fromImage(picture)
                self.shown()

        def not_shown(error: BaseException) -> None:
            log.warning("Not showing the still %s: %s", media, error)  # its cell keeps saying it landed

        self.document.bridge.watch(self.document.ctx.runner.submit(read()), show, not_shown, owner=self.owner)


def _ended(record: JobRecord) -> bool:
    return record.phase.is_final or record.phase is JobPhase.DOWNLOADED


def _sentence(text: str) -> str:
    """ "Failed: Your fal.ai account…", where str.capitalize would lower the provider's own words."""
    return text[:1].upper() + text[1:]


def _when(stamp: str) -> str:
    """When an earlier still was asked for, on this computer's clock: "17:52"."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")
    except ValueError:
        return "earlier"


def fitted_picture(path: Path, box: QSize = PICTURE) -> QImage:
    """The picture scaled to fit `box` (a stills cell unless told), read at that size (never decoded whole)."""
    reader = QImageReader(str(path))
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()
