"""creator_message: the one place an error becomes the words a creator reads — never an errno number, never the
name of a hidden temporary file, always the file the creator named."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import av
import pytest

from shotline.core.errors import RenderFailed, SaveFailed, creator_message, in_creator_words, plain_reason

NO_SPACE = os.strerror(errno.ENOSPC)


def _clean(message: str | None) -> str:
    assert message is not None
    for internal in (".partial", ".part", ".tmp", "Errno", "1094995529"):
        assert internal not in message, f"{internal!r} in {message!r}"
    return message


def test_an_os_error_on_a_temporary_file_names_the_file_it_was_becoming() -> None:
    error = OSError(errno.ENOSPC, NO_SPACE, "/films/.Film.shotline.zip.28806.part")
    assert _clean(creator_message(error)) == f"{NO_SPACE} (/films/Film.shotline.zip)"
    saving = PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/p/Film.shotline/.project.json.1a2b3c4d.tmp")
    assert _clean(creator_message(saving)).endswith("(/p/Film.shotline/project.json)")


def test_an_ffmpeg_error_is_its_reason_without_its_number(tmp_path: Path) -> None:
    partial = tmp_path / ".out.mp4.partial-1ceef352.mp4"
    partial.write_bytes(b"\x00not a film" * 100)
    with pytest.raises(av.error.FFmpegError) as caught:
        av.open(str(partial))
    assert "Errno" in str(caught.value), "PyAV puts the number in; the creator must not see it"
    assert plain_reason(caught.value) == "Invalid data found when processing input"
    assert _clean(creator_message(caught.value)) == f"Invalid data found when processing input ({tmp_path}/out.mp4)"


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        (
            "Copying the clips into .My Film.mp4.partial-1ceef352.mp4 failed ([Errno 28] No space left on device)",
            "Copying the clips into My Film.mp4 failed (No space left on device)",
        ),
        ("Error opening output file /f/.out.mp4.partial-0a1b2c3d.mp4.mix.wav.", "Error opening output file /f/out.mp4"),
        ("Could not sign /f/.out.mp4.partial-0a1b2c3d.signing/out.mp4.", "Could not sign /f/out.mp4."),
        ("the sidecar '.out.mp4.provenance.json.partial-0a1b2c3d'", "the sidecar 'out.mp4.provenance.json'"),
        ("version 1.2.partial-abc and a .hidden file stay as they are", "version 1.2.partial-abc and a .hidden file"),
    ],
)
def test_temporary_names_become_the_creators_file(said: str, meant: str) -> None:
    assert in_creator_words(said).startswith(meant)


def test_shotline_errors_read_as_written_and_anything_else_is_left_to_the_caller() -> None:
    assert creator_message(SaveFailed("Could not write x.zip: No space left on device.")) == (
        "Could not write x.zip: No space left on device."
    )
    assert _clean(creator_message(RenderFailed("The copy into .x.mp4.partial-1ceef352.mp4 failed ([Errno 5] I/O)")))
    assert creator_message(ValueError("a bug")) is None
