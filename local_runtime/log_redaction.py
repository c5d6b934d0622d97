"""Keeps secrets out of `coach serve`'s request log: uvicorn logs every request line, and a
socket's token travels in its query string, an upload's signed token in its path."""

from __future__ import annotations

import logging
import re

# token=<anything up to & or space or quote>; /uploads/<token>
_SECRETS = (
    (re.compile(r"(token=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(/uploads/)[^\s?\"']+"), r"\1[redacted]"),
)
_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        return True


def install() -> None:
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
