"""Unsubscribe links: a signed token names the client, so the link works without signing in
and cannot be forged for another client (HMAC-SHA256 under a key of the platform's)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from coaching.domain.errors import NotFound
from coaching.ports.sending import FollowUpSending


class UnsubscribeLinks:
    def __init__(self, key: bytes, base_url: str) -> None:
        self._key = key
        self._base_url = base_url.rstrip("/")

    def link(self, org: uuid.UUID, client_id: uuid.UUID) -> str:
        return f"{self._base_url}/v1/unsubscribe/{self.token(org, client_id)}"

    def token(self, org: uuid.UUID, client_id: uuid.UUID) -> str:
        return f"{org.hex}.{client_id.hex}.{self._signature(org, client_id)}"

    def client_of(self, token: str) -> tuple[uuid.UUID, uuid.UUID]:
        """(organization, client) the token was made for; NotFound for anything else."""
        parts = token.split(".")
        try:
            org, client_id = uuid.UUID(hex=parts[0]), uuid.UUID(hex=parts[1])
        except (IndexError, ValueError):
            raise NotFound("This unsubscribe link is not valid.") from None
        if len(parts) != 3 or not hmac.compare_digest(parts[2], self._signature(org, client_id)):
            raise NotFound("This unsubscribe link is not valid.")
        return org, client_id

    def _signature(self, org: uuid.UUID, client_id: uuid.UUID) -> str:
        digest = hmac.new(
            self._key, f"unsubscribe|{org}|{client_id}".encode(), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe(links: UnsubscribeLinks, store: FollowUpSending, token: str) -> None:
    """Records the client's opt-out (again is fine). An erased client: NotFound."""
    org, client_id = links.client_of(token)
    if not store.unsubscribe(org, client_id):
        raise NotFound("This unsubscribe link is not valid.")
