"""Hand-edited and hostile project files (issue 13, classes 2-5): whatever project.json holds, opening it either
works or says the project is damaged, naming the field and the shot, and never escapes as another exception.

Each case builds its hostile file itself from a real project: references that leave the folder (absolute, `..`,
a link out, a pipe), values that once ran an export until the disk was full (a trim a week past its clip, 10^9 Hz,
10^6 fps), values that once exported "successfully" with a shot missing (a trim that starts after its clip ends)
or made `remove <id>` delete two shots (duplicate ids), and values that escaped as tracebacks (a zero character in
a media path, an integer beyond float range, a lone surrogate in a title, a tiny frame rate). A Hypothesis strategy
then mutates a real project's JSON with such values anywhere in the tree.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shotline.core.errors import ProjectCorrupt, ProjectTooNew, SaveFailed
from shotline.core.model import Project
from shotline.services.report import project_report
from shotline.services.session import ProjectSession
from shotline.storage import schema
from shotline.storage.bundle import ProjectBundle
from tests.storage.projects import sample_project

DAY_US = 24 * 3600 * 10**6
"""core.model.MAX_LENGTH_US, spelled out so these tests also run (and fail) against a Shotline without it."""

Doc = dict[str, Any]
_RAW = "\x01raw:"
"""A string value starting with this is written into the file as the bare JSON token after it (1e400, NaN),
which json.dumps cannot write itself."""


def _doc() -> Doc:
    return schema.project_to_json(sample_project(shots=3))


def _text(doc: Doc) -> str:
    """The document as project.json text, with _RAW markers replaced by their bare tokens."""
    text = json.dumps(doc, indent=1)
    while (start := text.find(json.dumps(_RAW)[:-1])) >= 0:
        end = text.index('"', start + 1)
        token = json.loads(text[start : end + 1]).removeprefix(_RAW)
        text = text[:start] + token + text[end + 1 :]
    return text


def _folder(tmp_path: Path, doc: Doc | str) -> Path:
    """A project folder holding `doc` as its project.json (and no backup, so the message is the damage alone)."""
    folder = tmp_path / "Hostile.shotline"
    (folder / "media").mkdir(parents=True, exist_ok=True)
    (folder / "project.json").write_text(doc if isinstance(doc, str) else _text(doc), encoding="utf-8")
    return folder


def _secret(tmp_path: Path) -> Path:
    """A file beside the project, not in it: not the creator's to share."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"private")
    return secret


def _refused(folder: Path) -> str:
    with pytest.raises(ProjectCorrupt) as caught:
        ProjectSession.open(folder).close()
    message = str(caught.value)
    assert message.startswith("The project file is damaged: "), message
    return message


def _opened(folder: Path) -> Project:
    with ProjectSession.open(folder) as session:
        return session.project


def _set(path: str, value: object) -> Callable[[Doc], None]:
    """Set the field at a dotted path ("shots.0.takes.0.media") to `value`."""

    def change(doc: Doc) -> None:
        *steps, last = [int(step) if step.isdigit() else step for step in path.split(".")]
        target: Any = doc
        for step in steps:
            target = target[step]
        target[last] = value

    return change


