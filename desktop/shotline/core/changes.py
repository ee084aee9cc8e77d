"""What an edit changed, by shot id, so views refresh just those rows and keep their selection."""

from __future__ import annotations

from dataclasses import dataclass

from shotline.core.model import Project


@dataclass(frozen=True, slots=True)
class ProjectChange:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    reordered: bool = False
    settings: bool = False
    library: bool = False
    """The library or the deleted takes changed."""
    audio: bool = False
    """Audio clips or lanes changed."""
    markers: bool = False
    """Timeline markers came, went or moved."""
    cast: bool = False
    """The cast and places changed (a rename also updates the shots whose prompts mention the member)."""
    captions: bool = False
    """Captions came, went, moved or changed their words."""

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.updated
            or self.reordered
            or self.settings
            or self.library
            or self.audio
            or self.markers
            or self.cast
            or self.captions
        )


def diff(before: Project, after: Project) -> ProjectChange:
    old = {shot.id: shot for shot in before.shots}
    new = {shot.id: shot for shot in after.shots}
    kept_order_before = [sid for sid in old if sid in new]
    kept_order_after = [sid for sid in new if sid in old]
    return ProjectChange(
        added=tuple(sid for sid in new if sid not in old),
        removed=tuple(sid for sid in old if sid not in new),
        updated=tuple(sid for sid in new if sid in old and old[sid] is not new[sid] and old[sid] != new[sid]),
        reordered=kept_order_before != kept_order_after,
        settings=before.settings != after.settings or before.title != after.title,
        library=before.assets != after.assets or before.removed_takes != after.removed_takes,
        audio=before.audio != after.audio or before.lanes != after.lanes,
        markers=before.markers != after.markers,
        cast=before.cast != after.cast,
        captions=before.captions != after.captions,
    )
