"""Throw-away C2PA signing identities for tests: a private CA and an ES256 (P-256) signer it issued, made with
`cryptography` the way c2pa wants them (signer not a CA, digitalSignature key use, an extended key use, key ids).

c2pa refuses a signer certificate without those extensions: `usable=False` makes one, to prove Shotline names that
refusal.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNER = "Shotline test signer"
ISSUER = "Shotline test CA"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Shotline tests"),
        ]
    )


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    plain = serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, plain)


def identity_pem(*, usable: bool = True) -> tuple[bytes, bytes]:
    """(certificate chain PEM, signer first then its CA; private key PEM) of a fresh signer valid for a month;
    with `usable` False the signer's certificate lacks the key uses c2pa requires."""
    now = datetime.datetime.now(datetime.UTC)
    valid = (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(ISSUER))
        .issuer_name(_name(ISSUER))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if usable:
        signer = (
            signer.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signs_certificates=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        )
    chain = [signer.sign(ca_key, hashes.SHA256()), ca]
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in chain), _pem_key(key)


def identity_files(folder: Path, *, usable: bool = True) -> tuple[Path, Path]:
    """`identity_pem` written to `folder`/chain.pem and `folder`/key.pem."""
    folder.mkdir(parents=True, exist_ok=True)
    chain_pem, key_pem = identity_pem(usable=usable)
    chain, key = folder / "chain.pem", folder / "key.pem"
    chain.write_bytes(chain_pem)
    key.write_bytes(key_pem)
    return chain, key
