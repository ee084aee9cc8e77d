"""Content Credentials: an export signed with a throw-away CA carries a C2PA manifest that c2pa reads back: the film
marked as AI-generated, one ingredient per take used, each shot's backend, model and prompt; the film still plays;
a changed byte breaks the hash; a failed or cancelled signing leaves the previous file alone and nothing behind."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import c2pa
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shotline.core.model import Codec, Origin, Project
from shotline.media.content_credentials import (
    AI_GENERATED,
    ASSERTION_LABEL,
    COMPOSITE,
    PARTLY_AI_GENERATED,
    CannotSign,
    SigningIdentity,
    load_identity,
    mime_type,
    missing_library,
    source_type,
)
from shotline.media.plan import plan_export
from shotline.media.provenance import sidecar_path
from tests.media.test_provenance import SECRET, SMALL, cancel_mid_render, export, film
from tests.signing import ISSUER, SIGNER, identity_pem

pytestmark = pytest.mark.ffmpeg

UNTRUSTED = "signingCredential.untrusted"
"""The one failure expected: the throw-away CA is on no trust list."""


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return load_identity(*identity_pem())


def manifest_of(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(active manifest, validation results) as c2pa reads them from `path`."""
    with c2pa.Reader(str(path)) as reader:
        manifest = reader.get_active_manifest()
        results = reader.get_validation_results()
    assert manifest is not None and results is not None
    return manifest, results["activeManifest"]


def codes(results: dict[str, Any], kind: str) -> set[str]:
    return {status["code"] for status in results.get(kind, [])}


def assertion(manifest: dict[str, Any], label: str) -> dict[str, Any]:
    found = [entry["data"] for entry in manifest["assertions"] if entry["label"].split(".v")[0] == label]
    assert len(found) == 1, [entry["label"] for entry in manifest["assertions"]]
    data: dict[str, Any] = found[0]
    return data


def frames_decoded(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".partial-" in p.name]


def test_a_signed_export_names_its_takes_and_marks_the_film_ai_generated(
    tmp_path: Path, identity: SigningIdentity
) -> None:
    project = film(tmp_path)
    out = tmp_path / "film.mp4"
    report = export(project, replace(SMALL, lossless=False), out, identity=identity)
    assert report.route == "re-encode"
    assert report.signed_by == f"{SIGNER} ({ISSUER})"

    manifest, results = manifest_of(out)
    assert manifest["title"] == "film.mp4"
    assert manifest["signature_info"]["common_name"] == SIGNER
    assert manifest["claim_generator_info"][0]["name"] == "Shotline"
    assert codes(results, "failure") == {UNTRUSTED}
    assert {"claimSignature.validated", "assertion.bmffHash.match"} <= codes(results, "success")

    takes = [shot.takes[0] for shot in project.shots]
    ingredients = manifest["ingredients"]
    assert [i["title"] for i in ingredients] == [Path(take.media).name for take in takes]
    assert all(i["relationship"] == "componentOf" and i["format"] == "video/mp4" for i in ingredients)

    actions = assertion(manifest, "c2pa.actions")["actions"]
    assert actions[0]["action"] == "c2pa.created"
    assert actions[0]["digitalSourceType"] == AI_GENERATED
    placed = [action for action in actions if action["action"] == "c2pa.placed"]
    assert [action["digitalSourceType"] for action in placed] == [AI_GENERATED, AI_GENERATED]
    placed_urls = [action["parameters"]["ingredients"][0]["url"] for action in placed]
    assert [url.rsplit("/", 1)[1] for url in placed_urls] == [i["label"] for i in ingredients]
    assert actions[-1]["action"] == "c2pa.edited"

    shots = assertion(manifest, ASSERTION_LABEL)["shots"]
    assert [(s["backend"], s["model"]) for s in shots] == [("runway", "gen4_turbo"), ("veo", "veo-3.0-fast")]
    assert [s["prompt"] for s in shots] == [shot.prompt for shot in project.shots]

    assert frames_decoded(out) == planned_frames(project, tmp_path)
    assert json.loads(sidecar_path(out).read_text(encoding="utf-8"))["shots"] == shots
    signed = out.read_bytes()
    assert SECRET.encode() not in signed
    assert _key_body(identity) not in signed
    assert leftovers(tmp_path) == []


def planned_frames(project: Project, root: Path) -> int:
    return plan_export(project, SMALL, root.joinpath).frames


