"""The frozen app does what the installed one does: the parts PyInstaller can silently leave out (entry-point
metadata for the backends and keyring's backends, c2pa's ctypes library, the zip and hashing code sharing uses) are
exercised through the built program itself.

tests/run.sh builds the app (packaging/build-linux.sh) after the main run and then runs these with
SHOTLINE_FROZEN_APP pointing at it; without that variable they are skipped.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Mapping
from pathlib import Path

import c2pa
import keyring
import pytest

from shotline.backends.builtin import BUILTIN_SPECS
from shotline.backends.catalogue import shipped
from shotline.services.content_credentials import ENV_CERT, ENV_KEY
from tests.signing import SIGNER, identity_files

pytestmark = [pytest.mark.frozen, pytest.mark.ffmpeg]

FROZEN = os.environ.get("SHOTLINE_FROZEN_APP", "")


@pytest.fixture(scope="module")
def program() -> Path:
    if not FROZEN:
        pytest.skip("no frozen app: tests/run.sh builds one and sets SHOTLINE_FROZEN_APP")
    path = Path(FROZEN)
    assert path.is_file() and os.access(path, os.X_OK), f"SHOTLINE_FROZEN_APP is not a program: {path}"
    return path


def frozen(program: Path, *args: object, cwd: Path, env: Mapping[str, str] = {}, stdin: str = "") -> str:
    """Run the frozen `shotline`; fail with its output unless it exits 0; return stdout."""
    done = subprocess.run(
        [str(program), *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
    )
    assert done.returncode == 0, f"frozen shotline {args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def demo(program: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("frozen")
    frozen(program, "demo", "--project", folder / "demo.shotline", cwd=folder)
    return folder / "demo.shotline"


def test_the_frozen_app_finds_every_builtin_backend(program: Path, tmp_path: Path) -> None:
    listed = frozen(program, "backends", cwd=tmp_path)
    missing = [spec.info.id for spec in BUILTIN_SPECS if spec.info.id not in listed]
    assert not missing, f"the frozen app lost the entry points of {missing}:\n{listed}"


def test_the_frozen_app_carries_the_model_catalogue(program: Path, tmp_path: Path) -> None:
    """resources/catalogue travels in the app (as resources/ does, shotline/_resources): every built-in backend
    offers the models its catalogue file declares, where a lost file would leave it none."""
    rows = {row["id"]: row for row in json.loads(frozen(program, "backends", "--json", cwd=tmp_path))}
    for spec in BUILTIN_SPECS:
        shipped_models = shipped().models(spec.info.id)
        # clips, stills, voices and music, as `backends` lists them (ElevenLabs makes voices only)
        kinds = {
            "models": shipped_models.infos(),
            "stills": shipped_models.stills(),
            "voices": shipped_models.voices(),
            "music": shipped_models.music(),
        }
        assert any(kinds.values()), f"{spec.info.id} declares no model"
        for listed, declared in kinds.items():
            offered = [model["id"] for model in rows[spec.info.id].get(listed, [])]
            assert offered == [model.id for model in declared], (spec.info.id, listed)


@pytest.mark.real_keyring
def test_the_frozen_app_stores_keys_in_the_system_keyring(program: Path, tmp_path: Path) -> None:
    key = "frozen-" + secrets.token_hex(8)
    frozen(program, "keys", "set", "runway", cwd=tmp_path, stdin=key + "\n")
    try:
        assert keyring.get_password("shotline", "runway") == key
        assert "keyring" in frozen(program, "keys", "status", "runway", cwd=tmp_path).lower()
    finally:
        frozen(program, "keys", "delete", "runway", cwd=tmp_path)
    assert keyring.get_password("shotline", "runway") is None


def test_a_frozen_export_carries_provenance_and_content_credentials(program: Path, demo: Path, tmp_path: Path) -> None:
    chain, key = identity_files(tmp_path / "identity")
    out = tmp_path / "film.mp4"
    identity = {ENV_CERT: str(chain), ENV_KEY: str(key)}
    printed = frozen(program, "export", demo, "-o", out, "--c2pa", cwd=tmp_path, env=identity)
    assert f"C2PA: signed by {SIGNER}" in printed

    sidecar = json.loads(out.with_name(out.name + ".provenance.json").read_text())
    shots = json.loads(frozen(program, "info", demo, "--json", cwd=tmp_path))["shots"]
    assert [shot["prompt"] for shot in sidecar["shots"]] == [shot["prompt"] for shot in shots]
    assert {shot["backend"] for shot in sidecar["shots"]} == {"animatic"}
    with c2pa.Reader(str(out)) as reader:
        manifest = reader.get_active_manifest()
    assert manifest is not None and len(manifest["ingredients"]) == len(shots)


def test_a_frozen_share_opens_in_the_frozen_app(program: Path, demo: Path, tmp_path: Path) -> None:
    archive = tmp_path / "demo.shotline.zip"
    frozen(program, "share", demo, "-o", archive, cwd=tmp_path)
    (tmp_path / "opened").mkdir()
    frozen(program, "unpack", archive, "--to", tmp_path / "opened", cwd=tmp_path)
    opened = next((tmp_path / "opened").glob("*.shotline"), tmp_path / "opened")
    before = json.loads(frozen(program, "info", demo, "--json", cwd=tmp_path))
    after = json.loads(frozen(program, "info", opened, "--json", cwd=tmp_path))
    assert [shot["prompt"] for shot in after["shots"]] == [shot["prompt"] for shot in before["shots"]]
