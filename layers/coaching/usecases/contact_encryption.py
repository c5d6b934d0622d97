"""Clients' contact details at rest: leftover plaintext encrypted, and key rotation.

Rotation (`coach keys rotate`): the key encryption key gets a new version (locally; KMS
rotates its own material), each organization gets a new data key version, which encrypts
every write from then on; every field still under an older data key is encrypted again
under the new one; then the older data keys are deleted, and local key encryption keys that
no longer wrap any data key are forgotten. Until that last step, old ciphertexts still
decrypt; if the run stops half-way, running it again finishes the job.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from coaching.domain.errors import Conflict
from coaching.ports.clients import ContactDetails
from coaching.ports.field_crypto import DataKeyStore, FieldCipher, KeyVault


class OrganizationRotation(BaseModel):
    organization_id: uuid.UUID
    data_key_version: int
    clients_reencrypted: int
    data_keys_retired: int
    error: str | None = None  # why older keys were kept (a field that does not decrypt)


class KeyRotation(BaseModel):
    key_encryption_key: str
    organizations: list[OrganizationRotation]
    key_encryption_keys_retired: list[str]

    @property
    def failed(self) -> int:
        return sum(1 for o in self.organizations if o.error)


def encrypt_plaintext_contacts(contacts: ContactDetails) -> int:
    """Run at start, after the migrations: SQL holds no key, so the plaintext migration 0012
    kept aside is encrypted here (and cleared). How many clients changed."""
    return contacts.encrypt_plaintext()


def rotate_keys(
    vault: KeyVault, cipher: FieldCipher, data_keys: DataKeyStore, contacts: ContactDetails
) -> KeyRotation:
    encrypt_plaintext_contacts(contacts)
    kek = vault.rotate()
    rotated = []
    for org in data_keys.organizations_with_keys():
        version = cipher.rotate(org)
        reencrypted, retired_keys, error = _reencrypt_and_retire(data_keys, contacts, org, version)
        rotated.append(
            OrganizationRotation(
                organization_id=org,
                data_key_version=version,
                clients_reencrypted=reencrypted,
                data_keys_retired=retired_keys,
                error=error,
            )
        )
    retired = vault.retire(data_keys.kek_ids_in_use())
    return KeyRotation(
        key_encryption_key=kek, organizations=rotated, key_encryption_keys_retired=retired
    )


def _reencrypt_and_retire(
    data_keys: DataKeyStore, contacts: ContactDetails, org: uuid.UUID, version: int
) -> tuple[int, int, str | None]:
    """(clients re-encrypted, data keys retired, why none were). A write that read the old
    version just before the rotation may land after the re-encryption: the retirement
    refuses then, and the next pass takes it along. A field that does not decrypt at all
    keeps the old keys (reported); the other organizations go on."""
    reencrypted = 0
    for _ in range(3):
        reencrypted += contacts.reencrypt(org, version)
        try:
            return reencrypted, data_keys.retire_older_than(org, version), None
        except Conflict as still_used:
            error = still_used.user_message()
    return reencrypted, 0, error