# ---------------------------------------------------------------------------------------------- references (class 2)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        (
            "shots.0.takes.0.media",
            "media/clip\x00.mp4",
            ["shots[0].takes[0].media", "zero character", "shot 1, take 1"],
        ),
        ("shots.0.takes.0.media", "/etc/passwd", ["take 1 of shot 1 ('Shot 0')", "absolute path"]),
        ("shots.1.generation.first_frame", "/home/someone/.ssh/id_rsa", ["first frame of shot 2", "absolute path"]),
        ("shots.2.generation.last_frame", "C:/Users/x/secret.png", ["last frame of shot 3", "absolute path"]),
        ("shots.0.generation.reference_images.1", "media/../../secret.png", ["reference image 2 of shot 1", "'..'"]),
        ("audio.0.media", "../music.wav", ["sound clip 1", "'..'"]),
        ("assets.0.media", "media\\..\\..\\x.mov", ["take 1 in the library", "backslashes"]),
        ("shots.0.takes.1.media", "jobs.sqlite", ["take 2 of shot 1", "Shotline's own files"]),
        ("shots.0.takes.1.media", ".backups/project.json", ["take 2 of shot 1", "Shotline's own files"]),
        ("shots.0.generation.first_frame", "", ["first frame of shot 1", "is empty"]),
    ],
)
def test_a_reference_outside_the_folder_is_refused_naming_it(
    tmp_path: Path, field: str, value: str, words: list[str]
) -> None:
    doc = _doc()
    _set(field, value)(doc)
    message = _refused(_folder(tmp_path, doc))
    for word in words:
        assert word in message, (word, message)


def test_a_reference_that_links_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _doc())
    (folder / "media" / "ref2.png").symlink_to(_secret(tmp_path))
    message = _refused(folder)
    assert "reference image 2 of shot 1" in message and "link to" in message and "outside" in message


def test_a_media_folder_that_links_out_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "clip0.mp4").write_bytes(b"x")
    folder = tmp_path / "Linked.shotline"
    folder.mkdir()
    (folder / "project.json").write_text(_text(_doc()))
    (folder / "media").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ProjectCorrupt) as caught:  # refused before the lock or anything else is written
        ProjectSession.open(folder).close()
    assert str(caught.value).startswith(f"The project folder is damaged: its media is a link to {str(elsewhere)!r}")


def test_links_that_stay_inside_the_folder_open(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _doc())
    (folder / "media" / "clip0.mp4").write_bytes(b"x")
    (folder / "media" / "clip1.mp4").symlink_to("clip0.mp4")
    assert len(_opened(folder).shots) == 3


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_reference_that_is_not_a_plain_file_is_refused(tmp_path: Path, kind: str) -> None:
    folder = _folder(tmp_path, _doc())
    target = folder / "media" / "music.wav"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    message = _refused(folder)  # a FIFO is never opened: reading one would wait forever
    assert "sound clip 1" in message and "not a plain file" in message


def test_missing_media_still_opens_for_relinking(tmp_path: Path) -> None:
    with ProjectSession.open(_folder(tmp_path, _doc())) as session:
        assert "media/clip0.mp4" in session.bundle.missing_media(session.project)


def test_check_references_is_what_an_unpacked_archive_is_held_to(tmp_path: Path) -> None:
    """The function the archive reader calls after unpacking: names checked, then links and kinds on disk."""
    from shotline.storage import references

    folder = _folder(tmp_path, _doc())
    references.check_references(sample_project(shots=3), folder)
    (folder / "media" / "first.png").symlink_to(_secret(tmp_path))
    with pytest.raises(ProjectCorrupt, match="first frame of shot 1"):
        references.check_references(sample_project(shots=3), folder)


def test_a_backup_or_autosave_that_refers_outside_is_not_offered(tmp_path: Path) -> None:
    with ProjectBundle.create(tmp_path / "Film.shotline", sample_project()) as bundle:
        bundle.save(sample_project(title="second save"))
        assert bundle.latest_backup() is not None
        (bundle.media_dir / "clip0.mp4").symlink_to(_secret(tmp_path))
        assert bundle.latest_backup() is None
        bundle.recovery_file.write_bytes(schema.dumps(sample_project(title="autosaved")))
        assert bundle.recovery() is None


def test_restore_offers_no_backup_that_refers_outside(tmp_path: Path) -> None:
    """`shotline restore` and the window's offer list backups as opening would judge them, links included."""
    from shotline.services.restore import backup_for_damaged, list_backups

    path = tmp_path / "Film.shotline"
    with ProjectBundle.create(path, sample_project()) as bundle:
        bundle.save(sample_project(title="second save"))
    (path / "media" / "clip0.mp4").symlink_to(_secret(tmp_path))
    entries = list_backups(path)
    assert entries and all("outside the project folder" in entry.problem for entry in entries)
    assert backup_for_damaged(path) is None


