"""`shotline handoff` and `shotline import-cut` in a child process: what they say, what they write, and a clear
message (never a traceback) for an ending no editor reads, a file already there, a damaged cut and missing clips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.shotline_cli import copy_of, ok, shotline
from tests.services.handoff_film import make_film

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_film(tmp_path_factory.mktemp("handoff-cli"))


@pytest.fixture
def film(built: Path, tmp_path: Path) -> Path:
    return copy_of(built, tmp_path)


def test_handoff_writes_the_cut_and_its_stems_and_says_so(film: Path, tmp_path: Path) -> None:
    cut = tmp_path / "Resolve" / "Harbour.fcpxml"
    out = ok("handoff", film, cut)
    assert out.splitlines() == [
        f"Wrote {cut} (FCPXML (Final Cut Pro, DaVinci Resolve)): 3 shots, 00:00:05.250",
        f"Stem: {cut.parent / 'Harbour.clip-sound.wav'}",
        f"Stem: {cut.parent / 'Harbour.music.wav'}",
        f"Stem: {cut.parent / 'Harbour.dialogue.wav'}",
    ]
    assert cut.is_file() and "<fcpxml" in cut.read_text()


def test_a_cut_already_there_is_kept_unless_overwrite(film: Path, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour.otio"
    cut.write_text("the editor's own")
    refused = shotline("handoff", film, cut)
    assert refused.code == 1 and "Traceback" not in refused.err
    assert (
        refused.err.strip() == "Error: Harbour.otio is already there; choose another name, or replace it (--overwrite)."
    )
    assert cut.read_text() == "the editor's own"
    ok("handoff", film, cut, "--overwrite")
    assert '"OTIO_SCHEMA": "Timeline.1"' in cut.read_text()


def test_an_ending_no_editor_reads_is_refused(film: Path, tmp_path: Path) -> None:
    refused = shotline("handoff", film, tmp_path / "Harbour.mov")
    assert refused.code == 1 and "Traceback" not in refused.err
    assert "Harbour.mov: a hand-off is written as one of .otio, .fcpxml, .xml, .edl, .mlt" in refused.err


def test_import_cut_makes_a_project_and_names_what_it_could_not_find(film: Path, tmp_path: Path) -> None:
    cut = tmp_path / "Harbour.otio"
    ok("handoff", film, cut)
    back = shotline("import-cut", cut, tmp_path / "Back.shotline")
    assert back.code == 0 and back.out.strip() == "Made " + str(tmp_path / "Back.shotline") + (
        ": 3 shots, 2 sound clips, from Harbour.otio"
    )
    moved = tmp_path / "far" / "away" / "Harbour.otio"
    moved.parent.mkdir(parents=True)
    shutil.copy(cut, moved)
    lost = shotline("import-cut", moved, tmp_path / "Lost.shotline")
    assert lost.code == 0 and "Traceback" not in lost.err
    assert "Not found: Shot 2 (Quay): its clip " in lost.err
    assert "5 clip(s) could not be found; their shots have no take yet." in lost.err


def test_a_damaged_cut_is_refused_by_name(tmp_path: Path) -> None:
    cut = tmp_path / "From Premiere.xml"
    cut.write_text("<xmeml version='4'><sequence>")
    refused = shotline("import-cut", cut, tmp_path / "Back.shotline")
    assert refused.code == 1 and "Traceback" not in refused.err
    assert refused.err.startswith("Error: From Premiere.xml could not be read as a cut")
    assert not (tmp_path / "Back.shotline").exists()
