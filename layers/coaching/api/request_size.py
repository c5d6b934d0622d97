"""The largest request the API takes in its body, and the one answer for anything larger.

In AWS a request reaches the API function as one Lambda invocation, whose payload is at most
6 MB (6,291,456 bytes) with the whole event: an upload's multipart body arrives base64-encoded
(4/3 larger), beside the headers. Bodies under 4,000,000 bytes fit with room to spare
(4,000,000 × 4/3 ≈ 5.34 MB); anything larger would fail inside Lambda with a bare 5xx.
So a body of ``DIRECT_BODY_LIMIT_BYTES`` or more is refused before the function runs — by the
WAF rule on `Content-Length` in AWS (cdk/firewall.py), by `coach serve`'s gateway locally —
and by the upload route itself, all with this same 413 naming the way forward: the presigned
upload (`POST /v1/sessions/upload-url`, up to the transcript limit, 20 MB by default).
"""

from __future__ import annotations

from coaching.api.errors import error_body
from coaching.domain.errors import PayloadTooLarge

DIRECT_BODY_LIMIT_BYTES = 4_000_000
# `Content-Length` values of DIRECT_BODY_LIMIT_BYTES or more (leading zeros allowed): 8 or
# more significant digits, or 7 starting with 4-9. For the WAF rule, which has no numbers.
TOO_LARGE_CONTENT_LENGTH = r"^0*([1-9][0-9]{7,}|[4-9][0-9]{6})$"
UPLOAD_URL_ROUTE = "POST /v1/sessions/upload-url"


def body_too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request is larger than the API takes directly ({DIRECT_BODY_LIMIT_BYTES:,} bytes).",
        hint=f"Upload large transcripts with {UPLOAD_URL_ROUTE}, then send the file to the "
        "upload_url it answers.",
    )


def too_large_body() -> dict:
    """The 413's body, in the API's one error shape (gateway, firewall and route alike)."""
    error = body_too_large()
    return error_body(error.code, error.user_message())
