"""ExportJobStarter in AWS: the export function invoked asynchronously with the run's id.

Lambda queues the event and answers at once (the API's 202 does not wait for the export);
Lambda retries a failed run twice, then the event goes to the function's dead letters
(cdk/exports.py). A retried run resumes: the queue hands a run out once, and its files
already written are skipped by checksum.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.adapters.aws.lazy_client import LazyClient
from coaching.config import Settings
from coaching.domain.errors import ConfigurationError


class LambdaExportJobStarter:
    def __init__(self, client: Any, function_name: str | None) -> None:
        """``function_name``: the export function's live alias (name or ARN). None in the
        export function itself (it cannot name its own alias): it runs its runs in place."""
        self._lambda = client
        self._function = function_name

    @classmethod
    def from_settings(cls, settings: Settings) -> LambdaExportJobStarter:
        import boto3

        return cls(LazyClient(lambda: boto3.client("lambda")), settings.export_function_arn)

    def start(self, run_id: uuid.UUID) -> None:
        if not self._function:
            raise ConfigurationError("COACH_EXPORT_FUNCTION_ARN is not set.")
        try:
            self._lambda.invoke(
                FunctionName=self._function,
                InvocationType="Event",
                Payload=json.dumps({"run_id": str(run_id)}).encode(),
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Starting an export") from error
