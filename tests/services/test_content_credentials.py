"""Where the C2PA signing identity comes from (the settings' PEM files, or SHOTLINE_C2PA_CERT / SHOTLINE_C2PA_KEY for
one run), every reason there is none said plainly, and an export through the service signed with it."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import c2pa
import pytest

from shotline.core.model import Size
from shotline.services.content_credentials import ENV_CERT, ENV_KEY, CannotSign, signing_identity
from shotline.services.context import AppContext, open_context
from shotline.services.export import plan, start_export
from shotline.services.importing import import_files
from shotline.services.session import ProjectSession
from shotline.storage.secrets import MemorySecretStore
from tests.clips import make_clip
from tests.signing import ISSUER, SIGNER, identity_files


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    with open_context(secrets=MemorySecretStore()) as context:
        yield context


def configure(ctx: AppContext, chain: Path | str, key: Path | str) -> None:
    ctx.settings = dataclasses.replace(ctx.settings, c2pa_identity={"certificate": str(chain), "private_key": str(key)})


def test_the_settings_name_the_identity(ctx: AppContext, tmp_path: Path) -> None:
    configure(ctx, *identity_files(tmp_path))
    identity = signing_identity(ctx, environ={})
    assert identity.signer == f"{SIGNER} ({ISSUER})"
    assert identity.algorithm == "es256" and identity.timestamp_url is None
    assert "PRIVATE KEY" not in repr(identity)


def test_the_environment_overrides_the_settings_for_one_run(ctx: AppContext, tmp_path: Path) -> None:
    configure(ctx, *identity_files(tmp_path / "refused", usable=False))
    with pytest.raises(CannotSign, match="certificate is invalid"):
        signing_identity(ctx, environ={})
    chain, key = identity_files(tmp_path / "good")
    assert signing_identity(ctx, environ={ENV_CERT: str(chain), ENV_KEY: str(key)}).signer.startswith(SIGNER)


def test_no_identity_says_where_to_set_one_up(ctx: AppContext) -> None:
    with pytest.raises(CannotSign) as refused:
        signing_identity(ctx, environ={})
    message = str(refused.value)
    assert "no signing identity" in message
    assert ENV_CERT in message and ENV_KEY in message and str(ctx.settings_store.path) in message


def test_an_unreadable_file_is_named(ctx: AppContext, tmp_path: Path) -> None:
    chain, _ = identity_files(tmp_path)
    missing = tmp_path / "nowhere" / "key.pem"
    with pytest.raises(CannotSign, match=f"the private key {missing} cannot be read"):
        signing_identity(ctx, environ={ENV_CERT: str(chain), ENV_KEY: str(missing)})


def test_without_c2pa_there_is_no_identity(ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configure(ctx, *identity_files(tmp_path))
    monkeypatch.setitem(sys.modules, "c2pa", None)  # makes `import c2pa` fail as if it were not installed
    with pytest.raises(
        CannotSign, match=r"c2pa-python package is not installed \(pip install 'shotline\[c2pa\]' adds it\)"
    ):
        signing_identity(ctx, environ={})


@pytest.mark.ffmpeg
def test_the_export_service_signs_and_finishes_its_progress_after_signing(ctx: AppContext, tmp_path: Path) -> None:
    configure(ctx, *identity_files(tmp_path / "identity"))
    identity = signing_identity(ctx, environ={})
    with ProjectSession.create(tmp_path / "film.shotline", size=Size(320, 180)) as session:
        clip = make_clip(tmp_path / "dawn.mp4", seconds=1, size=(320, 180), fps="24", audio=(48000, 2), gop=24)
        import_files(session, [clip])
        out = tmp_path / "film.mp4"
        seen: list[float] = []
        report = start_export(ctx, session, plan(session), out, seen.append, identity=identity).result(timeout=120)
    assert report.signed_by == identity.signer
    assert seen[-1] == 1.0 and max(seen[:-1]) < 1.0
    with c2pa.Reader(str(out)) as reader:
        manifest = reader.get_active_manifest()
    assert manifest is not None and [i["relationship"] for i in manifest["ingredients"]] == ["componentOf"]


def test_with_nothing_set_up_c2pa_is_not_even_imported(tmp_path: Path) -> None:
    # Importing c2pa loads its large native library holding the GIL; the export dialog asks this as it opens, and
    # a cold-disk import stalled the window for 0.6 s in CI.
    probe = (
        "import sys\n"
        "from shotline.services.content_credentials import CannotSign, signing_identity\n"
        "from pathlib import Path\n"
        "from types import SimpleNamespace\n"
        "from shotline.storage.settings import AppSettings\n"
        "ctx = SimpleNamespace(settings=AppSettings(), settings_store=SimpleNamespace(path=Path('settings.json')))\n"
        "try:\n"
        "    signing_identity(ctx, environ={})\n"
        "except CannotSign as reason:\n"
        "    print('refused:', reason)\n"
        "print('c2pa imported:', 'c2pa' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SHOTLINE_CONFIG_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "refused: no signing identity is set up" in done.stdout
    assert "c2pa imported: False" in done.stdout
