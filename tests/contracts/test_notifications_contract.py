"""Notifications: each notice kept with its recipient as a hash only, or none sent."""

from __future__ import annotations

import hashlib

from tests.contracts.conftest import new_session


def test_a_notice_keeps_the_recipients_hash_never_the_address(backend, org):
    session = new_session(backend, org)
    notices = backend.ports["notifications"]
    notices.record_notification(org, session.id, "review_ready", " Maya@Example.com", "m-1")
    notices.record_notification(org, session.id, "failure", None, None)
    digest = hashlib.sha256(b"maya@example.com").hexdigest()
    assert backend.notifications(org, session.id) == [
        ("review_ready", digest, "m-1"),
        ("failure", None, None),
    ]
