"""Snapshot undo history: each step keeps the project before and after, so undo and redo are assignments.

Because projects are immutable and edits share unchanged shots, a snapshot costs little, and there are no
hand-written inverse operations to get wrong. The clean marker is the saved snapshot itself: the project is
clean exactly when the present snapshot *is* the saved one, which stays true across undo back to it.

Every edit runs here, so here the markers are moved with the shots they are on (`markers.follow`): no edit needs to
know about them, and each snapshot holds its markers where they were, for undo and redo.

What is not an edit (a take a finished job delivers: DESIGN §3, jobs are not in history) is not a step either:
`land` writes it into every snapshot, so no undo or redo can take it back out, and it leaves the steps, their labels
and the redo branch as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from shotline.core.commands import Command
from shotline.core.markers import follow
from shotline.core.model import Project


@dataclass(frozen=True, slots=True)
class Step:
    label: str
    before: Project
    after: Project
    merge_key: Hashable | None = None


class History:
    def __init__(self, project: Project, limit: int = 500) -> None:
        self._present = project
        self._clean: Project | None = project
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._limit = limit
        self._sealed = True
        self._transaction: tuple[str, Project] | None = None

    @property
    def project(self) -> Project:
        return self._present

    def execute(self, command: Command) -> Project:
        """Apply a command; an edit that changes nothing leaves no step. Raises whatever the edit raises."""
        before = self._present
        after = follow(before, command.apply(before))  # markers move with their shots, whatever the edit
        if after == before:
            return before
        self._present = after
        if self._transaction is not None:
            return after
        top = self._undo[-1] if self._undo else None
        if (
            not self._sealed
            and top is not None
            and command.merge_key is not None
            and top.merge_key == command.merge_key
        ):
            self._undo[-1] = Step(top.label, top.before, after, top.merge_key)
        else:
            self._push(Step(command.label, before, after, command.merge_key))
        self._sealed = command.merge_key is None
        return after

    def seal(self) -> None:
        """End a gesture: the next command starts a new step even if it has the same merge key."""
        self._sealed = True

    @contextmanager
    def transaction(self, label: str) -> Iterator[None]:
        """Group the commands inside into one step; if anything inside raises, the project is rolled back."""
        if self._transaction is not None:  # nested: the outer transaction owns the step
            yield
            return
        self._transaction = (label, self._present)
        try:
            yield
        except BaseException:
            self._present = self._transaction[1]  # as it began, with anything that landed meanwhile
            raise
        finally:
            before = self._transaction[1]
            self._transaction = None
        if self._present != before:
            self._push(Step(label, before, self._present))
        self._sealed = True

    def land(self, fact: Callable[[Project], Project]) -> Project:
        """Apply something that happened outside the creator's edits to the present and to every snapshot undo or
        redo can return to (and the saved one), so it stays whatever is undone. `fact` must not raise and must leave
        a project that already holds it unchanged. The project stays clean if it was; returns the new present."""
        landed: dict[int, tuple[Project, Project]] = {}  # id(snapshot) → (snapshot, with the fact); steps share them

        def amend(project: Project) -> Project:
            known = landed.get(id(project))
            if known is None or known[0] is not project:
                # a take landing on a shot without one gives it the take's length: markers after it move too
                known = landed[id(project)] = (project, follow(project, fact(project)))
            return known[1]

        self._present = amend(self._present)
        self._undo = [Step(s.label, amend(s.before), amend(s.after), s.merge_key) for s in self._undo]
        self._redo = [Step(s.label, amend(s.before), amend(s.after), s.merge_key) for s in self._redo]
        if self._clean is not None:
            self._clean = amend(self._clean)
        if self._transaction is not None:
            self._transaction = (self._transaction[0], amend(self._transaction[1]))
        return self._present

    def _push(self, step: Step) -> None:
        self._undo.append(step)
        del self._undo[: -self._limit]
        if self._redo and self._clean is not None and any(s.after is self._clean for s in self._redo):
            self._clean = None  # the saved state is on the redo branch we are dropping: unreachable now
        self._redo.clear()

    def undo(self) -> Project | None:
        if not self._undo or self._transaction is not None:
            return None
        step = self._undo.pop()
        self._redo.append(step)
        self._present = step.before
        self._sealed = True
        return self._present

    def redo(self) -> Project | None:
        if not self._redo or self._transaction is not None:
            return None
        step = self._redo.pop()
        self._undo.append(step)
        self._present = step.after
        self._sealed = True
        return self._present

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def mark_clean(self) -> None:
        """The present project was saved. The next edit starts a new step, so undo can return to this state."""
        self._clean = self._present
        self._sealed = True

    @property
    def is_dirty(self) -> bool:
        return self._present is not self._clean
