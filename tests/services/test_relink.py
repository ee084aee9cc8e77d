"""Relinking (issue 14, point 16): every missing file is found in one chosen folder by its name, checked to be the
same file, and copied back where the project expects it; project.json is not touched."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from shotline.core import commands
from shotline.core.model import MUSIC_LANE, GenerationSettings
from shotline.services import relink
from shotline.services.context import AppContext, open_context
from shotline.services.editing import add_shot
from shotline.services.generation import GenerationService
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.services.sound import add_sound
from shotline.storage.secrets import MemorySecretStore
from tests.clips import make_clip
from tests.media.sound import tone


@pytest.fixture
def app_context() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


def project_with_missing_media(ctx: AppContext, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A project with an imported clip, a generated take and a music clip, whose files then go missing; the copies
    the creator still has are returned by the name they have there."""
    sources = tmp_path / "sources"
    sources.mkdir()
    clip = make_clip(sources / "harbour.mp4", seconds=1.0, colour="blue")
    music = tone(sources / "theme.wav", hz=330, seconds=2.0)
    path = tmp_path / "film.shotline"
    with ProjectSession.create(path, title="Relink") as session:
        import_files(session, [clip])
        shot = add_shot(session, "A gull", generation=GenerationSettings(duration_us=1_000_000))
        generation = GenerationService(ctx, session)
        for job in generation.run(generation.prepare([shot.id])):
            generation.attach(job.handle.result(timeout=120))
        add_sound(session, music, MUSIC_LANE)
        session.execute(commands.set_title(shot.id, "Gull"))
        session.save()
        project = session.project
    kept = tmp_path / "elsewhere"
    (kept / "deep").mkdir(parents=True)
    generated = project.shots[1].picked_take
    assert generated is not None
    shutil.copy(path / generated.media, kept / "deep" / Path(generated.media).name)  # an old media/ folder copy
    shutil.copy(clip, kept / "harbour.mp4")  # the creator's own files, by the names they imported them with
    shutil.copy(music, kept / "theme.wav")
    for rel in project.media_paths():
        (path / rel).unlink()
    return path, {"harbour": kept / "harbour.mp4", "theme": kept / "theme.wav"}


def test_every_missing_file_is_found_by_name_and_put_back(app_context: AppContext, tmp_path: Path) -> None:
    path, _ = project_with_missing_media(app_context, tmp_path)
    before = (path / "project.json").read_bytes()
    with ProjectSession.open(path) as session:
        missing = relink.missing_media(session.bundle, session.project)
        assert {m.name for m in missing} >= {"harbour.mp4", "theme.wav"} and len(missing) == 3
        search = relink.find(missing, tmp_path / "elsewhere")
        assert not search.not_found
        copied = relink.relink(session.bundle, search.found)
        assert sorted(copied) == sorted(m.media for m in missing)
        assert session.bundle.missing_media(session.project) == []
        assert "Relinked 3 files" in relink.summary(search, copied)
    assert (path / "project.json").read_bytes() == before  # nothing to undo, nothing to save


def test_a_file_with_the_right_name_but_other_content_is_not_taken(app_context: AppContext, tmp_path: Path) -> None:
    path, kept = project_with_missing_media(app_context, tmp_path)
    make_clip(kept["harbour"], seconds=1.0, colour="red")  # same name, another clip: its hash differs
    tone(kept["theme"], hz=330, seconds=5.0)  # same name, another length
    with ProjectSession.open(path) as session:
        missing = relink.missing_media(session.bundle, session.project)
        search = relink.find(missing, tmp_path / "elsewhere")
        assert {m.name for m in search.not_found} == {"harbour.mp4", "theme.wav"}
        assert len(search.found) == 1
        text = relink.summary(search, relink.relink(session.bundle, search.found))
        assert text.startswith("Relinked 1 file ") and "Still missing: " in text and "harbour.mp4" in text
