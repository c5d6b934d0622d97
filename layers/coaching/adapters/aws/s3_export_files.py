"""ExportFiles on the encrypted exports bucket (cdk/exports.py).

A file streams to S3 as a multipart upload, one part whenever a part's worth is written, so a
100,000-session export never sits in memory; the object appears only when the upload
completes (an error aborts it: never half a file under its name). Each file's SHA-256 is
computed while it streams and kept as the object's tag, for a resumed run to check.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.adapters.aws.lazy_client import LazyClient
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError, NotFound

# Where export files and the search backups go in the bucket (cdk/exports.py: the functions
# may write under their own prefix only, and the lifecycle expires each on its own clock).
EXPORT_PREFIX = "exports/"
BACKUP_PREFIX = "search-backups/"
# S3's smallest part but the last one is 5 MiB; 8 MiB keeps a 10 GB file under the
# 10,000-part limit.
PART_BYTES = 8 * 1024 * 1024
SHA256_TAG = "sha256"
# Download links live minutes, not days, whatever a caller asks (S3 allows seven days).
LONGEST_URL_SECONDS = 60 * 60
# The client's configuration: S3 serves SSE-KMS objects to Signature Version 4 links only.
CLIENT_CONFIG = Config(signature_version="s3v4", s3={"addressing_style": "virtual"})


class S3ExportFiles:
    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        *,
        kms_key_id: str | None = None,
        part_bytes: int = PART_BYTES,
    ) -> None:
        """``prefix``: where this instance's files go in the bucket (``exports/``); the
        functions' role may write there only. ``kms_key_id``: the bucket's key, named on
        every upload (SSE-KMS with a bucket key); unset, the bucket's default applies."""
        self._s3 = client
        self._bucket = bucket
        self._prefix = prefix
        self._part_bytes = part_bytes
        self._encryption: dict[str, Any] = (
            {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id, "BucketKeyEnabled": True}
            if kms_key_id
            else {}
        )

    @classmethod
    def from_settings(cls, settings: Settings, prefix: str = EXPORT_PREFIX) -> S3ExportFiles:
        if not settings.export_bucket:
            raise ConfigurationError("COACH_EXPORT_BUCKET is not set.")
        import boto3

        client = LazyClient(lambda: boto3.client("s3", config=CLIENT_CONFIG))
        return cls(client, settings.export_bucket, prefix, kms_key_id=settings.export_kms_key_id)

    def key(self, relative_path: str) -> str:
        if relative_path.startswith("/") or ".." in relative_path.split("/"):
            raise ValueError(f"not a relative path inside the exports: {relative_path!r}")
        return self._prefix + relative_path

    @contextmanager
    def open_write(self, relative_path: str) -> Iterator[BinaryIO]:
        # The key is named, not just "aws:kms" (which alone would pick the account's aws/s3
        # key instead of the bucket's).
        key = self.key(relative_path)
        upload = _MultipartUpload(self._s3, self._bucket, key, self._part_bytes, self._encryption)
        writer = io.BufferedWriter(upload, buffer_size=self._part_bytes)
        try:
            yield writer
            writer.flush()
            upload.finish()
        except BaseException:
            upload.abort()
            raise

    @contextmanager
    def open_read(self, relative_path: str) -> Iterator[BinaryIO]:
        """The file, downloaded to a temporary file first: a restore reads Parquet, which
        seeks (its footer first), and a part may be larger than memory should hold.
        FileNotFoundError when there is none."""
        key = self.key(relative_path)
        with tempfile.TemporaryFile() as local:
            try:
                self._s3.download_fileobj(self._bucket, key, local)
            except ClientError as error:
                if _not_found(error):
                    raise FileNotFoundError(relative_path) from None
                raise translate(error, f"Reading {relative_path}") from error
            except BotoCoreError as error:
                raise translate(error, f"Reading {relative_path}") from error
            local.seek(0)
            yield local  # type: ignore[misc]

    def sha256(self, relative_path: str) -> str | None:
        key = self.key(relative_path)
        try:
            tags = self._s3.get_object_tagging(Bucket=self._bucket, Key=key)["TagSet"]
        except (ClientError, BotoCoreError) as error:
            translated = translate(error, f"Reading the checksum of {relative_path}")
            if isinstance(translated, NotFound):
                return None
            raise translated from error
        return next((tag["Value"] for tag in tags if tag["Key"] == SHA256_TAG), None)

    def url(self, relative_path: str, expires_in: int) -> str:
        """A presigned GET that downloads the file under its own name."""
        key = self.key(relative_path)
        filename = relative_path.rsplit("/", 1)[-1]
        try:
            return str(
                self._s3.generate_presigned_url(
                    "get_object",
                    Params={
                        "Bucket": self._bucket,
                        "Key": key,
                        "ResponseContentDisposition": f'attachment; filename="{filename}"',
                    },
                    ExpiresIn=max(1, min(expires_in, LONGEST_URL_SECONDS)),
                )
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, f"Signing a download of {relative_path}") from error


class _MultipartUpload(io.RawIOBase):
    """The raw stream under the writer: each write is one part (the BufferedWriter above
    hands it a part's worth at a time); nothing is sent to S3 before the first part is full,
    and a file smaller than a part is one PutObject."""

    def __init__(
        self, client: Any, bucket: str, key: str, part_bytes: int, encryption: dict[str, Any]
    ) -> None:
        self._s3, self._bucket, self._key = client, bucket, key
        self._encryption = encryption
        self._part_bytes = part_bytes
        self._pending = bytearray()
        self._digest = hashlib.sha256()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._position = 0
        self._finished = False

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._pending += chunk
        self._digest.update(chunk)
        self._position += len(chunk)
        while len(self._pending) >= self._part_bytes:
            part = bytes(self._pending[: self._part_bytes])
            del self._pending[: self._part_bytes]
            self._send_part(part)
        return len(chunk)

    def close(self) -> None:
        # Closing the writer only flushes into here; finish() or abort() decides the object.
        super().close()

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        tagging = f"{SHA256_TAG}={self._digest.hexdigest()}"
        try:
            if self._upload_id is None:
                self._s3.put_object(
                    Bucket=self._bucket,
                    Key=self._key,
                    Body=bytes(self._pending),
                    Tagging=tagging,
                    **self._encryption,
                )
                return
            if self._pending:
                self._send_part(bytes(self._pending))
                self._pending.clear()
            self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
            self._s3.put_object_tagging(
                Bucket=self._bucket,
                Key=self._key,
                Tagging={"TagSet": [{"Key": SHA256_TAG, "Value": self._digest.hexdigest()}]},
            )
        except (ClientError, BotoCoreError) as error:
            self.abort()
            raise translate(error, "Storing an export file") from error

    def abort(self) -> None:
        self._finished = True
        if self._upload_id is None:
            return
        upload_id, self._upload_id = self._upload_id, None
        try:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=upload_id)
        except (ClientError, BotoCoreError):
            pass  # the bucket's lifecycle removes incomplete uploads after a day

    def _send_part(self, part: bytes) -> None:
        try:
            if self._upload_id is None:
                self._upload_id = self._s3.create_multipart_upload(
                    Bucket=self._bucket, Key=self._key, **self._encryption
                )["UploadId"]
            number = len(self._parts) + 1
            answer = self._s3.upload_part(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=part,
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Storing an export file") from error
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})


def _not_found(error: ClientError) -> bool:
    # download_fileobj's HEAD answers a bare 404; GetObject's NoSuchKey.
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}
