"""Names shared by the constructs: function folders and logical ids."""

from __future__ import annotations


def pascal(snake: str) -> str:
    """`validate_and_store` -> `ValidateAndStore` (construct ids)."""
    return "".join(part.capitalize() for part in snake.split("_"))
