"""`shotline export --c2pa`: with an identity the film carries a signed C2PA manifest naming each take and its
backend; without one the command fails with exit 1 before rendering and the previous file stays as it was; without
--c2pa nothing changes."""

from __future__ import annotations

from pathlib import Path

import c2pa
import pytest

from shotline.media.content_credentials import AI_GENERATED, ASSERTION_LABEL
from shotline.services.content_credentials import ENV_CERT, ENV_KEY
from tests.cli.shotline_cli import info, ok, probe_export, shotline
from tests.signing import ISSUER, SIGNER, identity_files

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

NO_IDENTITY = {ENV_CERT: "", ENV_KEY: ""}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project: four shots, each an animatic take (generated offline by the animatic backend)."""
    folder = tmp_path_factory.mktemp("c2pa")
    ok("demo", "--project", folder / "demo.shotline")
    return folder / "demo.shotline"


def test_export_c2pa_signs_the_film_with_its_takes(demo: Path, tmp_path: Path) -> None:
    chain, key = identity_files(tmp_path / "identity")
    out = tmp_path / "film.mp4"
    printed = ok("export", demo, "-o", out, "--c2pa", env={ENV_CERT: str(chain), ENV_KEY: str(key)})
    assert f"C2PA: signed by {SIGNER} ({ISSUER})" in printed

    with c2pa.Reader(str(out)) as reader:
        manifest = reader.get_active_manifest()
        failures = {status["code"] for status in reader.get_validation_results()["activeManifest"]["failure"]}
    assert manifest is not None and failures == {"signingCredential.untrusted"}
    shots = info(demo)["shots"]
    assert len(manifest["ingredients"]) == len(shots)
    data = {entry["label"].split(".v")[0]: entry["data"] for entry in manifest["assertions"]}
    assert data["c2pa.actions"]["actions"][0]["digitalSourceType"] == AI_GENERATED
    recorded = data[ASSERTION_LABEL]["shots"]
    assert [entry["backend"] for entry in recorded] == ["animatic"] * len(shots)
    assert all(entry["prompt"] and entry["model"] for entry in recorded)
    assert probe_export(out).frames > 0


@pytest.mark.parametrize("identity", ["none", "refused"])
def test_export_c2pa_without_a_usable_identity_fails_and_leaves_the_file(
    demo: Path, tmp_path: Path, identity: str
) -> None:
    env = NO_IDENTITY
    if identity == "refused":
        chain, key = identity_files(tmp_path / "identity", usable=False)
        env = {ENV_CERT: str(chain), ENV_KEY: str(key)}
    out = tmp_path / "film.mp4"
    out.write_bytes(b"the previous export")

    result = shotline("export", demo, "-o", out, "--c2pa", env=env)

    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert "C2PA: not signed (" in result.err
    assert ("no signing identity" if identity == "none" else "certificate is invalid") in result.err
    assert "Nothing was exported" in result.err
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name != "identity"] == ["film.mp4"]  # no sidecar, no partial


def test_export_without_c2pa_is_unchanged(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "film.mp4"
    result = shotline("export", demo, "-o", out, env=NO_IDENTITY, timeout=240)
    assert result.code == 0, result.err
    assert "C2PA" not in result.out + result.err
    assert c2pa.Reader.try_create(str(out)) is None
    assert probe_export(out).frames > 0
