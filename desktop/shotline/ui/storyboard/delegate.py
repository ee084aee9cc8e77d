"""ShotCardDelegate: paints one storyboard card — picture, number and title, prompt, first line, backend, state chip,
takes, cost. Before a shot has a take, its picture is the first-frame still, if it has one, tagged "Still".

Everything is laid out in device-independent pixels and text is elided to fit, so cards look the same at any
scale; the picture is drawn from a larger pixmap, so it stays sharp on HiDPI screens.

What is costly to paint is made once and kept: the picture scaled smoothly to the card (at the screen's pixel
ratio) and the prompt wrapped into its lines. Cards repaint often while jobs run, and the window must stay smooth.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap, QTextLayout
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from shotline.ui import theme
from shotline.ui.storyboard.model import ShotRole

CARD_WIDTH = 220
PAD = 8
THUMB_HEIGHT = (CARD_WIDTH - 2 * PAD) * 9 // 16
RADIUS = 6.0
KEPT = 400
"""Scaled pictures and wrapped prompts kept, each (a few screens of cards); the least recently painted go first."""

STATE_COLOURS = {
    "no take": theme.MUTED,
    "queued": theme.WARNING,
    "running": theme.ACCENT,
    "ready": theme.SUCCESS,
    "failed": theme.DANGER,
    "blocked": theme.DANGER,
    "uncertain": theme.WARNING,
}


def _fonts(base: QFont) -> tuple[QFont, QFont, QFont]:
    title = QFont(base)
    title.setBold(True)
    small = QFont(base)
    small.setPointSizeF(max(7.0, base.pointSizeF() * 0.85))
    return title, base, small


def card_height(base: QFont) -> int:
    title, body, small = _fonts(base)
    lines = QFontMetrics(title).height() + 3 * QFontMetrics(body).height() + 2 * QFontMetrics(small).height()
    return PAD + THUMB_HEIGHT + PAD + lines + 5 * 4 + PAD


def line_row(card: QRect, base: QFont) -> QRect:
    """Where a card drawn in `card` says its first line: under the title and the prompt's two lines."""
    title, body, _small = _fonts(base)
    top = card.top() + PAD + THUMB_HEIGHT + PAD + QFontMetrics(title).height() + 4 + 2 * QFontMetrics(body).height()
    return QRect(card.left() + PAD, top + 4, card.width() - 2 * PAD, QFontMetrics(body).height())


