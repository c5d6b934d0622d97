"""Opaque paging cursors for search: an offset into the ranked list, signed and bound to the
question and filters it was made for, so a forged or reused cursor is refused (422)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


class BadCursor(ValueError):
    """Not a cursor this search made."""


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"search cursor:" + payload, hashlib.sha256).digest()[:16]


def fingerprint(*parts: object) -> str:
    """What a cursor is bound to (the question, the filters, the caller): a short digest, so
    the cursor carries no query text."""
    data = json.dumps([str(part) for part in parts], sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def make_cursor(key: bytes, offset: int, bound_to: str) -> str:
    payload = json.dumps({"o": offset, "b": bound_to}, separators=(",", ":")).encode()
    token = payload + b"." + _mac(key, payload)
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def read_cursor(key: bytes, cursor: str, bound_to: str) -> int:
    """The offset ``cursor`` carries; BadCursor unless this key made it for ``bound_to``."""
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, mac = token[:-17], token[-16:]
        if token[-17:-16] != b"." or not hmac.compare_digest(mac, _mac(key, payload)):
            raise BadCursor(cursor)
        fields = json.loads(payload)
        offset = fields["o"]
        if fields["b"] != bound_to or not isinstance(offset, int) or offset < 0:
            raise BadCursor(cursor)
    except (ValueError, KeyError, TypeError) as error:
        raise BadCursor(cursor) from error
    return offset
