"""ShotListModel: the project's shots as a list model for the storyboard, updated row by row as the project changes.

Rows mirror `document.project.shots`. Every change is applied as the smallest set of removals, moves, inserts and
dataChanged against the rows the views already have, so selections and scroll positions survive edits and undo.
A drop of shot ids is one undoable move ("Move shots" for several); a drop of files imports them.
"""

from __future__ import annotations

import asyncio
import json
import logging
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QImage, QPixmap

from shotline.core import commands
from shotline.core.changes import ProjectChange
from shotline.core.dialogue import speaker_name, spoken
from shotline.core.model import DialogueLine, Origin, Shot, Take
from shotline.core.ports import JobRecord
from shotline.services import cast as cast_service
from shotline.services.ledger import kinds, shot_cost
from shotline.services.retirement import retirement
from shotline.services.shots import ShotStatus, model_info, shot_status
from shotline.ui.document import ProjectDocument
from shotline.ui.drafted_stills import fitted_picture

log = logging.getLogger(__name__)

SHOT_IDS_MIME = "application/x-shotline-shot-ids"
THUMBNAIL_WIDTH = 448
"""Pixels decoded for a card picture: a 220 px card at 2x, so HiDPI screens stay sharp."""
STILL_BOX = QSize(THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 9 // 16)
"""A first-frame still is read at most this size: a provider's still may be several megabytes."""
EXCERPT_CHARS = 160

AnyIndex = QModelIndex | QPersistentModelIndex


class ShotRole(IntEnum):
    ID = Qt.ItemDataRole.UserRole + 1
    NUMBER = Qt.ItemDataRole.UserRole + 2
    TITLE = Qt.ItemDataRole.UserRole + 3
    PROMPT = Qt.ItemDataRole.UserRole + 4
    BACKEND = Qt.ItemDataRole.UserRole + 5
    """"Backend · model" as the creator reads it."""
    STATE = Qt.ItemDataRole.UserRole + 6
    """A services.shots.ShotState value (str)."""
    PROGRESS = Qt.ItemDataRole.UserRole + 7
    """0–1 while running, else None."""
    MESSAGE = Qt.ItemDataRole.UserRole + 8
    TAKES = Qt.ItemDataRole.UserRole + 9
    COST = Qt.ItemDataRole.UserRole + 10
    """The ledger's figure for the shot's jobs ("$1.20 billed", "≈ $0.48", "$0.00 · not sent", "free"), or ""."""
    THUMBNAIL = Qt.ItemDataRole.UserRole + 11
    """A QPixmap of the picked take (or, before any take, of the first-frame still), or None until it is decoded
    (dataChanged follows)."""
    STILL = Qt.ItemDataRole.UserRole + 12
    """True when the shot has no take but a first-frame still: the card's picture is that still, not a clip's."""
    LINE = Qt.ItemDataRole.UserRole + 13
    """The shot's first spoken line as the card says it ("Mara: Cast off."), or "" when it has none."""
    MORE_LINES = Qt.ItemDataRole.UserRole + 14
    """How many spoken lines follow the first (the card says "+2 lines")."""


def excerpt(prompt: str) -> str:
    text = " ".join(prompt.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def thumbnail_time(take: Take) -> int:
    """The source time a card shows: the middle of what plays, past any fade-in."""
    return take.trim.in_us + take.trim.duration_us // 2


class ShotListModel(QAbstractListModel):
    def __init__(self, document: ProjectDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._shots: list[Shot] = list(document.project.shots)
        self._jobs: dict[str, JobRecord] = {}
        self._status: dict[str, ShotStatus] = {}
        self._costs: dict[str, str] = {}
        """Each card's figure from the ledger, kept like `_status` until the shot or one of its jobs changes."""
        self._pixmaps: dict[tuple[str, int], QPixmap] = {}
        self._latest: dict[str, QPixmap] = {}
        """The picture that came last for each clip, shown while a trimmed take's new picture is made."""
        self._asked: set[tuple[str, int]] = set()
        self._stills: dict[str, QPixmap] = {}
        """First-frame stills by their path in the project, each read once."""
        self._stills_asked: set[str] = set()
        for record in document.jobs():
            self._jobs[record.id] = record
        document.changed.connect(self._on_changed)
        # A refused transaction rolls back without a change signal; resync then too (a no-op when in step).
        document.history_changed.connect(self._sync)
        document.job_changed.connect(self._on_job_changed)

    # ------------------------------------------------------------------------------------------ reading

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self._shots)

    def shot_at(self, row: int) -> Shot:
        return self._shots[row]

    def row_of(self, shot_id: str) -> int:
        for row, shot in enumerate(self._shots):
            if shot.id == shot_id:
                return row
        return -1

    def index_of(self, shot_id: str) -> QModelIndex:
        row = self.row_of(shot_id)
        return self.index(row, 0) if row >= 0 else QModelIndex()

    def status(self, shot: Shot) -> ShotStatus:
        cached = self._status.get(shot.id)
        if cached is None:
            cached = self._status[shot.id] = shot_status(shot, self._jobs.values())
        return cached

    def cost_text(self, shot: Shot) -> str:
        """What the shot's jobs cost or may cost, as the ledger says it everywhere; "" before any job."""
        cached = self._costs.get(shot.id)
        if cached is None:
            cost = shot_cost(shot.id, self._jobs.values(), kinds(self._document.ctx.registry))
            cached = self._costs[shot.id] = "" if cost is None else cost.text()
        return cached

    def _forget(self, shot_id: str) -> None:
        self._status.pop(shot_id, None)
        self._costs.pop(shot_id, None)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shots):
            return None
        shot = self._shots[index.row()]
        number = index.row() + 1
        if role == Qt.ItemDataRole.DisplayRole:
            # no number here: the model tester (and views) expect a row's text to survive inserts above it
            return shot.title or "Untitled shot"
        if role == Qt.ItemDataRole.ToolTipRole:
            # the card elides the prompt and shows one line: the tooltip has them whole
            said = [self._said(line) for line in spoken(shot)]
            return "\n".join([shot.prompt or "No prompt yet: write one in the inspector.", *said])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Shot {number}, {shot.title or 'untitled'}, {self.status(shot).state}"
        if role == Qt.ItemDataRole.DecorationRole or role == ShotRole.THUMBNAIL:
            return self._thumbnail(shot)
        return self._custom(shot, number, role)

    def _custom(self, shot: Shot, number: int, role: int) -> Any:
        if role == ShotRole.ID:
            return shot.id
        if role == ShotRole.NUMBER:
            return number
        if role == ShotRole.TITLE:
            return shot.title
        if role == ShotRole.PROMPT:
            return excerpt(shot.prompt)
        if role == ShotRole.BACKEND:
            return self._backend_text(shot)
        if role == ShotRole.TAKES:
            return len(shot.takes)
        if role == ShotRole.COST:
            return self.cost_text(shot)
        if role == ShotRole.STILL:
            return shot.picked_take is None and bool(shot.generation.first_frame)
        if role == ShotRole.LINE:
            lines = spoken(shot)
            return self._said(lines[0]) if lines else ""
        if role == ShotRole.MORE_LINES:
            return max(0, len(spoken(shot)) - 1)
        if role in (ShotRole.STATE, ShotRole.PROGRESS, ShotRole.MESSAGE):
            status = self.status(shot)
            if role == ShotRole.STATE:
                return str(status.state)
            if role == ShotRole.PROGRESS:
                return status.progress
            return status.message
        return None

    def _said(self, line: DialogueLine) -> str:
        """ "Mara: Cast off.", or the words alone when nobody is named."""
        name = speaker_name(self._document.project, line)
        text = " ".join(line.text.split())
        return f"{name}: {text}" if name else text

    def _backend_text(self, shot: Shot) -> str:
        picked = shot.picked_take
        if picked is not None and picked.origin is Origin.IMPORTED:
            # The card says what the creator sees in it: their own clip, not the backend that would make the next take
            return f"Imported · {picked.source_name}" if picked.source_name else "Imported clip"
        registry = self._document.ctx.registry
        model = model_info(registry, shot.generation)
        if model is None:
            return f"{shot.generation.backend} · {shot.generation.model or 'default'} (not installed)"
        retired = retirement(registry, shot.generation, self._document.retired_answers)
        # a retired model is said on the card too, so a storyboard scanned at a glance shows every shot to move
        return f"{registry.info(shot.generation.backend).name} · {model.label}{' (retired)' if retired else ''}"

    def _thumbnail(self, shot: Shot) -> QPixmap | None:
        take = shot.picked_take
        if take is None:
            return self._still(shot.generation.first_frame) if shot.generation.first_frame else None
        key = (take.media, thumbnail_time(take))
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            return pixmap
        if key not in self._asked:
            self._asked.add(key)
            self._document.thumbnail(take, key[1], THUMBNAIL_WIDTH, lambda picture: self._thumbnail_ready(key, picture))
        # A trim moves the card's picture to another time: until it comes, the take's earlier picture stays (the
        # card said "No take yet" through every trim drag).
        return self._latest.get(take.media)

    def _thumbnail_ready(self, key: tuple[str, int], picture: QImage) -> None:
        self._pixmaps[key] = self._latest[key[0]] = QPixmap.fromImage(picture)
        for row, shot in enumerate(self._shots):
            take = shot.picked_take
            if take is not None and (take.media, thumbnail_time(take)) == key:
                self._row_changed(row)

    def _still(self, media: str) -> QPixmap | None:
        """The first-frame still a take-less shot shows, read and scaled off the GUI thread the first time."""
        pixmap = self._stills.get(media)
        if pixmap is not None or media in self._stills_asked:
            return pixmap
        self._stills_asked.add(media)
        bundle = self._document.session.bundle

        async def read() -> QImage:
            return await asyncio.to_thread(lambda: fitted_picture(cast_service.shown_picture(bundle, media), STILL_BOX))

        def show(picture: QImage) -> None:
            if picture.isNull():
                log.warning("The still %s could not be read; its card stays without a picture", media)
                return
            self._stills[media] = QPixmap.fromImage(picture)
            for row, shot in enumerate(self._shots):
                if shot.picked_take is None and shot.generation.first_frame == media:
                    self._row_changed(row)

        def not_shown(error: BaseException) -> None:
            log.warning("Not showing the still %s on its card: %s", media, error)  # the card stays without a picture

        self._document.bridge.watch(self._document.ctx.runner.submit(read()), show, not_shown, owner=self)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # ------------------------------------------------------------------------------------------ keeping in step

    def _on_changed(self, change: ProjectChange) -> None:
        # The change names what moved, but the rows are diffed against the project itself: a transaction
        # announces its edits one by one and then once more as a whole, and both must land correctly.
        for shot_id in change.updated:
            self._forget(shot_id)
        self._sync()
        if change.cast and self._shots:
            # a renamed member's lines say the new name on every card, whether or not its shots changed
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shots) - 1, 0))

    def _sync(self) -> None:
        project = self._document.project
        target = project.shots
        if tuple(self._shots) == target and all(a is b for a, b in zip(self._shots, target, strict=True)):
            return
        wanted = {shot.id for shot in target}
        present = {shot.id for shot in self._shots}
        membership_changed = self._remove_missing(wanted) | self._reorder(target, wanted & present)
        membership_changed |= self._insert_new(target, present)
        self._refresh_changed(target, renumber=membership_changed)

    def _remove_missing(self, wanted: set[str]) -> bool:
        changed = False
        for row in range(len(self._shots) - 1, -1, -1):
            if self._shots[row].id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                gone = self._shots.pop(row)
                self._forget(gone.id)
                self.endRemoveRows()
                changed = True
        return changed

    def _reorder(self, target: tuple[Shot, ...], kept: set[str]) -> bool:
        order = [shot.id for shot in target if shot.id in kept]
        changed = False
        for position, shot_id in enumerate(order):
            current = self.row_of(shot_id)
            if current != position:  # always below `position`: rows before it are already in place
                self.beginMoveRows(QModelIndex(), current, current, QModelIndex(), position)
                self._shots.insert(position, self._shots.pop(current))
                self.endMoveRows()
                changed = True
        return changed

    def _insert_new(self, target: tuple[Shot, ...], present: set[str]) -> bool:
        changed = False
        row = 0
        while row < len(target):
            if target[row].id in present:
                row += 1
                continue
            end = row
            while end + 1 < len(target) and target[end + 1].id not in present:
                end += 1
            self.beginInsertRows(QModelIndex(), row, end)
            self._shots[row:row] = list(target[row : end + 1])
            self.endInsertRows()
            changed = True
            row = end + 1
        return changed

    def _refresh_changed(self, target: tuple[Shot, ...], *, renumber: bool) -> None:
        if len(self._shots) != len(target) or any(a.id != b.id for a, b in zip(self._shots, target, strict=True)):
            log.error("Storyboard rows fell out of step with the project; rebuilding them")
            self.beginResetModel()
            self._shots = list(target)
            self._status.clear()
            self._costs.clear()
            self.endResetModel()
            return
        for row, shot in enumerate(target):
            if self._shots[row] is not shot:
                self._shots[row] = shot
                self._forget(shot.id)
                self._row_changed(row)
        if renumber and self._shots:
            # positions are shown on every card, so any insert, removal or move renumbers the rest
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shots) - 1, 0))

    def _row_changed(self, row: int) -> None:
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def _on_job_changed(self, job_id: str) -> None:
        try:
            record = self._document.job(job_id)
        except Exception as error:  # the journal is gone (project closing): nothing left to show
            log.debug("Job %s could not be read: %s", job_id, error)
            return
        self._jobs[job_id] = record
        self._forget(record.shot_id)
        row = self.row_of(record.shot_id)
        if row >= 0:
            self._row_changed(row)

    # ------------------------------------------------------------------------------------------ drag and drop

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        # Copy too, so the view can end an internal drag as "copy" and leave row removal to the project
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return [SHOT_IDS_MIME, "text/uri-list"]

    def mimeData(self, indexes: Any) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        data = QMimeData()
        ids = [self._shots[row].id for row in rows]
        data.setData(SHOT_IDS_MIME, QByteArray(json.dumps(ids).encode()))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex) -> bool:
        return data.hasFormat(SHOT_IDS_MIME) or data.hasUrls()

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex) -> bool:
        """Move the dropped shots to `row` as one undo step, or import dropped files there.

        Returns False even for a move: the project, not the view, moves the rows, so the view must not
        remove any rows after the drag.
        """
        if action == Qt.DropAction.IgnoreAction:
            return True
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._shots)
        if data.hasFormat(SHOT_IDS_MIME):
            try:
                ids = [str(i) for i in json.loads(bytes(data.data(SHOT_IDS_MIME).data()).decode())]
            except (ValueError, TypeError):
                log.warning("Ignoring a drop of unreadable shot ids")
                return False
            self.move_shots(ids, row)
            return False
        files = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
        if files:
            self._document.import_files(files, index=row)
            return True
        return False

    def move_shots(self, shot_ids: list[str], row: int) -> None:
        """Put the shots, in their current order, before the shot now at `row` (or at the end): one undo step."""
        project = self._document.project
        moving = [shot.id for shot in project.shots if shot.id in set(shot_ids)]
        if not moving:
            return
        order = [shot.id for shot in project.shots]
        before_target = sum(1 for shot_id in order[: max(0, min(row, len(order)))] if shot_id in moving)
        destination = max(0, min(row, len(order))) - before_target
        remaining = [shot_id for shot_id in order if shot_id not in moving]
        wanted = remaining[:destination] + moving + remaining[destination:]
        if wanted == order:
            return
        self._document.seal()  # a second drop of the same shot is a second step, not merged into the first
        if len(moving) == 1:
            self._document.execute(commands.move_shot(moving[0], wanted.index(moving[0])))
        else:
            with self._document.transaction("Move shots"):
                current = list(order)
                # place each position in turn; a move from later in the list never disturbs the ones before
                for position, shot_id in enumerate(wanted):
                    if current[position] != shot_id:
                        if not self._document.execute(commands.move_shot(shot_id, position)):
                            break
                        current.remove(shot_id)
                        current.insert(position, shot_id)
        self._document.seal()
