"""Mailer on Amazon SES (v2 API)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate
from coaching.adapters.aws.ses_events import KEY_TAG
from coaching.adapters.email_message import mime_message
from coaching.domain.sending import Delivery, OutgoingEmail


class SesMailer:
    remembers_keys = False  # SES keeps no idempotency keys

    def __init__(self, client, sender: str, configuration_set: str | None = None) -> None:
        """``configuration_set``: named on every send, so SES publishes its bounces and
        complaints (cdk/mail.py) whatever the identity's default set."""
        self._ses = client
        self._sender = sender
        self._set = {"ConfigurationSetName": configuration_set} if configuration_set else {}

    def send(self, *, to: str, subject: str, body: str) -> str:
        try:
            response = self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={
                    "Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}}
                },
                **self._set,
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Sending email") from error
        return response["MessageId"]

    def deliver(self, email: OutgoingEmail, *, idempotency_key: str) -> Delivery:
        """The same MIME message as the outbox's, sent raw. SES keeps no idempotency keys:
        the key travels in a header, and the use case never repeats an attempt left
        'sending' through a mailer that does not remember keys."""
        domain = self._sender.rpartition("@")[2] or "coach.local"
        message = mime_message(
            email, sender=self._sender, idempotency_key=idempotency_key, domain=domain
        )
        try:
            response = self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [email.to]},
                Content={"Raw": {"Data": bytes(message)}},
                # SES repeats the tag in the message's bounce or complaint event: the event
                # finds its follow-up even if the process stopped before recording the id.
                EmailTags=[{"Name": KEY_TAG, "Value": idempotency_key}],
                **self._set,
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Sending email") from error
        return Delivery(response["MessageId"], already_delivered=False)
