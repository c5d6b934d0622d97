"""Names shared by the constructs: function folders, logical ids, ASL substitution keys."""

from __future__ import annotations


def pascal(snake: str) -> str:
    """`validate_and_store` -> `ValidateAndStore` (construct ids, ASL substitution keys)."""
    return "".join(part.capitalize() for part in snake.split("_"))


def arn_substitution(function_name: str) -> str:
    """The `${...}` key the ASL file uses for a function's ARN."""
    return f"{pascal(function_name)}FunctionArn"
