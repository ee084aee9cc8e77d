"""The export dialog's "Sign with Content Credentials (C2PA)" box: worked out off the GUI thread as the dialog opens,
disabled with the reason when there is no usable identity, and with one a real export from the dialog that c2pa reads
back with one ingredient per take and the signer shown beside the loudness; a signing that fails says so and leaves
the previous file; the choice is remembered.

Real parts throughout: animatic takes, ffmpeg, c2pa, and a throw-away CA and signer from tests/signing.py.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path

import c2pa
import pytest
from PySide6.QtWidgets import QMessageBox

from shotline.media.content_credentials import ASSERTION_LABEL
from shotline.services import content_credentials
from shotline.services.content_credentials import ENV_CERT, ENV_KEY, SigningIdentity
from shotline.services.context import AppContext
from shotline.services.session import ProjectSession
from shotline.ui.bridge import Bridge
from shotline.ui.dialogs.export_dialog import WHOLE_FILM, ExportDialog
from shotline.ui.document import ProjectDocument
from tests.signing import ISSUER, SIGNER, identity_files, identity_pem
from tests.ui.questions import answer_questions
from tests.ui.shell_fixtures import private_settings

YES = QMessageBox.StandardButton.Yes

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def context(app_context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    """Settings of the test's own (the dialog saves its choices), no identity in the environment."""
    monkeypatch.delenv(ENV_CERT, raising=False)
    monkeypatch.delenv(ENV_KEY, raising=False)
    private_settings(app_context, tmp_path / "settings")
    return app_context


@pytest.fixture
def document(qtbot, context: AppContext, project_path: Path) -> Iterator[ProjectDocument]:
    doc = ProjectDocument(context, ProjectSession.open(project_path), Bridge())
    yield doc
    doc.close()


def set_identity(ctx: AppContext, folder: Path, *, usable: bool = True) -> None:
    chain, key = identity_files(folder, usable=usable)
    ctx.settings = dataclasses.replace(ctx.settings, c2pa_identity={"certificate": str(chain), "private_key": str(key)})


def opened(qtbot, document: ProjectDocument) -> ExportDialog:
    """The dialog once its signing check has answered."""
    dialog = ExportDialog(document)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.signing_pending, timeout=20_000)
    return dialog


def export(qtbot, dialog: ExportDialog, target: Path) -> None:
    dialog.choose(dialog.scope_combo, WHOLE_FILM)
    dialog.path_edit.setText(str(target))
    dialog.export_button.click()
    assert dialog.is_exporting, dialog.status.text()
    qtbot.waitUntil(lambda: not dialog.is_exporting, timeout=120_000)


@pytest.mark.parametrize(
    ("identity", "reason"),
    [("none", "no certificate is set up yet"), ("refused", "certificate is invalid")],
)
def test_without_a_usable_identity_the_box_is_disabled_with_the_reason(
    qtbot, document: ProjectDocument, context: AppContext, tmp_path: Path, identity: str, reason: str
) -> None:
    if identity == "refused":
        set_identity(context, tmp_path / "identity", usable=False)
    dialog = opened(qtbot, document)
    assert not dialog.sign_check.isEnabled() and not dialog.sign_check.isChecked()
    assert dialog.sign_check.toolTip().startswith("Cannot sign: ")
    assert reason in dialog.sign_check.toolTip()
    assert dialog.sign_note.isVisibleTo(dialog)
    assert dialog.sign_note.text() == "Set up a certificate in Preferences → Content Credentials"


def test_with_an_identity_the_box_can_be_ticked(
    qtbot, document: ProjectDocument, context: AppContext, tmp_path: Path
) -> None:
    set_identity(context, tmp_path / "identity")
    dialog = opened(qtbot, document)
    assert dialog.sign_check.isEnabled() and not dialog.sign_check.isChecked()  # not ticked until asked for
    assert dialog.sign_check.toolTip().startswith(f"Signs as {SIGNER} ({ISSUER})")
    assert not dialog.sign_note.isVisibleTo(dialog)


