"""Django's own emails (account confirmations, password resets) into the development inbox.

The demo and DEBUG runs have no mail server: with Django's SMTP backend a resident who joined
got a 500 (connection refused on localhost:25) and never saw the confirmation link. Callers'
messages already reach /dev/inbox through the dev channel (channels/dev.py); this backend puts
the account emails beside them, with no outbox row, so the whole sign-up can be followed.
settings.py chooses it only when no mail server or provider is configured.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from porchlight.notify.models import Channel, DevMessage


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        stored = [
            DevMessage(
                outbox=None,
                channel=Channel.EMAIL,
                to=", ".join(message.recipients())[:254],
                subject=str(message.subject)[:200],
                body=str(message.body),
            )
            for message in email_messages
            if message.recipients()
        ]
        DevMessage.objects.bulk_create(stored)
        return len(stored)