def _key_body(identity: SigningIdentity) -> bytes:
    """The secret number of the signer's key, which no encoding of the key can leave out."""
    key = serialization.load_pem_private_key(identity.private_key, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.private_numbers().private_value.to_bytes(32, "big")


def test_the_lossless_route_is_signed_too(tmp_path: Path, identity: SigningIdentity) -> None:
    project = film(tmp_path)
    out = tmp_path / "film.mp4"
    report = export(project, SMALL, out, identity=identity)
    assert report.route == "lossless", report.reasons
    manifest, results = manifest_of(out)
    assert codes(results, "failure") == {UNTRUSTED}
    assert len(manifest["ingredients"]) == 2
    assert frames_decoded(out) == planned_frames(project, tmp_path)


@pytest.mark.parametrize(("codec", "suffix"), [(Codec.PRORES, ".mov"), (Codec.WAV, ".wav"), (Codec.M4A, ".m4a")])
def test_mov_and_sound_only_exports_are_signed(
    tmp_path: Path, identity: SigningIdentity, codec: Codec, suffix: str
) -> None:
    project = film(tmp_path)
    out = tmp_path / f"film{suffix}"
    export(project, replace(SMALL, codec=codec, lossless=False), out, identity=identity)
    manifest, results = manifest_of(out)
    assert codes(results, "failure") == {UNTRUSTED}
    assert len(manifest["ingredients"]) == 2
    assert [s["backend"] for s in assertion(manifest, ASSERTION_LABEL)["shots"]] == ["runway", "veo"]
    with av.open(str(out)) as container:
        assert container.streams.audio and container.duration


def test_a_changed_byte_after_signing_breaks_the_hash(tmp_path: Path, identity: SigningIdentity) -> None:
    project = film(tmp_path)
    out = tmp_path / "film.mp4"
    export(project, replace(SMALL, lossless=False), out, identity=identity)
    data = bytearray(out.read_bytes())
    data[data.index(b"mdat") + 64] ^= 0xFF
    out.write_bytes(bytes(data))
    _, results = manifest_of(out)
    assert "assertion.bmffHash.mismatch" in codes(results, "failure")


def test_without_an_identity_the_export_has_no_manifest(tmp_path: Path) -> None:
    project = film(tmp_path)
    out = tmp_path / "film.mp4"
    report = export(project, replace(SMALL, lossless=False), out)
    assert report.signed_by is None
    assert c2pa.Reader.try_create(str(out)) is None


def test_a_mixed_film_is_partly_ai_generated_and_an_imported_one_is_not_at_all() -> None:
    generated, imported = {"origin": Origin.GENERATED.value}, {"origin": Origin.IMPORTED.value}
    assert source_type({"shots": [generated, generated]}) == AI_GENERATED
    assert source_type({"shots": [generated, imported]}) == PARTLY_AI_GENERATED
    assert source_type({"shots": [imported]}) == COMPOSITE


def test_a_signing_that_fails_leaves_the_previous_export_and_nothing_else(tmp_path: Path) -> None:
    project = film(tmp_path)
    out = tmp_path / "film.mp4"
    out.write_bytes(b"the previous export")
    _, key_pem = identity_pem()
    # not through load_identity, which would have refused it before rendering
    broken = SigningIdentity(b"not a certificate", key_pem, "es256", "nobody")
    with pytest.raises(CannotSign, match="c2pa refused to sign"):
        export(project, replace(SMALL, lossless=False), out, identity=broken)
    assert out.read_bytes() == b"the previous export"
    assert not sidecar_path(out).exists()
    assert leftovers(tmp_path) == []


def test_a_cancelled_signed_export_leaves_nothing_behind(tmp_path: Path, identity: SigningIdentity) -> None:
    out = tmp_path / "film.mp4"

    def written_in_staging() -> None:
        assert any(".signing" in name for name in leftovers(tmp_path)), "the film is not written in a staging folder"

    cancel_mid_render(tmp_path, out, while_running=written_in_staging, identity=identity)
    assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".mkv", ".webm", ""])
def test_a_container_c2pa_cannot_sign_is_named(suffix: str) -> None:
    with pytest.raises(CannotSign, match="c2pa cannot sign"):
        mime_type(Path(f"film{suffix}"))


def test_identities_c2pa_refuses_are_refused_before_any_export() -> None:
    chain, key = identity_pem()
    other_chain, other_key = identity_pem()
    with pytest.raises(CannotSign, match="certificate is invalid"):
        load_identity(*identity_pem(usable=False))
    with pytest.raises(CannotSign, match="signature does not match"):
        load_identity(chain, other_key)
    with pytest.raises(CannotSign, match="not PEM certificates"):
        load_identity(b"junk", key)
    with pytest.raises(CannotSign, match="not a PEM private key"):
        load_identity(chain, b"junk")
    locked = serialization.load_pem_private_key(key, password=None).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(CannotSign, match="protected by a password"):
        load_identity(chain, locked)
    assert load_identity(other_chain, other_key).algorithm == "es256"


def test_without_c2pa_installed_signing_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "c2pa", None)  # makes `import c2pa` fail as if it were not installed
    reason = missing_library()
    assert reason is not None and "shotline[c2pa]" in reason
    with pytest.raises(CannotSign, match="c2pa-python"):
        load_identity(*identity_pem())


def test_a_c2pa_install_without_its_library_is_named_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # c2pa loads its Rust library while being imported and raises RuntimeError when the file is missing, as in a
    # frozen build that left it out.
    fake = tmp_path / "c2pa"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise RuntimeError('Could not find libc2pa_c.so in any of the search paths')\n")
    monkeypatch.delitem(sys.modules, "c2pa", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    reason = missing_library()
    assert reason is not None and "its library cannot be loaded" in reason and "libc2pa_c.so" in reason
