"""Mailer that writes .eml files to the outbox folder instead of sending through SES.

The messages name clients and sessions, so they are kept like the secrets: the folder is
the user's own (0700) and each file is readable by the user only (0600).
"""

from __future__ import annotations

import os
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from coaching.adapters.email_message import mime_message
from coaching.domain.sending import Delivery, OutgoingEmail

FOLDER_MODE = 0o700
FILE_MODE = 0o600


class OutboxMailer:
    remembers_keys = True  # the file named by the key is the record of its delivery

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
        self._private_folder()
        path = self._outbox / f"{uuid.uuid4()}.eml"
        partial = self._partial(bytes(message))
        os.replace(partial, path)
        return message_id

    def deliver(self, email: OutgoingEmail, *, idempotency_key: str) -> Delivery:
        """One file per key, named by it: the file's existence is the record of delivery."""
        message = mime_message(
            email, sender=self._sender, idempotency_key=idempotency_key, domain="coach.local"
        )
        self._private_folder()
        path = self._outbox / f"{uuid.UUID(idempotency_key)}.eml"
        partial = self._partial(bytes(message))
        try:
            # link, unlike replace, refuses an existing name: of two attempts one delivers.
            os.link(partial, path)
        except FileExistsError:
            return Delivery(self._message_id(path), already_delivered=True)
        finally:
            partial.unlink()
        return Delivery(str(message["Message-ID"]), already_delivered=False)

    def _partial(self, content: bytes) -> Path:
        partial = self._outbox / f"{uuid.uuid4()}.tmp"
        # Created with its final mode: never readable by others, not even for a moment.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        return partial

    @staticmethod
    def _message_id(path: Path) -> str:
        from email import message_from_bytes

        return str(message_from_bytes(path.read_bytes())["Message-ID"])

    def _private_folder(self) -> None:
        self._outbox.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        # An outbox made by an earlier version (or by hand) may be open to others.
        if self._outbox.stat().st_mode & 0o777 != FOLDER_MODE:
            self._outbox.chmod(FOLDER_MODE)