# ---------------------------------------------------------------------------------------------- values (classes 3-5)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_set("shots.0.gain_db", 10**400), ["shots[0].gain_db", "401-digit number", "(shot 1)"]),
        (_set("shots.0.takes.0.info.duration_us", 10**400), ["duration_us", "401-digit"]),
        (_set("shots.0.gain_db", _RAW + "1e400"), ["shots[0].gain_db", "infinite"]),
        (_set("shots.0.generation.options.motion", _RAW + "-1e999"), ["options.motion", "infinite"]),
        (_set("shots.1.gain_db", 1e300), ["shots[1].gain_db", "between -120 and 120"]),
        (_set("settings.fps", "1/1000000"), ["settings.fps", "from 1 to 240"]),
        (_set("shots.0.takes.0.info.fps", "1/999999999999"), ["shots[0].takes[0].info.fps", "shot 1, take 1"]),
        (_set("settings.fps", "1000000/1"), ["settings.fps", "'1000000/1'"]),
        (_set("settings.sample_rate", 10**9), ["settings.sample_rate", "at most 192000"]),
        (_set("settings.sample_rate", 1), ["settings.sample_rate", "at least 8000"]),
        (_set("settings.size", "16000x16000"), ["settings.size", "16 to 8192 pixels"]),
        (_set("shots.0.takes.0.info.size", "16000x16000"), ["info.size", "1 to 8192 pixels"]),
        (_set("shots.0.takes.0.trim.out_us", 7 * 24 * 3600 * 10**6), ["trim.out_us", "longer than a project allows"]),
        (_set("audio.0.start_us", DAY_US + 1), ["audio[0].start_us", "longer than a project allows"]),
        (_set("shots.0.takes.0.trim", {"in_us": 6_000_000, "out_us": 7_000_000}), ["after its clip ends"]),
        (_set("audio.0.trim", {"in_us": 9_000_000, "out_us": 9_500_000}), ["audio[0].trim", "after its clip ends"]),
        (_set("shots.0.takes.0.trim", {"in_us": 1000, "out_us": 1000}), ["keeps nothing"]),
        (_set("settings.budget", "1E+999999999"), ["settings.budget", "amount"]),
        (_set("shots.0.takes.0.info.rotation", 10**12), ["rotation"]),
        (_set("lanes.1.duck_db", 6.0), ["lanes[1].duck_db", "audio lane 2"]),
    ],
)
def test_a_runaway_or_unreadable_value_is_refused_naming_it(
    tmp_path: Path, change: Callable[[Doc], None], words: list[str]
) -> None:
    doc = _doc()
    change(doc)
    message = _refused(_folder(tmp_path, doc))
    for word in words:
        assert word in message, (word, message)


