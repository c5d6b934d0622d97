"""Mailer that writes .eml files to the outbox folder instead of sending through SES."""

from __future__ import annotations

import os
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path


class OutboxMailer:
    def __init__(self, outbox: Path, sender: str) -> None:
        self._outbox = outbox
        self._sender = sender

    def send(self, *, to: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message_id = make_msgid(domain="coach.local")
        message["Message-ID"] = message_id
        message.set_content(body)
        self._outbox.mkdir(parents=True, exist_ok=True)
        path = self._outbox / f"{uuid.uuid4()}.eml"
        partial = path.with_suffix(".tmp")
        partial.write_bytes(bytes(message))
        os.replace(partial, path)
        return message_id