class ShotCardDelegate(QStyledItemDelegate):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scaled: OrderedDict[tuple[int, int, int, float], QPixmap] = OrderedDict()
        self._wrapped: OrderedDict[tuple[str, str, int, int], list[str]] = OrderedDict()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(CARD_WIDTH, card_height(option.font))

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        rect: QRect = option.rect
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        card = QRectF(rect).adjusted(2, 2, -2, -2)
        path = QPainterPath()
        path.addRoundedRect(card, RADIUS, RADIUS)
        painter.fillPath(path, theme.PANEL.lighter(115) if selected else theme.PANEL)
        if selected or focused:
            pen = QPen(theme.ACCENT, 2.0 if selected else 1.0)
            if focused and not selected:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(path)
        inner = rect.adjusted(PAD, PAD, -PAD, -PAD)
        thumb = QRect(inner.left(), inner.top(), inner.width(), THUMB_HEIGHT)
        self._paint_thumbnail(painter, thumb, index)
        self._paint_text(painter, option.font, inner, thumb.bottom() + PAD, index)
        painter.restore()

    def _paint_thumbnail(self, painter: QPainter, thumb: QRect, index: QModelIndex | QPersistentModelIndex) -> None:
        painter.fillRect(thumb, theme.BASE)
        pixmap = index.data(ShotRole.THUMBNAIL)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            scaled = self._scaled_to(pixmap, thumb.size(), painter.device().devicePixelRatioF())
            target = QRect(QPoint(0, 0), scaled.deviceIndependentSize().toSize())
            target.moveCenter(thumb.center())
            painter.drawPixmap(target.topLeft(), scaled)
            if index.data(ShotRole.STILL):
                _paint_still_tag(painter, target)
        else:
            painter.setPen(theme.MUTED)
            text = "Generating…" if index.data(ShotRole.STATE) in ("queued", "running") else "No take yet"
            painter.drawText(thumb, Qt.AlignmentFlag.AlignCenter, text)
        progress = index.data(ShotRole.PROGRESS)
        if isinstance(progress, float):
            bar = QRect(thumb.left(), thumb.bottom() - 3, round(thumb.width() * min(max(progress, 0.0), 1.0)), 4)
            painter.fillRect(bar, theme.ACCENT)

    def _scaled_to(self, pixmap: QPixmap, box: QSize, ratio: float) -> QPixmap:
        """`pixmap` smoothly scaled to fit `box` on a screen of pixel ratio `ratio`, made once."""
        key = (pixmap.cacheKey(), box.width(), box.height(), ratio)
        scaled = self._scaled.get(key)
        if scaled is None:
            scaled = pixmap.scaled(
                box * ratio, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            scaled.setDevicePixelRatio(ratio)
            self._scaled[key] = scaled
            _trim(self._scaled)
        self._scaled.move_to_end(key)
        return scaled

    def _paint_text(
        self, painter: QPainter, base: QFont, inner: QRect, top: int, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        title_font, body_font, small_font = _fonts(base)
        width = inner.width()
        y = top
        # number and title
        painter.setFont(title_font)
        metrics = QFontMetrics(title_font)
        number = f"{index.data(ShotRole.NUMBER)}"
        painter.setPen(theme.ACCENT)
        painter.drawText(QRect(inner.left(), y, width, metrics.height()), Qt.AlignmentFlag.AlignLeft, number)
        offset = metrics.horizontalAdvance(number + "  ")
        painter.setPen(theme.TEXT)
        title = metrics.elidedText(str(index.data()), Qt.TextElideMode.ElideRight, width - offset)
        painter.drawText(QRect(inner.left() + offset, y, width - offset, metrics.height()), 0, title)
        y += metrics.height() + 4
        # two lines of prompt
        painter.setFont(body_font)
        painter.setPen(theme.TEXT.darker(110))
        y = self._paint_lines(painter, body_font, str(index.data(ShotRole.PROMPT) or "No prompt yet"), inner, y, 2)
        line = line_row(QRect(inner).adjusted(-PAD, -PAD, PAD, PAD), base)
        _paint_first_line(painter, body_font, small_font, line, index)
        y = line.bottom() + 1 + 4
        # backend and model
        painter.setFont(small_font)
        small = QFontMetrics(small_font)
        painter.setPen(theme.MUTED)
        backend = small.elidedText(str(index.data(ShotRole.BACKEND)), Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(inner.left(), y, width, small.height()), 0, backend)
        y += small.height() + 4
        self._paint_footer(painter, small_font, QRect(inner.left(), y, width, small.height() + 2), index)

    def _paint_lines(self, painter: QPainter, font: QFont, text: str, inner: QRect, y: int, count: int) -> int:
        """Wrap `text` into at most `count` lines, eliding the last one."""
        metrics = QFontMetrics(font)
        lines = self._wrap(font, text, inner.width(), count)
        for line_text in lines:
            painter.drawText(QRect(inner.left(), y, inner.width(), metrics.height()), 0, line_text)
            y += metrics.height()
        return y + metrics.height() * (count - len(lines))

    def _wrap(self, font: QFont, text: str, width: int, count: int) -> list[str]:
        key = (font.key(), text, width, count)
        lines = self._wrapped.get(key)
        if lines is None:
            lines = _wrapped_lines(font, text, width, count)
            self._wrapped[key] = lines
            _trim(self._wrapped)
        self._wrapped.move_to_end(key)
        return lines

    def _paint_footer(
        self, painter: QPainter, font: QFont, row: QRect, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        metrics = QFontMetrics(font)
        state = str(index.data(ShotRole.STATE))
        progress = index.data(ShotRole.PROGRESS)
        label = f"{state} {round(progress * 100)}%" if isinstance(progress, float) else state
        colour: QColor = STATE_COLOURS.get(state, theme.MUTED)
        chip = QRectF(row.left(), row.top(), metrics.horizontalAdvance(label) + 12, row.height())
        chip_path = QPainterPath()
        chip_path.addRoundedRect(chip, row.height() / 2, row.height() / 2)
        fill = QColor(colour)
        fill.setAlpha(60)
        painter.fillPath(chip_path, fill)
        painter.setPen(colour.lighter(130))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        takes = int(index.data(ShotRole.TAKES) or 0)
        cost = str(index.data(ShotRole.COST) or "")
        right = " · ".join(part for part in (f"{takes} take{'s' if takes != 1 else ''}", cost) if part)
        room = int(row.width() - chip.width() - 6)
        if cost and metrics.horizontalAdvance(right) > room:
            right = cost  # the money before the count when both do not fit beside the chip ("≈ $0.60 · not reported")
        right = metrics.elidedText(right, Qt.TextElideMode.ElideRight, room)
        painter.setPen(theme.MUTED)
        painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right)


def _paint_still_tag(painter: QPainter, picture: QRect) -> None:
    """A small "Still" in the picture's corner, so a first frame waiting to be animated is not taken for a clip."""
    font = QFont(painter.font())
    font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
    metrics = QFontMetrics(font)
    tag = QRectF(picture.left() + 4, picture.top() + 4, metrics.horizontalAdvance("Still") + 10, metrics.height() + 2)
    path = QPainterPath()
    path.addRoundedRect(tag, 3, 3)
    painter.fillPath(path, QColor(0, 0, 0, 150))
    painter.setFont(font)
    painter.setPen(theme.TEXT)
    painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, "Still")


def _paint_first_line(
    painter: QPainter, body: QFont, small: QFont, row: QRect, index: QModelIndex | QPersistentModelIndex
) -> None:
    """The shot's first line elided to the card, with "+2 lines" at the right when more follow; nothing without."""
    line = str(index.data(ShotRole.LINE) or "")
    if not line:
        return
    more = int(index.data(ShotRole.MORE_LINES) or 0)
    room = row.width()
    if more:
        label = f"+{more} line{'s' if more != 1 else ''}"
        painter.setFont(small)
        painter.setPen(theme.MUTED)
        painter.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        room -= QFontMetrics(small).horizontalAdvance(label) + 6
    painter.setFont(body)
    painter.setPen(theme.TEXT.darker(110))
    text = QFontMetrics(body).elidedText(line, Qt.TextElideMode.ElideRight, room)
    painter.drawText(QRect(row.left(), row.top(), room, row.height()), Qt.AlignmentFlag.AlignVCenter, text)


def _wrapped_lines(font: QFont, text: str, width: int, count: int) -> list[str]:
    """`text` wrapped to `width` in at most `count` lines, the last one elided when text is left over."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    lines: list[str] = []
    while len(lines) < count:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        start, length = line.textStart(), line.textLength()
        lines.append(text[start : start + length])
    layout.endLayout()
    if lines and len("".join(lines)) < len(text):
        lines[-1] = QFontMetrics(font).elidedText(lines[-1].rstrip() + "…", Qt.TextElideMode.ElideRight, width)
    return [line.rstrip() for line in lines]


def _trim(kept: OrderedDict[Any, Any]) -> None:
    while len(kept) > KEPT:
        kept.popitem(last=False)
