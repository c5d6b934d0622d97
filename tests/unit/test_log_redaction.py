"""Request log lines never carry a socket's token or an upload's signed token."""

from __future__ import annotations

import logging

from local_runtime.log_redaction import RedactSecrets, redact


def test_tokens_in_query_strings_and_upload_paths_are_redacted():
    line = '127.0.0.1:5 - "WebSocket /ws?token=eyJhbGciOi.abc.def&x=1" [accepted]'
    assert redact(line) == '127.0.0.1:5 - "WebSocket /ws?token=[redacted]&x=1" [accepted]'
    assert redact('"PUT /uploads/eyJ0b2tlbiI6.sig HTTP/1.1" 201') == (
        '"PUT /uploads/[redacted] HTTP/1.1" 201'
    )
    assert redact('"GET /v1/sessions?limit=20 HTTP/1.1" 200') == (
        '"GET /v1/sessions?limit=20 HTTP/1.1" 200'
    )


def test_the_filter_redacts_uvicorn_style_records_with_arguments():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/ws?token=secret-value", "1.1", 101),
        None,
    )
    assert RedactSecrets().filter(record)
    assert "secret-value" not in record.getMessage()
    assert "token=[redacted]" in record.getMessage()