def test_the_dialog_opens_before_the_check_which_runs_off_the_gui_thread(
    qtbot, document: ProjectDocument, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_identity(context, tmp_path / "identity")
    began, gate = threading.Event(), threading.Event()
    ran_on: list[threading.Thread] = []
    real = content_credentials.signing_identity

    def held_check(ctx: AppContext) -> SigningIdentity:
        ran_on.append(threading.current_thread())
        if threading.current_thread() is not threading.main_thread():  # on the GUI thread it would hang the test
            began.set()
            assert gate.wait(timeout=20)
        return real(ctx)

    monkeypatch.setattr(content_credentials, "signing_identity", held_check)
    dialog = ExportDialog(document)
    qtbot.addWidget(dialog)
    dialog.show()
    assert threading.main_thread() not in ran_on, "the check ran on the GUI thread"
    assert began.wait(20), "the check did not start on another thread"
    # shown, and the check still held on its thread: the dialog did not wait for it
    assert dialog.isVisible() and dialog.signing_pending and not dialog.sign_check.isEnabled()
    assert dialog.sign_check.toolTip() == "Checking whether exports can be signed…"
    gate.set()
    qtbot.waitUntil(lambda: not dialog.signing_pending, timeout=20_000)
    assert ran_on and threading.main_thread() not in ran_on
    assert dialog.sign_check.isEnabled()


def test_a_ticked_export_is_signed_with_one_ingredient_per_take_and_remembered(
    qtbot, document: ProjectDocument, context: AppContext, tmp_path: Path
) -> None:
    set_identity(context, tmp_path / "identity")
    dialog = opened(qtbot, document)
    dialog.sign_check.setChecked(True)
    target = tmp_path / "signed.mp4"
    export(qtbot, dialog, target)
    assert dialog.status.text().startswith("Exported signed.mp4"), dialog.status.text()
    assert dialog.report is not None and dialog.report.signed_by == f"{SIGNER} ({ISSUER})"
    qtbot.waitUntil(lambda: "LUFS" in dialog.measured.text(), timeout=30_000)
    assert dialog.measured.text().endswith(f" dB. Signed by {SIGNER} ({ISSUER}).")

    with c2pa.Reader(str(target)) as reader:
        manifest = reader.get_active_manifest()
    assert manifest is not None
    takes = [shot.picked_take for shot in document.project.shots]
    ingredients = manifest["ingredients"]
    assert len(ingredients) == len(takes) == 3
    assert sorted(ingredient["title"] for ingredient in ingredients) == sorted(
        Path(take.media).name for take in takes if take is not None
    )
    recorded = next(a["data"] for a in manifest["assertions"] if a["label"].startswith(ASSERTION_LABEL))
    assert [entry["take"] for entry in recorded["shots"]] == [take.id for take in takes if take is not None]

    assert context.settings_store.load().export_choices["c2pa"] == "yes"
    again = opened(qtbot, document)
    assert again.sign_check.isChecked() and again.sign_check.isEnabled()


def test_an_export_without_the_box_is_not_signed(
    qtbot, document: ProjectDocument, context: AppContext, tmp_path: Path
) -> None:
    set_identity(context, tmp_path / "identity")
    dialog = opened(qtbot, document)
    target = tmp_path / "plain.mp4"
    export(qtbot, dialog, target)
    assert dialog.report is not None and dialog.report.signed_by is None
    assert c2pa.Reader.try_create(str(target)) is None
    assert context.settings_store.load().export_choices["c2pa"] == "no"


def test_a_failed_signing_is_shown_and_the_previous_file_stays(
    qtbot, document: ProjectDocument, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_questions(monkeypatch, YES)
    set_identity(context, tmp_path / "identity")
    dialog = opened(qtbot, document)
    assert dialog.signing_identity is not None
    _, other_key = identity_pem()  # as if the key file were swapped for another certificate's after the check
    dialog.signing_identity = dataclasses.replace(dialog.signing_identity, private_key=other_key)
    dialog.sign_check.setChecked(True)
    target = tmp_path / "film.mp4"
    target.write_bytes(b"the previous export")
    export(qtbot, dialog, target)
    assert len(asked) == 1, "the creator agreed to replace the previous export"
    status = dialog.status.text()
    assert status.startswith("Not signed: c2pa refused to sign"), status
    assert status.endswith("Nothing was written: any film.mp4 already there is as it was.")
    assert target.read_bytes() == b"the previous export"
    qtbot.waitUntil(
        lambda: [p.name for p in tmp_path.iterdir() if p.name.startswith(".film.mp4")] == [], timeout=10_000
    )
    assert dialog.export_button.isEnabled() and dialog.sign_check.isEnabled()
