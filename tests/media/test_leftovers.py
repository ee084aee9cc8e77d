"""What a Shotline killed outright leaves is swept, and only that: a running Shotline's files, the creator's own
files and anything a link points at stay.

The leftovers are made the app's own way (core.partial's names) by real processes: one killed with SIGKILL, one
still running.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core.errors import in_creator_words
from shotline.core.partial import partial_path, temp_prefix
from shotline.media import leftovers

_MAKER = textwrap.dedent(
    """
    import sys, tempfile
    from pathlib import Path
    from shotline.core.partial import partial_path, temp_prefix

    target, temp = Path(sys.argv[1]), sys.argv[2]
    partial_path(target, "mix", ".wav").write_bytes(b"half a mix")
    partial_path(target).write_bytes(b"half a film")
    partial_path(target, "signing", "").mkdir()
    folder = Path(tempfile.mkdtemp(prefix=temp_prefix("meter"), dir=temp))
    (folder / "r128.txt").write_text("figures")
    print("made", flush=True)
    sys.stdin.readline()
    """
)


class _Maker:
    def __init__(self, target: Path, temp: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _MAKER, str(target), str(temp)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stdout.readline() == "made\n"

    def made(self, folder: Path) -> set[str]:
        return {p.name for p in folder.iterdir() if str(self.process.pid) in p.name}

    def end(self) -> None:
        self.process.kill()
        self.process.communicate()


@pytest.fixture
def places(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    out, temp = tmp_path / "out", tmp_path / "temp"
    out.mkdir()
    temp.mkdir()
    yield out / "Film.mp4", temp


def test_what_a_killed_shotline_left_is_swept_and_a_running_ones_stays(places: tuple[Path, Path]) -> None:
    target, temp = places
    killed, running = _Maker(target, temp), _Maker(target, temp)
    try:
        killed.process.kill()  # SIGKILL: it cleans nothing up
        killed.process.communicate()
        assert len(killed.made(target.parent)) == 3 and len(killed.made(temp)) == 1
        kept_beside, kept_temp = running.made(target.parent), running.made(temp)

        assert leftovers.sweep_beside(target) == 3
        assert leftovers.sweep_temp(temp) == 1

        assert killed.made(target.parent) == set() and killed.made(temp) == set()
        assert running.made(target.parent) == kept_beside and running.made(temp) == kept_temp
    finally:
        running.end()


def test_only_shotlines_own_leftovers_of_this_user_are_swept(places: tuple[Path, Path], tmp_path: Path) -> None:
    target, temp = places
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    mine = partial_path(target).name.replace(".pid", ".PID")  # made here: this Shotline is running
    kept = {
        ".Film.mp4.notes": "the creator's own hidden file",
        ".Film.mp4.partial-1ceef352.mp4": "an older Shotline's name, without its owner: nobody to ask",
        f".Film.mp4.partial-1ceef352.pid{dead}x": "not quite Shotline's name",
        "Film.mp4": "the film",
        partial_path(target).name: "this Shotline's own (it is running)",
        mine: "not Shotline's spelling",
    }
    for name in kept:
        (target.parent / name).write_text("keep")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "work.txt").write_text("keep")
    link = target.parent / f".Film.mp4.partial-0a1b2c3d.pid{dead}.signing"
    link.symlink_to(precious, target_is_directory=True)
    temp_link = temp / f"{temp_prefix('meter').replace(str(os.getpid()), str(dead))}abc"
    temp_link.symlink_to(precious, target_is_directory=True)
    kept_temp = [f"shotline-meter-x{dead}-abc"]  # not Shotline's spelling
    if os.geteuid() == 0:  # the temp folder is every user's: a dead Shotline of someone else's is theirs to sweep
        kept_temp.append(f"shotline-meter-{dead}-other")
        (temp / kept_temp[-1]).mkdir()
        os.chown(temp / kept_temp[-1], 4242, 4242)
    for name in kept_temp[:1]:
        (temp / name).mkdir()

    assert leftovers.sweep_beside(target) == 1 and leftovers.sweep_temp(temp) == 1
    assert not link.exists() and not temp_link.exists()  # the links went, as links
    assert (precious / "work.txt").read_text() == "keep"  # and what they pointed at stayed
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(kept)
    assert sorted(p.name for p in temp.iterdir()) == sorted(kept_temp)


def test_a_folder_that_cannot_be_read_has_nothing_to_sweep(tmp_path: Path) -> None:
    assert leftovers.sweep_beside(tmp_path / "missing" / "Film.mp4") == 0
    assert leftovers.sweep_temp(tmp_path / "missing") == 0


def test_a_message_about_a_hidden_file_still_names_the_creators_file(tmp_path: Path) -> None:
    film, sidecar = tmp_path / "My film.mp4", tmp_path / "My film.mp4.provenance.json"
    named = {
        partial_path(film): film,
        partial_path(film, "mix", ".wav"): film,
        partial_path(film, "signing", "") / film.name: film,
        partial_path(sidecar, suffix=""): sidecar,
    }
    for hidden, shown in named.items():
        assert f".pid{os.getpid()}" in str(hidden)
        assert in_creator_words(f"Could not write {hidden}.") == f"Could not write {shown}."
