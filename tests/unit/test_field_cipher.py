"""Field encryption on stand-in key storage: AES-GCM bound to its field and record, a keyed
hash to search by, and rotation (new writes under the new key, old ciphertexts still read)."""

from __future__ import annotations

import stat
import uuid

import pytest

from coaching.adapters.field_cipher import EnvelopeFieldCipher, FieldDecryptionError
from coaching.adapters.local.key_vault import FILE_NAME, LocalKeyVault
from coaching.domain.errors import PermanentError
from tests.field_keys import DataKeys

ORG, OTHER = uuid.uuid4(), uuid.uuid4()
ADA, BEA = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def vault(tmp_path):
    return LocalKeyVault(tmp_path / "secrets")


@pytest.fixture
def keys():
    return DataKeys()


@pytest.fixture
def cipher(vault, keys):
    return EnvelopeFieldCipher(vault, keys)


def test_a_field_round_trips_and_the_ciphertext_shows_nothing_of_it(cipher):
    sealed = cipher.encrypt(ORG, ADA, "email", "ada@example.org")
    assert b"ada" not in sealed and b"example" not in sealed
    assert cipher.decrypt(ORG, ADA, "email", sealed) == "ada@example.org"
    # Random nonces: the same value twice makes two ciphertexts
    assert cipher.encrypt(ORG, ADA, "email", "ada@example.org") != sealed


@pytest.mark.parametrize(
    ("org", "record", "name"),
    [(ORG, BEA, "email"), (ORG, ADA, "phone"), (OTHER, ADA, "email")],
    ids=["another record", "another field", "another organization"],
)
def test_a_ciphertext_moved_elsewhere_does_not_decrypt(cipher, org, record, name):
    sealed = cipher.encrypt(ORG, ADA, "email", "ada@example.org")
    with pytest.raises(PermanentError):
        cipher.decrypt(org, record, name, sealed)


def test_the_keyed_hash_finds_an_email_whatever_its_case_and_differs_per_organization(cipher):
    index = cipher.index(ORG, "email", "Ada@Example.org ")
    assert index == cipher.index(ORG, "email", "ada@example.org")
    assert index in cipher.lookup_indexes(ORG, "email", "ADA@EXAMPLE.ORG")
    assert index != cipher.index(OTHER, "email", "ada@example.org")
    assert index != cipher.index(ORG, "email", "bea@example.org")


def test_after_a_rotation_new_writes_use_the_new_key_and_old_ones_still_decrypt(cipher, keys):
    before = cipher.encrypt(ORG, ADA, "email", "ada@example.org")
    old_index = cipher.index(ORG, "email", "ada@example.org")
    assert cipher.rotate(ORG) == 2
    after = cipher.encrypt(ORG, BEA, "email", "bea@example.org")
    assert (cipher.version_of(before), cipher.version_of(after)) == (1, 2)
    assert cipher.decrypt(ORG, ADA, "email", before) == "ada@example.org"
    assert cipher.decrypt(ORG, BEA, "email", after) == "bea@example.org"
    # Rows written before the rotation are still found by email
    assert old_index in cipher.lookup_indexes(ORG, "email", "ada@example.org")
    # Once the old version is retired, what it encrypted is unreadable: re-encrypt first
    keys.retire_older_than(ORG, 2)
    with pytest.raises(FieldDecryptionError):
        EnvelopeFieldCipher(cipher._vault, keys).decrypt(ORG, ADA, "email", before)


def test_the_local_key_file_is_created_on_first_use_readable_by_its_owner_only(tmp_path):
    vault = LocalKeyVault(tmp_path / "secrets")
    path = tmp_path / "secrets" / FILE_NAME
    assert not path.exists()
    wrapped = vault.new_data_key(ORG)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert wrapped.plaintext not in path.read_bytes()
    assert vault.unwrap(ORG, wrapped.wrapped, wrapped.kek_id) == wrapped.plaintext
    # A data key wrapped for one organization does not unwrap for another
    with pytest.raises(PermanentError):
        vault.unwrap(OTHER, wrapped.wrapped, wrapped.kek_id)


def test_a_local_key_rotation_keeps_old_versions_until_they_wrap_nothing(vault):
    first = vault.new_data_key(ORG)
    assert vault.rotate() == "local-2"
    second = vault.new_data_key(ORG)
    assert (first.kek_id, second.kek_id) == ("local-1", "local-2")
    assert vault.unwrap(ORG, first.wrapped, "local-1") == first.plaintext
    assert vault.retire({"local-1", "local-2"}) == []
    assert vault.retire({"local-2"}) == ["local-1"]
    assert vault.key_ids() == ["local-2"]
    assert stat.S_IMODE((vault._path).stat().st_mode) == 0o600
