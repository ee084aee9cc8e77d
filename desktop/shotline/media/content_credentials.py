"""Content Credentials: an optional C2PA manifest, signed into the export, that says how the film was made.

The manifest's `c2pa.actions` say the film was created (as AI-generated media when its takes were generated), that
each take was placed into it and that it was edited; every take the film uses is an ingredient (`componentOf`); a
Shotline assertion carries the export's provenance record (`media.provenance`: each shot's backend, model and
prompt). The signing identity is the creator's own certificate chain and private key; only the chain and the
signature end up in the file, never the key.

c2pa-python is an optional extra (`pip install 'shotline[c2pa]'`) and is imported only when signing is asked for,
so Shotline starts, and exports unsigned, without it. Signing needs no network unless a timestamp authority is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import mimetypes
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shotline import __version__
from shotline.core.errors import RenderFailed
from shotline.core.model import Origin
from shotline.media.plan import RenderPlan

ASSERTION_LABEL = "io.github.shotline.provenance"
"""The label of the assertion that carries the export's provenance record."""
SOURCE_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
AI_GENERATED = SOURCE_TYPES + "trainedAlgorithmicMedia"
PARTLY_AI_GENERATED = SOURCE_TYPES + "compositeWithTrainedAlgorithmicMedia"
COMPOSITE = SOURCE_TYPES + "composite"

FORMATS = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
}
"""The export containers c2pa can sign, by file ending (not by `mimetypes`, whose answers vary by platform)."""

_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
"""c2pa stays off the network: no manifests or certificate status fetched while signing."""
_CURVES = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
_EXTRA = "pip install 'shotline[c2pa]'"


class CannotSign(RenderFailed):
    """The export cannot be signed: c2pa is missing, the identity is unusable, or c2pa refused the file."""


@dataclass(frozen=True, slots=True)
class SigningIdentity:
    """Who signs: a PEM certificate chain (signer first, then the CA certificates that issued it) and its PEM key.

    Made by `load_identity`, which has checked that c2pa accepts them."""

    certificate_chain: bytes = field(repr=False)
    private_key: bytes = field(repr=False)
    algorithm: str
    """The C2PA signing algorithm, from the key: es256/es384/es512 (EC), ed25519 or ps256 (RSA)."""
    signer: str
    """The signing certificate's subject, as the creator would recognise it, e.g. "Jo Maker (Example CA)"."""
    timestamp_url: str | None = None
    """An RFC 3161 timestamp authority; None signs without a trusted time (and without the network)."""


@dataclass(frozen=True, slots=True)
class _Ingredient:
    label: str
    path: Path
    entry: dict[str, Any]
    """The take's shot in the provenance record."""


def missing_library() -> str | None:
    """Why C2PA signing is not possible on this installation, or None when c2pa-python can be imported."""
    try:
        import c2pa  # noqa: F401
    except ImportError as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name == "c2pa":
            return f"the c2pa-python package is not installed ({_EXTRA} adds it)"
        return f"c2pa-python is installed but cannot be loaded ({exc})"
    except (OSError, RuntimeError, ValueError) as exc:  # its Rust library is loaded at import and may be missing
        return f"c2pa-python is installed but its library cannot be loaded ({exc})"
    return None


def mime_type(output: Path) -> str:
    """The format c2pa signs `output` as; CannotSign for a container it cannot carry a manifest in."""
    found = FORMATS.get(output.suffix.lower())
    if found is None:
        endings = ", ".join(sorted(FORMATS))
        raise CannotSign(f"c2pa cannot sign {output.suffix or 'extensionless'} files, only {endings}")
    return found


def load_identity(chain_pem: bytes, key_pem: bytes, timestamp_url: str | None = None) -> SigningIdentity:
    """The signing identity in `chain_pem` and `key_pem`, checked by signing a tiny sound with it, so a certificate
    c2pa refuses (one without the key usages C2PA requires, or the key of another certificate) is named before any
    export runs."""
    reason = missing_library()
    if reason:
        raise CannotSign(reason)
    identity = SigningIdentity(chain_pem, key_pem, _algorithm(key_pem), _signer(chain_pem), timestamp_url or None)
    _sign_streams(identity, _manifest_definition({"shots": []}, "check.wav", ()), (), "audio/wav", _tiny_wav())
    return identity


def _algorithm(key_pem: bytes) -> str:
    """The C2PA signing algorithm that fits the key (read with `cryptography`, which c2pa-python depends on)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise CannotSign("the private key is protected by a password; Shotline needs it unencrypted (PEM)") from None
    except ValueError as exc:
        raise CannotSign(f"the private key is not a PEM private key ({exc})") from None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _CURVES:
        return _CURVES[key.curve.name]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    raise CannotSign("the private key is of a kind C2PA cannot sign with; use EC P-256/P-384/P-521, Ed25519 or RSA")


def _signer(chain_pem: bytes) -> str:
    """Who the chain's first certificate names, and who issued it: "Jo Maker (Example CA)"."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        signer = x509.load_pem_x509_certificates(chain_pem)[0]
    except ValueError as exc:
        raise CannotSign(f"the certificate chain is not PEM certificates ({exc})") from None

    def common_name(name: x509.Name) -> str:
        names = name.get_attributes_for_oid(NameOID.COMMON_NAME) or name.get_attributes_for_oid(
            NameOID.ORGANIZATION_NAME
        )
        return str(names[0].value) if names else name.rfc4514_string()

    return f"{common_name(signer.subject)} ({common_name(signer.issuer)})"


