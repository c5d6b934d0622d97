"""The KMS key that wraps the data keys encrypting clients' contact details, field by field
(coaching/adapters/aws/kms_key_vault.py): its own key, rotated yearly by KMS, used only by
the functions that read or write those fields."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

KEY_VARIABLE = "COACH_FIELD_KMS_KEY_ID"


class ClientFieldKey(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description="Wraps the data keys that encrypt clients' contact details",
            enable_key_rotation=True,
            # Destroying it would make every encrypted email and phone unreadable.
            removal_policy=RemovalPolicy.RETAIN,
        )

    def serve(self, function: lambda_.Function) -> None:
        """New data keys and unwrapping stored ones: nothing else (no Encrypt of data)."""
        self.key.grant(function, "kms:GenerateDataKey", "kms:Decrypt")
        function.add_environment(KEY_VARIABLE, self.key.key_arn)

    def serve_reader(self, function: lambda_.Function) -> None:
        """Unwrapping stored data keys only: a function that reads the fields, never writes."""
        self.key.grant(function, "kms:Decrypt")
        function.add_environment(KEY_VARIABLE, self.key.key_arn)
