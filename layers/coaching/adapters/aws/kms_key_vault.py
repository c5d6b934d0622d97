"""KeyVault on AWS KMS: data keys from GenerateDataKey, unwrapped by Decrypt.

The organization is the encryption context, so a data key wrapped for one organization does
not unwrap for another (and CloudTrail records which organization each Decrypt was for).
KMS rotates the key material of the configured key itself (automatic rotation), old material
still decrypting; moving to another key is COACH_FIELD_KMS_KEY_ID, then `coach keys rotate`.
"""

from __future__ import annotations

import uuid

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.ports.field_crypto import WrappedKey


class KmsKeyVault:
    def __init__(self, client, key_id: str) -> None:
        self._kms = client
        self._key_id = key_id

    def new_data_key(self, org: uuid.UUID) -> WrappedKey:
        try:
            answer = self._kms.generate_data_key(
                KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=_context(org)
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Making a data key") from error
        return WrappedKey(
            plaintext=answer["Plaintext"], wrapped=answer["CiphertextBlob"], kek_id=answer["KeyId"]
        )

    def unwrap(self, org: uuid.UUID, wrapped: bytes, kek_id: str) -> bytes:
        try:
            answer = self._kms.decrypt(
                CiphertextBlob=wrapped, KeyId=kek_id, EncryptionContext=_context(org)
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Unwrapping a data key") from error
        return answer["Plaintext"]

    def rotate(self) -> str:
        # KMS rotates the key's material on its own schedule; new data keys come from the
        # configured key, whichever that is now.
        return self._key_id

    def retire(self, kept: set[str]) -> list[str]:
        return []  # a KMS key is disabled or scheduled for deletion in KMS, by its owner


def _context(org: uuid.UUID) -> dict[str, str]:
    return {"coach:organization": str(org)}
