"""The checkpoint key and format: PEM or base64 keys, a development key kept in instance/, the signed text."""

from __future__ import annotations

import base64

import pytest
from flask import Flask

from portal.transparency import checkpoints

TEST_KEY = "kycYnTeC8LDTcOyW0VQfVjzzkg1+FC+sQGh+Ms/hRG8="
TEST_PUBLIC_KEY = "HZoO+ZlD2cRMPvZpSuEpCeFZpGiLakG424oajJkCHE4="


def test_a_key_is_read_from_base64_or_pem():
    seed_key = checkpoints.Signer(checkpoints.load_private_key(TEST_KEY))
    assert seed_key.public_key == TEST_PUBLIC_KEY
    pem = checkpoints.new_private_key_pem()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert len(base64.b64decode(checkpoints.Signer(checkpoints.load_private_key(pem)).public_key)) == 32


@pytest.mark.parametrize("value", ["not a key", base64.b64encode(b"short").decode(),
                                   "-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----"])
def test_a_bad_key_is_refused_with_a_message(value):
    with pytest.raises(checkpoints.SigningKeyError, match="PORTAL_LOG_SIGNING_KEY"):
        checkpoints.load_private_key(value)


def test_development_makes_a_key_once_and_keeps_it(tmp_path):
    """Unset outside production: a key is made in instance/ (owner-only) and the same one is used next time."""
    first, second = Flask("one", instance_path=str(tmp_path)), Flask("two", instance_path=str(tmp_path))
    checkpoints.init_app(first)
    checkpoints.init_app(second)
    key_file = tmp_path / checkpoints.KEY_FILE_NAME
    assert key_file.exists() and key_file.stat().st_mode & 0o777 == 0o600
    assert (first.extensions[checkpoints.EXTENSION].public_key
            == second.extensions[checkpoints.EXTENSION].public_key)


def test_production_refuses_to_make_its_own_key(tmp_path):
    app = Flask("production", instance_path=str(tmp_path))
    app.config["REQUIRE_LOG_SIGNING_KEY"] = True
    with pytest.raises(RuntimeError, match="Set PORTAL_LOG_SIGNING_KEY"):
        checkpoints.init_app(app)
    assert not (tmp_path / checkpoints.KEY_FILE_NAME).exists()


def test_the_signed_text_is_fixed_and_a_signature_covers_every_part():
    message = checkpoints.signed_message(tree_size=7, root_hash="ab" * 32, signed_at="2026-07-01T09:00:00Z")
    assert message == b"safer-futures-decision-log\n7\n" + b"ab" * 32 + b"\n2026-07-01T09:00:00Z\n"
    signer = checkpoints.Signer(checkpoints.load_private_key(TEST_KEY))
    signature = signer.sign(message)
    assert signer.verifies(signature, message)
    for changed in (checkpoints.signed_message(tree_size=6, root_hash="ab" * 32, signed_at="2026-07-01T09:00:00Z"),
                    checkpoints.signed_message(tree_size=7, root_hash="ac" * 32, signed_at="2026-07-01T09:00:00Z"),
                    checkpoints.signed_message(tree_size=7, root_hash="ab" * 32, signed_at="2026-07-01T09:00:01Z")):
        assert not signer.verifies(signature, changed)
    assert not signer.verifies("not base64!", message)


@pytest.mark.parametrize(("text", "message"), [
    ("nonsense", "not JSON"),
    ("[]", "JSON object"),
    ('{"tree_size": 3}', "has no root_hash, signed_at, signature"),
    ('{"tree_size": -1, "root_hash": "' + "a" * 64 + '", "signed_at": "x", "signature": "y"}', "whole number"),
    ('{"tree_size": 1, "root_hash": "XYZ", "signed_at": "x", "signature": "y"}', "64 lower-case"),
])
def test_a_kept_checkpoint_that_cannot_be_read_says_why(text, message):
    with pytest.raises(checkpoints.CheckpointFormatError, match=message):
        checkpoints.parse_checkpoint(text)
