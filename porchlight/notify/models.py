from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class Trigger(models.TextChoices):
    """What caused a message. Later issues add case, survey and community triggers."""

    RECEIVED = "call.received", _("Call received")
    DELAYED = "call.delayed", _("Delay past threshold")
    DISPATCHED = "call.dispatched", _("Dispatched")
    ENROUTE = "call.enroute", _("En route")
    ONSCENE = "call.onscene", _("On scene")
    CLEARED = "call.cleared", _("Cleared")


class State(models.TextChoices):
    PLANNED = "planned", _("Planned")  # due now
    SCHEDULED = "scheduled", _("Scheduled")  # due later (a delay notice, or a retry)
    SENDING = "sending", _("Sending")  # claimed by a worker
    SENT = "sent", _("Sent")  # the provider accepted it
    DELIVERED = "delivered", _("Delivered")  # the provider confirmed delivery
    FAILED = "failed", _("Failed")  # a permanent error, or the provider reported it undelivered
    SUPPRESSED = "suppressed", _("Suppressed")  # deliberately not sent; see `reason`
    DEAD = "dead", _("Dead")  # gave up after repeated transient errors


# Rows a worker may claim.
DUE_STATES = (State.PLANNED, State.SCHEDULED)
# Lower goes first under a rate limit: call updates before case updates before surveys.
URGENT = 10


class Outbox(models.Model):
    """One message to one contact, written in the same transaction as the change that caused it.

    The dedupe key (contact, trigger, call, channel) is unique, so replanning the same update
    (a replayed event, a retried batch) never produces a second message. A message that is not
    sent is still a row, in state suppressed with the reason, so staff can answer "why didn't
    this caller get a text?". The body is rendered when the message is sent, after the
    exclusions are checked again.
    """

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, models.CASCADE, related_name="outbox")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    trigger = models.CharField(max_length=32, choices=Trigger.choices)
    call = models.ForeignKey(
        "calls.Call", models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    dedupe_key = models.CharField(max_length=120, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PLANNED)
    priority = models.PositiveSmallIntegerField(default=URGENT)
    due_at = models.DateTimeField()
    language = models.CharField(max_length=8, blank=True)
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why it was suppressed, failed or died."
    )
    body = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    error_code = models.CharField(max_length=16, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "outbox"
        indexes = [
            # The worker's claim: due rows in priority order.
            models.Index(fields=["state", "priority", "due_at"], name="outbox_due"),
            models.Index(fields=["call", "trigger"], name="outbox_call_trigger"),
        ]

    def __str__(self) -> str:
        return f"{self.trigger} {self.channel} #{self.pk} ({self.state})"

    @staticmethod
    def key(contact_id: int, trigger: str, call_id: int, channel: str) -> str:
        return f"{contact_id}:{trigger}:call:{call_id}:{channel}"


class Lease(models.Model):
    """A named lease, so a periodic job runs in exactly one worker at a time."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class DevMessage(models.Model):
    """A message the development channel "sent": what /dev/inbox shows, in DEBUG and the demo."""

    outbox = models.OneToOneField(Outbox, models.CASCADE, related_name="dev_message")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to} at {self.sent_at:%H:%M:%S}"
