from __future__ import annotations

from django.db import models
from django.utils import timezone

from porchlight.notify import pii


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class Contact(models.Model):
    """A phone number or email address someone can be reached at, within one agency.

    The address is encrypted at rest and found by keyed hash, so the database alone never yields
    a caller's number. One row per address lets consent (STOP) apply to every call from that
    number. Purging clears the address and keeps the row, so history stays countable.
    """

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="contacts")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address_hash = models.CharField(max_length=64)
    address_enc = models.BinaryField(null=True, editable=False)
    created = models.DateTimeField(default=timezone.now)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "channel", "address_hash"], name="contact_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {pii.mask(self.address)}"

    @property
    def address(self) -> str | None:
        return pii.decrypt(self.address_enc)

    def purge(self) -> None:
        self.address_enc = None
        self.purged_at = timezone.now()
        self.save(update_fields=["address_enc", "purged_at"])
