"""Ed25519 keys and detached signatures."""

import os
import stat

import pytest

from avocado_cert.base.errors import CertError
from avocado_cert.offline import signing


def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path):
    key = str(tmp_path / "vendor")
    key_id = signing.generate(key)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert open(key + ".pub", encoding="ascii").read().startswith("-----BEGIN PUBLIC KEY-----")
    assert signing.key_id(signing.load_private(key).public_key()) == key_id
    with pytest.raises(CertError, match="already exists"):
        signing.generate(key)


def test_a_private_key_others_can_read_is_refused(tmp_path):
    key = str(tmp_path / "vendor")
    signing.generate(key)
    os.chmod(key, 0o644)
    with pytest.raises(CertError, match="accessible by others .mode 0644."):
        signing.load_private(key)


def test_sign_and_check(tmp_path):
    key = str(tmp_path / "vendor")
    signing.generate(key)
    private = signing.load_private(key)
    public = signing.load_public(key + ".pub")
    sig = signing.sign(private, b"manifest")
    assert signing.check(public, b"manifest", sig)[0]
    ok, detail = signing.check(public, b"manifesT", sig)
    assert not ok and "does not match the manifest" in detail


def test_another_key_is_named(tmp_path):
    for name in ("a", "b"):
        signing.generate(str(tmp_path / name))
    sig = signing.sign(signing.load_private(str(tmp_path / "a")), b"manifest")
    ok, detail = signing.check(signing.load_public(str(tmp_path / "b.pub")), b"manifest", sig)
    assert not ok and "signed by another key" in detail


@pytest.mark.parametrize(
    "document", [b"", b"{}", b"not json", b'{"algorithm": "ed25519", "signature": "!!"}']
)
def test_malformed_signature(tmp_path, document):
    signing.generate(str(tmp_path / "a"))
    ok, detail = signing.check(signing.load_public(str(tmp_path / "a.pub")), b"m", document)
    assert not ok and "malformed" in detail


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello", "not an Ed25519 public key"),
        (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not a PEM public key"),
    ],
)
def test_bad_public_keys(tmp_path, content, message):
    path = tmp_path / "k.pub"
    path.write_bytes(content)
    with pytest.raises(CertError, match=message):
        signing.load_public(str(path))


def test_private_key_given_as_public_key(tmp_path):
    signing.generate(str(tmp_path / "a"))
    with pytest.raises(CertError, match="this is a private key"):
        signing.load_public(str(tmp_path / "a"))