def test_a_project_file_larger_than_any_project_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sparse 1 GiB project.json would once have been read (and parsed) whole; now reading stops past the limit,
    here made small so the test needs no memory for it."""
    folder = _folder(tmp_path, _doc())
    with (folder / "project.json").open("r+b") as grown:
        grown.truncate(1 << 30)
    monkeypatch.setattr(schema, "MAX_FILE_BYTES", 64 * 1024)
    assert "larger than any project can be" in _refused(folder)


def test_a_lone_surrogate_in_a_title_is_refused_naming_it(tmp_path: Path) -> None:
    doc = _doc()
    doc["shots"][1]["title"] = "Dawn \ud800"  # json.dumps writes it as the escape \ud800, which json.loads accepts
    message = _refused(_folder(tmp_path, doc))
    assert "shots[1].title" in message and "half of a character" in message and "(shot 2)" in message


def test_text_with_half_a_character_is_never_saved(tmp_path: Path) -> None:
    """The same rule on the way out: a title with a lone surrogate (pasted, say) stops the save with a message, where
    encoding it once escaped as a UnicodeEncodeError; the file on disk stays as it was."""
    with ProjectBundle.create(tmp_path / "Film.shotline", sample_project()) as bundle:
        before = bundle.project_file.read_bytes()
        with pytest.raises(SaveFailed, match="cannot be saved"):
            bundle.save(replace(sample_project(), title="Dawn \ud800"))
        assert bundle.project_file.read_bytes() == before


def test_a_trim_running_past_its_clip_ends_with_the_clip(tmp_path: Path) -> None:
    """Past the clip's end there is nothing to lose, so the trim is cut back rather than the project refused; an
    export then ends the shot with its clip instead of filling an hour with black."""
    doc = _doc()
    doc["shots"][0]["takes"][0]["trim"]["out_us"] = 3600 * 10**6
    doc["audio"][0]["trim"]["out_us"] = 3600 * 10**6
    project = _opened(_folder(tmp_path, doc))
    assert project.shots[0].takes[0].trim.out_us == project.shots[0].takes[0].info.duration_us == 5_005_000
    assert project.audio[0].trim.out_us == 9_000_000


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_set("shots.1.id", "shot-0"), ["shots[1].id is 'shot-0', the same as shots[0].id", "(shot 2)"]),
        (_set("shots.2.takes.0.id", "take-0"), ["shots[2].takes[0].id", "the same as shots[0].takes[0].id"]),
        (_set("shots.0.takes.1.id", "take-0"), ["shots[0].takes[1].id", "takes each need their own id"]),
        (lambda doc: doc["audio"].append(dict(doc["audio"][0])), ["audio[1].id", "sound clips each need"]),
        (lambda doc: doc["assets"].append(dict(doc["assets"][0])), ["assets[1].id", "library"]),
        (_set("lanes.1.id", "clips"), ["lanes[1].id", "audio lanes each need"]),
        (_set("audio.0.lane", "nowhere"), ["audio[0].lane is 'nowhere'", "does not have"]),
    ],
)
def test_duplicate_ids_are_refused(tmp_path: Path, change: Callable[[Doc], None], words: list[str]) -> None:
    doc = _doc()
    change(doc)
    message = _refused(_folder(tmp_path, doc))
    for word in words:
        assert word in message, (word, message)


# ---------------------------------------------------------------------------------------------- the command line


_LIMITED = ["prlimit", f"--as={2 << 30}", "--cpu=60", "--"] if shutil.which("prlimit") else []
"""At most 2 GiB of address space and 60 s of CPU for the child, so a runaway load dies instead of the machine; set by
util-linux's prlimit (where there is one), not a `preexec_fn`: Python run between fork and exec in a test worker with
other threads can hang the child (tests.clean_fork)."""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_set("shots.0.takes.0.media", "media/a\x00b.mp4"), "shots[0].takes[0].media holds a zero character"),
        (_set("shots.0.gain_db", 10**400), "shots[0].gain_db is a 401-digit number"),
        (_set("title", "\udc80 film"), "title is not valid text"),
        (_set("settings.fps", "1/999999999999"), "settings.fps should be a rate from 1 to 240"),
        (_set("shots.0.generation.first_frame", "/etc/passwd"), "the first frame of shot 1"),
        (_set("settings.sample_rate", 10**9), "settings.sample_rate should be at most 192000"),
        (_set("shots.1.id", "shot-0"), "shots[1].id is 'shot-0'"),
    ],
)
def test_info_on_a_hostile_project_says_it_is_damaged_without_a_traceback(
    tmp_path: Path, change: Callable[[Doc], None], words: str
) -> None:
    doc = _doc()
    change(doc)
    folder = _folder(tmp_path, doc)
    done = subprocess.run(
        [*_LIMITED, sys.executable, "-m", "shotline", "info", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith("Error: The project file is damaged: "), done.stderr
    assert words in done.stderr, done.stderr


# ---------------------------------------------------------------------------------------------- any mutation


_ODD_NUMBERS = [0, -1, 1, 2**31, 2**63, 2**64, 10**9, 10**400, -(10**400), DAY_US + 1, 1e300, -1e300, 5e-324]
_ODD_TEXT = [
    "",
    "\x00",
    "media/clip\x00.mp4",
    "\ud800",
    "a\udfffb",
    "/etc/passwd",
    "../../outside.mp4",
    "media/../../x.png",
    "C:\\Windows\\win.ini",
    "media/",
    ".",
    "jobs.sqlite",
    "1/0",
    "0/1",
    "1/999999999999",
    "999999999999/1",
    "1000000/1",
    "99999x99999",
    "0x0",
    "1E+999999999",
    "-1E-999999999",
    "crossfade",
    "shot-0",
    "take-0",
    "imp-0",
    "music",
    "clips",
]
_RAW_TOKENS = [_RAW + token for token in ("NaN", "Infinity", "-Infinity", "1e400", "-1e400")]
_NUMBERS: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(_ODD_NUMBERS + _RAW_TOKENS), st.integers(), st.floats(allow_nan=False, allow_infinity=False)
)
_TEXTS: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(_ODD_TEXT),
    st.text(max_size=12),
    st.fractions().map(str),
    st.builds("{}x{}".format, st.integers(0, 10**6), st.integers(0, 10**6)),
)
_ANYTHING: st.SearchStrategy[object] = st.one_of(
    _NUMBERS, _TEXTS, st.sampled_from([None, True, False, [], {}, [[[[[[[[[[1]]]]]]]]]], {"id": "shot-0"}])
)
_DELETE = object()
_NEST = object()


def _hostile_like(value: object) -> st.SearchStrategy[object]:
    """A hostile value of the same JSON kind as `value` (past the type checks, into the bounds), or of any kind."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _NUMBERS
    if isinstance(value, str):
        return _TEXTS
    return _ANYTHING


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A real project's JSON with one to four fields anywhere in it replaced by a hostile value, removed, or wrapped
    in deep nesting; written as text, with _RAW tokens bare."""
    doc: Any = _doc()
    for _ in range(draw(st.integers(1, 4))):
        node = doc
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            if isinstance(node[key], dict | list) and node[key] and draw(st.booleans()):
                node = node[key]
                continue
            how = draw(st.sampled_from(["like"] * 6 + ["any", "any", "delete", "nest"]))
            if how == "delete" and isinstance(node, dict):
                del node[key]
            elif how == "nest":
                node[key] = json.loads("[" * 40 + json.dumps(node[key]) + "]" * 40)
            elif how in ("like", "any"):
                node[key] = draw(_hostile_like(node[key]) if how == "like" else _ANYTHING)
            break
    return _text(doc)


@contextlib.contextmanager
def _address_space(headroom: int) -> Iterator[None]:
    """This process may map at most `headroom` bytes more than it has now, until the block ends."""
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (size + headroom, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_mutated())
def test_any_mutated_project_opens_or_is_refused_as_damaged(text: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = _folder(Path(scratch), text)
        try:
            with _address_space(256 << 20), ProjectSession.open(folder) as session:
                project = session.project
                report = project_report(project, session.bundle.missing_media(project))
        except (ProjectCorrupt, ProjectTooNew) as refused:
            message = str(refused)
            assert message.startswith(("The project file is damaged: ", "This project")), message
            assert "cannot read (" not in message, f"a value passed the schema's checks unnamed: {message}"
            return
        # What opened is what the checks promise: it saves and opens again, every reference stays inside, and
        # every trim lies inside its clip.
        assert schema.loads(schema.dumps(project)) == project
        assert report["frames"] >= 0
        for path in project.media_paths():
            resolved = (folder / path).resolve()
            assert resolved.is_relative_to(folder.resolve()) and resolved != folder.resolve(), path
        for clip in [*project.all_takes(), *project.audio]:
            assert 0 <= clip.trim.in_us < clip.trim.out_us <= clip.info.duration_us <= DAY_US