def _tiny_wav() -> io.BytesIO:
    sound = io.BytesIO()
    with wave.open(sound, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\0\0" * 8)
    sound.seek(0)
    return sound


def source_type(record: dict[str, Any]) -> str:
    """The IPTC digital source type of the whole film: AI-generated when every shot was generated, a composite
    with AI-generated media when some were, a plain composite when none were."""
    generated = [entry.get("origin") == Origin.GENERATED.value for entry in record["shots"]]
    if generated and all(generated):
        return AI_GENERATED
    return PARTLY_AI_GENERATED if any(generated) else COMPOSITE


def _manifest_definition(record: dict[str, Any], title: str, ingredients: Sequence[_Ingredient]) -> dict[str, Any]:
    shotline = {"name": "Shotline", "version": __version__}
    actions: list[dict[str, Any]] = [
        {"action": "c2pa.created", "digitalSourceType": source_type(record), "softwareAgent": shotline}
    ]
    for ingredient in ingredients:
        entry = ingredient.entry
        placed: dict[str, Any] = {
            "action": "c2pa.placed",
            "description": f"Shot {entry['shot']}: {entry['title'] or entry['prompt'][:80]}",
            "parameters": {"ingredientIds": [ingredient.label]},
        }
        if entry.get("origin") == Origin.GENERATED.value:
            placed["digitalSourceType"] = AI_GENERATED
            placed["softwareAgent"] = {"name": " ".join(filter(None, (entry.get("backend"), entry.get("model"))))}
        actions.append(placed)
    if ingredients:
        actions.append({"action": "c2pa.edited", "description": "Trimmed the takes and joined them in shot order"})
    return {
        "claim_generator_info": [shotline],
        "title": title,
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": actions}},
            {"label": ASSERTION_LABEL, "data": record},
        ],
    }


def _ingredients(record: dict[str, Any], plan: RenderPlan) -> list[_Ingredient]:
    """Each take the film uses, in the order it plays, with its shot's entry in the provenance record."""
    entries = {entry.get("take"): entry for entry in record["shots"]}
    return [
        _Ingredient(segment.take_id, segment.source, entries[segment.take_id])
        for segment in plan.segments
        if segment.take_id in entries
    ]


def _ingredient_format(path: Path) -> str:
    return FORMATS.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _sign_streams(
    identity: SigningIdentity,
    definition: dict[str, Any],
    ingredients: Sequence[_Ingredient],
    mime: str,
    source: Any,
    destination: Any = None,
) -> None:
    import c2pa

    info = c2pa.C2paSignerInfo(
        identity.algorithm, identity.certificate_chain, identity.private_key, identity.timestamp_url
    )
    try:
        with (
            c2pa.Context.from_dict(_SETTINGS) as context,
            c2pa.Builder(definition, context) as builder,
            c2pa.Signer.from_info(info) as signer,
        ):
            for ingredient in ingredients:
                with ingredient.path.open("rb") as stream:
                    builder.add_ingredient(
                        {"title": ingredient.path.name, "relationship": "componentOf", "label": ingredient.label},
                        _ingredient_format(ingredient.path),
                        stream,
                    )
            builder.sign(signer, mime, source, destination)
    except c2pa.C2paError as exc:
        raise CannotSign(f"c2pa refused to sign: {_plain(exc)}") from None


def _plain(error: Exception) -> str:
    """c2pa's message without its error-class prefix ("Signature: the certificate is invalid" → the rest)."""
    text = str(error).strip()
    head, _, rest = text.partition(": ")
    return rest if rest and " " not in head else text


def sign_file(
    source: Path, destination: Path, *, title: str, record: dict[str, Any], plan: RenderPlan, identity: SigningIdentity
) -> None:
    """Write `source` with a signed manifest titled `title` into `destination` (blocking: it reads the export and
    every take). `destination`'s ending names the format; CannotSign when c2pa refuses."""
    mime = mime_type(destination)
    ingredients = _ingredients(record, plan)
    definition = _manifest_definition(record, title, ingredients)
    with source.open("rb") as reader, destination.open("w+b") as writer:
        _sign_streams(identity, definition, ingredients, mime, reader, writer)


async def sign_copy(
    source: Path, destination: Path, *, title: str, record: dict[str, Any], plan: RenderPlan, identity: SigningIdentity
) -> None:
    """`sign_file` on a worker thread. A cancel waits for the thread to let go of `destination` (c2pa cannot be
    stopped half way), so the caller can remove it."""
    sign = functools.partial(sign_file, title=title, record=record, plan=plan, identity=identity)
    work = asyncio.ensure_future(asyncio.to_thread(sign, source, destination))
    try:
        await asyncio.shield(work)
    except asyncio.CancelledError:
        while not work.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(work)
        with contextlib.suppress(Exception):
            work.result()
        raise
