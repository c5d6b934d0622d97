"""The two kinds of S3 bucket the stack keeps files in, built one way wherever they are used.

A private bucket: our own rotated KMS key, no public access, ACLs off, TLS only, versioned,
access-logged, kept on `cdk destroy` (a bucket with files in it cannot be deleted). Its
access-log bucket: SSE-S3 (S3 server access logging delivers to no other encryption),
versioned (HIPAA: an overwritten or deleted log can be recovered), also kept. Each caller
says why cdk-nag's findings do not apply to its own bucket: the reasons differ by what it holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

NO_KMS_FOR_LOGS = "HIPAA.Security-S3DefaultEncryptionKMS"
NOT_LOGGED = "HIPAA.Security-S3BucketLoggingEnabled"
NO_REPLICA = "HIPAA.Security-S3BucketReplicationEnabled"


def access_log_bucket(
    scope: Construct,
    construct_id: str,
    *,
    object_ownership: s3.ObjectOwnership,
    lifecycle_rule: s3.LifecycleRule,
    why_sse_s3: str,
    why_no_replica: str,
    why_not_logged: str | None = None,
) -> s3.Bucket:
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=object_ownership,
        enforce_ssl=True,
        versioned=True,
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[lifecycle_rule],
    )
    suppressions: list[NagPackSuppression] = [
        NagPackSuppression(id=NO_KMS_FOR_LOGS, reason=why_sse_s3)
    ]
    if why_not_logged is not None:
        suppressions.append(NagPackSuppression(id=NOT_LOGGED, reason=why_not_logged))
    suppressions.append(NagPackSuppression(id=NO_REPLICA, reason=why_no_replica))
    NagSuppressions.add_resource_suppressions(bucket, suppressions, apply_to_children=False)
    return bucket


def private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    key_description: str,
    access_logs: s3.IBucket,
    access_logs_prefix: str,
    why_no_replica: str,
    lifecycle_rules: Sequence[s3.LifecycleRule] | None = None,
) -> tuple[kms.Key, s3.Bucket]:
    """The bucket and its key (construct id `Key`, beside the bucket in `scope`)."""
    key = kms.Key(
        scope,
        "Key",
        description=key_description,
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        versioned=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=access_logs_prefix,
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=lifecycle_rules,
    )
    NagSuppressions.add_resource_suppressions(
        bucket, [NagPackSuppression(id=NO_REPLICA, reason=why_no_replica)], apply_to_children=False
    )
    return key, bucket
