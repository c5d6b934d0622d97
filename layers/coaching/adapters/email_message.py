"""The MIME message of a follow-up, the same for the outbox and for SES: plain text plus an
HTML alternative, the coach as Reply-To, and a one-click unsubscribe link."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from coaching.domain.sending import OutgoingEmail

KEY_HEADER = "X-Coach-Idempotency-Key"


def mime_message(
    email: OutgoingEmail, *, sender: str, idempotency_key: str, domain: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain)
    message[KEY_HEADER] = idempotency_key
    text = email.text
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text = f"{text.rstrip()}\n\n--\nNo more emails like this: {email.unsubscribe_url}\n"
    message.set_content(text)
    message.add_alternative(_html(email), subtype="html")
    return message


def _html(email: OutgoingEmail) -> str:
    paragraphs = [p for p in email.text.strip().split("\n\n") if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )
    if email.unsubscribe_url:
        link = html.escape(email.unsubscribe_url, quote=True)
        body += f'\n<p style="font-size:small"><a href="{link}">Unsubscribe</a></p>'
    return f"<!doctype html>\n<html><body>\n{body}\n</body></html>\n"
