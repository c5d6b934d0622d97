"""ObjectStore on the S3 transcript bucket."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.domain.errors import NotFound


class S3ObjectStore:
    def __init__(self, client, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        # No ServerSideEncryption argument: the bucket's default (our own KMS key, with a
        # bucket key) applies. Asking for "AES256" here would store the object under SSE-S3
        # instead, outside the key that guards transcripts.
        try:
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=data)
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"Storing {key}") from error

    def copy(self, source_key: str, target_key: str) -> None:
        # Server-side copy within the bucket. As in put: no ServerSideEncryption argument, so
        # the copy is encrypted with the bucket's own KMS key. Tags are not carried over
        # (REPLACE with none), so the copy needs no s3:GetObjectTagging/PutObjectTagging.
        try:
            self._s3.copy_object(
                Bucket=self._bucket,
                Key=target_key,
                CopySource={"Bucket": self._bucket, "Key": source_key},
                TaggingDirective="REPLACE",
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"Copying {source_key} to {target_key}") from error

    def get(self, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"Reading {key}") from error

    def exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
        except (ClientError, BotoCoreError) as error:
            translated = translate(error, f"Checking {key}")
            if isinstance(translated, NotFound):
                return False
            raise translated from error
        return True
