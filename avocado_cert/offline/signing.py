"""Ed25519 keys and detached signatures for result bundles.

The private key is a PKCS#8 PEM file readable by its owner only (0600); the public key is a
SubjectPublicKeyInfo PEM file. A key id is the SHA-256 of the raw 32-byte public key, so a
verifier can say which key signed a bundle without trusting anything else in it.
"""

import base64
import binascii
import hashlib
import json
import os
import stat

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from avocado_cert.base.errors import CertError

ALGORITHM = "ed25519"
PUBLIC_SUFFIX = ".pub"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def key_id(public_key):
    return hashlib.sha256(public_key.public_bytes(*_RAW)).hexdigest()


def _write_new(path, data, mode):
    """Create a file that must not exist yet, with its final permissions from the start."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise CertError("already exists (remove it first, a key is never overwritten)", path) from None
    except OSError as details:
        raise CertError(f"cannot create: {details.strerror}", path) from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _make_folders(folder):
    """Create the missing folders of a key's path, each 0700: they hold a private key."""
    missing = []
    while folder and not os.path.lexists(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    if folder and not os.path.isdir(folder):
        raise CertError("is not a folder: cannot create the key in it", folder)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
            os.chmod(path, 0o700)  # the umask may have narrowed it; make it exact
        except OSError as details:
            raise CertError(f"cannot create the folder: {details.strerror}", path) from None


def generate(private_path):
    """Write a new key pair: PATH (private, 0600) and PATH.pub; return the key id.

    Missing folders on the way are created 0700."""
    public_path = private_path + PUBLIC_SUFFIX
    if os.path.isdir(private_path):
        raise CertError("is a folder: name the private key file to create in it", private_path)
    for path in (private_path, public_path):
        if os.path.lexists(path):
            raise CertError("already exists (remove it first, a key is never overwritten)", path)
    _make_folders(os.path.dirname(os.path.abspath(private_path)))
    key = ed25519.Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new(private_path, private_pem, 0o600)
    os.chmod(private_path, 0o600)  # the umask may have narrowed it further; make it exact
    _write_new(public_path, public_pem, 0o644)
    return key_id(key.public_key())


def load_private(path):
    """The Ed25519 private key of a PEM file that only its owner can read."""
    try:
        mode = os.stat(path).st_mode
        with open(path, "rb") as src:
            data = src.read(64 * 1024)
    except OSError as details:
        raise CertError(f"cannot read the private key: {details.strerror}", path) from None
    if b"PRIVATE KEY" not in data and (b"PUBLIC KEY" in data or path.endswith(PUBLIC_SUFFIX)):
        raise CertError(
            "this is a public key: signing needs the private key (the file keygen wrote without .pub)", path
        )
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CertError(
            f"the private key is accessible by others (mode {stat.S_IMODE(mode):04o}); chmod 600 it", path
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise CertError("encrypted private keys are not supported", path) from None
    except (ValueError, UnsupportedAlgorithm):
        raise CertError("not a PEM private key", path) from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise CertError("not an Ed25519 private key", path)
    return key


def parse_public(data, where="public key"):
    """An Ed25519 public key from PEM bytes, or the raw 32 bytes (or their base64)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if b"PRIVATE KEY" in data:
        raise CertError("this is a private key: verification needs the public key (.pub)", where)
    if b"-----BEGIN" in data:
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm):
            raise CertError("not a PEM public key", where) from None
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise CertError("not an Ed25519 public key", where)
        return key
    raw = data
    if len(data) != 32:
        try:
            raw = base64.b64decode(data.strip(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != 32:
        raise CertError("not an Ed25519 public key (expected PEM or 32 raw bytes)", where)
    return ed25519.Ed25519PublicKey.from_public_bytes(raw)


def load_public(path):
    try:
        with open(path, "rb") as src:
            data = src.read(64 * 1024)
    except OSError as details:
        raise CertError(f"cannot read the public key: {details.strerror}", path) from None
    return parse_public(data, path)


def sign(private_key, message):
    """The detached signature document (bytes) of a message."""
    signature = private_key.sign(message)
    document = {
        "algorithm": ALGORITHM,
        "key_id": key_id(private_key.public_key()),
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("utf-8")


def check(public_key, message, signature_document):
    """(ok, detail): whether the signature document signs message with public_key."""
    expected_id = key_id(public_key)
    try:
        document = json.loads(signature_document)
        algorithm = document["algorithm"]
        signer = str(document.get("key_id", ""))
        signature = base64.b64decode(document["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return False, "the signature file is malformed"
    if algorithm != ALGORITHM:
        return False, f"unsupported signature algorithm {algorithm!r}"
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        if signer and signer != expected_id:
            return False, f"signed by another key (key id {signer[:16]}, given key {expected_id[:16]})"
        return False, f"the signature does not match the manifest (key id {expected_id[:16]})"
    return True, f"Ed25519 signature by key id {expected_id[:16]}"
