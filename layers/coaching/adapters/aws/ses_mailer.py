"""Mailer on Amazon SES (v2 API)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from coaching.adapters.aws.errors import translate


class SesMailer:
    def __init__(self, client, sender: str) -> None:
        self._ses = client
        self._sender = sender

    def send(self, *, to: str, subject: str, body: str) -> str:
        try:
            response = self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={
                    "Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}}
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, "Sending email") from error
        return response["MessageId"]
