"""ObjectStore on the S3 transcript bucket."""

from __future__ import annotations

import datetime as dt

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.domain.errors import NotFound
from coaching.ports.objects import UploadTarget


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

    def delete(self, key: str) -> bool:
        """Every version of the key, delete markers too: the bucket is versioned, and a plain
        delete would only hide the content behind a marker until the lifecycle expired it."""
        try:
            versions = self._versions_of(key)
            for start in range(0, len(versions), 1000):  # DeleteObjects takes 1000 at a time
                answer = self._s3.delete_objects(
                    Bucket=self._bucket,
                    Delete={"Objects": versions[start : start + 1000], "Quiet": True},
                )
                if answer.get("Errors"):
                    code = answer["Errors"][0].get("Code", "")
                    raise ClientError({"Error": {"Code": code}}, "DeleteObjects")
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"Deleting {key}") from error
        return bool(versions)

    def _versions_of(self, key: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        pages = self._s3.get_paginator("list_object_versions").paginate(
            Bucket=self._bucket, Prefix=key
        )
        for page in pages:
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                if entry["Key"] == key:  # the prefix also matches longer keys
                    found.append({"Key": key, "VersionId": entry["VersionId"]})
        return found

    def upload_target(self, key: str, max_bytes: int, expires_in_seconds: int) -> UploadTarget:
        """A presigned POST for exactly ``key``: S3 itself refuses a larger file. No
        encryption field: the bucket's default KMS key applies, as in put."""
        try:
            post = self._s3.generate_presigned_post(
                Bucket=self._bucket,
                Key=key,
                Conditions=[["content-length-range", 1, max_bytes]],
                ExpiresIn=expires_in_seconds,
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"Signing an upload to {key}") from error
        return UploadTarget(
            url=post["url"],
            method="POST",
            fields=post["fields"],
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in_seconds),
            max_bytes=max_bytes,
        )
