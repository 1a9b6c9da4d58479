"""The development channel: "sends" by storing the message for /dev/inbox.

Used when no provider is configured and the dev inbox is on (the demo, DEBUG). It is a real
channel over the same base as SMS and email, so the demo exercises the whole outbox path.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from porchlight.notify.channels.base import Channel, Message, Receipt
from porchlight.notify.models import DevMessage


class DevInbox(Channel):
    def __init__(self, name: str = "sms") -> None:
        self.name = name

    def send(self, message: Message) -> Receipt:
        try:
            with transaction.atomic():
                stored = DevMessage.objects.create(
                    outbox_id=message.outbox_id, channel=self.name, to=message.to,
                    subject=message.subject, body=message.body,
                )  # fmt: skip
        except IntegrityError:
            # Sent before (a crash after storing, before the outbox row was finished).
            stored = DevMessage.objects.get(outbox_id=message.outbox_id)
        return Receipt(provider_id=f"DEV{stored.pk}", status="delivered")

    def lookup(
        self, outbox_id: int, provider_id: str | None, *, message: Message | None = None
    ) -> Receipt | None:
        stored = DevMessage.objects.filter(outbox_id=outbox_id).first()
        return Receipt(provider_id=f"DEV{stored.pk}", status="delivered") if stored else None
