"""Private keys: generating them (RSA, ECDSA, ED25519), reading them from PEM or OpenSSH text, and the public-key
properties the Terraform tls provider derives from a key (PEM, authorized_keys line, fingerprints, id)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from envctl.engine.provider import ProviderError

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

ALGORITHMS = ("RSA", "ECDSA", "ED25519")
CURVES: dict[str, ec.EllipticCurve] = {"P224": ec.SECP224R1(), "P256": ec.SECP256R1(), "P384": ec.SECP384R1(),
                                       "P521": ec.SECP521R1()}
_PEM = serialization.Encoding.PEM
_NO_PASSWORD = serialization.NoEncryption()


def generate_key(algorithm: str, rsa_bits: int, ecdsa_curve: str) -> PrivateKey:
    if algorithm == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    if algorithm == "ECDSA":
        return ec.generate_private_key(CURVES[ecdsa_curve])
    return ed25519.Ed25519PrivateKey.generate()


def algorithm_of(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RSA"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return "ECDSA"
    return "ED25519"


def private_key_properties(key: PrivateKey) -> dict[str, str]:
    """The private key in the provider's three encodings: `privateKeyPem` is PKCS#1 for RSA, SEC 1 for ECDSA and
    PKCS#8 for ED25519; `privateKeyOpenssh` is empty where OpenSSH has no format for the key (ECDSA P224)."""
    traditional = serialization.PrivateFormat.PKCS8 if algorithm_of(key) == "ED25519" \
        else serialization.PrivateFormat.TraditionalOpenSSL
    return {
        "privateKeyPem": key.private_bytes(_PEM, traditional, _NO_PASSWORD).decode(),
        "privateKeyPemPkcs8": key.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, _NO_PASSWORD).decode(),
        "privateKeyOpenssh": _openssh_private(key),
    }


def public_key_properties(public: PublicKey) -> dict[str, str]:
    """`publicKeyPem`, `publicKeyOpenssh` (an authorized_keys line ending in a newline) and its MD5 and SHA256
    fingerprints (empty where OpenSSH has no format for the key), and the id: the SHA1 of the DER public key."""
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    properties = {
        "id": hash_for_state(der),
        "publicKeyPem": public.public_bytes(_PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        "publicKeyOpenssh": "", "publicKeyFingerprintMd5": "", "publicKeyFingerprintSha256": "",
    }
    try:
        line = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    except (ValueError, UnsupportedAlgorithm):
        return properties
    blob = base64.b64decode(line.split()[1])
    md5 = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    properties.update({
        "publicKeyOpenssh": line.decode() + "\n",
        "publicKeyFingerprintMd5": ":".join(md5[i:i + 2] for i in range(0, len(md5), 2)),
        "publicKeyFingerprintSha256": "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("="),
    })
    return properties


def hash_for_state(value: bytes) -> str:
    """The provider's ids: the hex SHA1 of a value with surrounding whitespace trimmed."""
    return hashlib.sha1(value.strip(), usedforsecurity=False).hexdigest()


def load_private_key(text: str, what: str = "private key PEM") -> PrivateKey:
    """A private key from PEM (PKCS#1, SEC 1, PKCS#8) or OpenSSH text; a readable error for anything else."""
    data = text.encode()
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key: Any = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ProviderError(f"failed to parse {what}: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise ProviderError(f"failed to parse {what}: unsupported key type {type(key).__name__}")
    return key


def get_public_key(args: dict[str, Any]) -> dict[str, Any]:
    """`tls.getPublicKey`: the public key of the private key given in `privateKeyPem` or `privateKeyOpenssh`."""
    given = [key for key in ("privateKeyPem", "privateKeyOpenssh") if args.get(key)]
    if len(given) != 1:
        raise ProviderError("getPublicKey takes exactly one of privateKeyPem and privateKeyOpenssh")
    key = load_private_key(args[given[0]], "private key")
    return {**{k: args.get(k) for k in ("privateKeyPem", "privateKeyOpenssh") if args.get(k)},
            "algorithm": algorithm_of(key), **public_key_properties(key.public_key())}


def _openssh_private(key: PrivateKey) -> str:
    """The OpenSSH private key in PEM's 64-column lines, as Go's pem.Encode writes it (cryptography writes 70)."""
    try:
        text = key.private_bytes(_PEM, serialization.PrivateFormat.OpenSSH, _NO_PASSWORD).decode()
    except (ValueError, UnsupportedAlgorithm):
        return ""
    header, *body, footer = text.strip().splitlines()
    joined = "".join(body)
    return "\n".join([header, *(joined[i:i + 64] for i in range(0, len(joined), 64)), footer]) + "\n"
