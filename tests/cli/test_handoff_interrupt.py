"""`shotline handoff` while its stems mix: a progress bar on a terminal (nothing into a pipe), Ctrl+C (a real SIGINT to
the child process) stops the mixing, says so, exits as an interrupted export does (130) and leaves the folder as it
was, and what a SIGKILLed hand-off left is swept by the next one. The film is forty seconds with sound on every lane,
so the mixing runs long enough for the signal to land in the middle of it."""

from __future__ import annotations

import signal
from fractions import Fraction
from pathlib import Path

import pytest

from shotline.core.model import MUSIC_LANE, VOICE_LANE, Size
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.services.sound import add_sound
from tests.cli.shotline_cli import copy_of, ok, shotline
from tests.cli.test_share_interrupt import INTERRUPTED, _interrupted, _listing, _on_a_terminal
from tests.media.sound import tone, tone_clip

pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("handoff-interrupt")
    clips = [tone_clip(root / f"shot{i}.mp4", hz=300 + 200 * i, seconds=20, fps="24") for i in range(2)]
    path = root / "Harbour.shotline"
    with ProjectSession.create(path, title="Harbour", size=Size(320, 180), fps=Fraction(24)) as session:
        import_files(session, clips)
        add_sound(session, tone(root / "music.wav", hz=440, seconds=40), MUSIC_LANE, 0)
        add_sound(session, tone(root / "line.wav", hz=880, seconds=10), VOICE_LANE, 5_000_000)
        session.save()
    return path


@pytest.fixture
def film(built: Path, tmp_path: Path) -> Path:
    return copy_of(built, tmp_path)


def test_ctrl_c_while_the_stems_mix_leaves_the_folder_as_it_was(film: Path, tmp_path: Path) -> None:
    out = tmp_path / "for Resolve"
    out.mkdir()
    (out / "Harbour.fcpxml").write_text("the editor's own cut")
    before = {path: path.read_bytes() for path in out.iterdir()}

    result = _interrupted(
        ["handoff", film, out / "Harbour.fcpxml", "--overwrite"], lambda: any(out.glob(".Harbour.*partial-*"))
    )

    assert result.code == INTERRUPTED, result.err
    assert (
        "Export for another editor was cancelled: Harbour.fcpxml and its stems were not written, and the files "
        "already there were left as they were." in result.err
    )
    assert "Traceback" not in result.err and result.out == ""
    assert {path: path.read_bytes() for path in out.iterdir()} == before  # no stem, no partial file


def test_what_a_killed_handoff_left_is_swept_by_the_next(film: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("the creator's own")

    killed = _interrupted(["handoff", film, out / "Harbour.otio"], lambda: any(out.glob(".*")), signal.SIGKILL)
    assert killed.code == -signal.SIGKILL
    assert any(left.name.startswith(".Harbour.otio.partial-") for left in out.glob(".*"))
    ok("handoff", film, out / "Harbour.otio")
    assert _listing(out) == sorted(
        ["Harbour.otio", "Harbour.clip-sound.wav", "Harbour.music.wav", "Harbour.dialogue.wav", "notes.txt"]
    )


def test_progress_is_shown_on_a_terminal_only(film: Path, tmp_path: Path) -> None:
    code, terminal = _on_a_terminal(["handoff", film, tmp_path / "Harbour.otio"])
    assert code == 0, terminal
    assert "Mixing stems" in terminal and "100%" in terminal

    piped = shotline("handoff", film, tmp_path / "Piped.otio")
    assert piped.code == 0 and piped.err == "" and "%" not in piped.out
