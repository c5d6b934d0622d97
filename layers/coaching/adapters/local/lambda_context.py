"""The context a Lambda handler is called with, when it runs in this process."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LocalLambdaContext:
    """The attributes Powertools reads from a real Lambda context."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    function_version: str = "$LATEST"
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000
