"""The export dialog's Content Credentials (C2PA) box.

Whether the film can be signed is worked out off the GUI thread when the dialog opens (importing c2pa and checking
the certificate take most of a second); until then, and when it cannot, the box is disabled and its tooltip says
why, with a note under it on where to set a certificate up. The creator's remembered wish to sign is kept while the
box cannot be ticked, so one export without a certificate does not forget it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from shotline.services.content_credentials import SigningIdentity
from shotline.ui import theme
from shotline.ui.dialogs.content_credentials import for_creator
from shotline.ui.document import describe

CHECKING = "Checking whether exports can be signed…"
SET_UP = "Set up a certificate in Preferences → Content Credentials"


class SigningChoice(QObject):
    """The box (`check`) and the note under it (`note`), which the dialog places in its form."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.check = QCheckBox("Sign with Content Credentials (C2PA)", parent)
        self.check.setEnabled(False)
        self.check.setToolTip(CHECKING)
        self.note = QLabel(SET_UP, parent)
        self.note.setStyleSheet(f"color: {theme.MUTED.name()};")
        self.note.setVisible(False)
        self.identity: SigningIdentity | None = None
        """Who signs when the box is ticked; None until the check says signing is possible."""
        self.pending = True
        """Whether the check has not answered yet."""
        self._wish = False

    def show_wish(self, sign: bool) -> None:
        self._wish = sign
        self.check.setChecked(sign)

    def wished(self) -> bool:
        """What to remember: the box where it can be ticked, else the wish it was shown with."""
        return self.check.isChecked() if self.identity else self._wish

    def possible(self, identity: SigningIdentity, *, exporting: bool) -> None:
        self.pending = False
        self.identity = identity
        self.check.setEnabled(not exporting)
        self.check.setToolTip(
            f"Signs as {identity.signer}: the file then says who made it and how, each take and its backend named"
        )

    def impossible(self, error: BaseException) -> None:
        self.pending = False
        self.check.setChecked(False)
        self.check.setEnabled(False)
        self.check.setToolTip(f"Cannot sign: {for_creator(describe(error))}")
        self.note.setVisible(True)

    def running(self, running: bool) -> None:
        self.check.setEnabled(not running and self.identity is not None)
