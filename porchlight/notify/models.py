from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.notify import pii


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    # A browser's push subscription (the resident site, alerts): channels/push.py.
    PUSH = "push", "Web push"


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
    # Set when the provider said this address can never receive (an invalid number, a
    # landline, a hard bounce, a spam complaint): nothing more is sent to it. Consent (STOP)
    # is not a mark; it lives in OptOut, per sending number.
    undeliverable = models.CharField(max_length=32, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    # From a line-type lookup (Twilio Lookup): "mobile", "landline", "voip", …; "" = unknown.
    line_type = models.CharField(max_length=24, blank=True)
    line_type_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "channel", "address_hash"], name="contact_address_unique"
            )
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

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
    """What caused a message. Call triggers are planned by intake; the others are planned by
    the apps that own them (cases, feedback, community) through `plan.message()`."""

    RECEIVED = "call.received", _("Call received")
    DELAYED = "call.delayed", _("Delay past threshold")
    DISPATCHED = "call.dispatched", _("Dispatched")
    ENROUTE = "call.enroute", _("En route")
    ONSCENE = "call.onscene", _("On scene")
    CLEARED = "call.cleared", _("Cleared")
    REPORT = "call.report", _("Report taken")
    CASE_OPENED = "case.opened", _("Report taken, with the case number")
    CASE_ASSIGNED = "case.assigned", _("Case assigned to a detective")
    CASE_STATUS = "case.status", _("Case status changed")
    CASE_CLOSED = "case.closed", _("Case closed")
    CASE_NOTE = "case.note", _("Detective's note to the victim")
    CASE_OPT_IN = "case.optin", _("Victim opt-in code")
    COPY_REQUEST = "case.copy", _("Report copy request update")
    SURVEY = "survey.invite", _("Survey invitation")
    FOLLOW_UP = "survey.followup", _("Follow-up resolved")
    ALERT_URGENT = "alert.urgent", _("Urgent community alert")
    ALERT = "alert.routine", _("Community alert")
    DIGEST = "community.digest", _("Community digest")
    ASSIST = "assist.request", _("Request for assistance")


class Priority(models.IntegerChoices):
    """Send order under a rate limit (lower first). Only URGENT ignores quiet hours."""

    URGENT = 10, _("Urgent: call updates and urgent alerts")
    CASE = 20, _("Case updates")
    ROUTINE = 30, _("Surveys, routine alerts and digests")


TRIGGER_PRIORITY: dict[str, int] = {
    Trigger.RECEIVED: Priority.URGENT,
    Trigger.DELAYED: Priority.URGENT,
    Trigger.DISPATCHED: Priority.URGENT,
    Trigger.ENROUTE: Priority.URGENT,
    Trigger.ONSCENE: Priority.URGENT,
    Trigger.CLEARED: Priority.URGENT,
    Trigger.REPORT: Priority.URGENT,
    Trigger.ALERT_URGENT: Priority.URGENT,
    Trigger.CASE_OPENED: Priority.CASE,
    Trigger.CASE_ASSIGNED: Priority.CASE,
    Trigger.CASE_STATUS: Priority.CASE,
    Trigger.CASE_CLOSED: Priority.CASE,
    Trigger.CASE_NOTE: Priority.CASE,
    # A one-time code is wanted now, by someone waiting at the form.
    Trigger.CASE_OPT_IN: Priority.URGENT,
    Trigger.COPY_REQUEST: Priority.CASE,
    Trigger.FOLLOW_UP: Priority.ROUTINE,
    Trigger.ASSIST: Priority.ROUTINE,
    Trigger.SURVEY: Priority.ROUTINE,
    Trigger.ALERT: Priority.ROUTINE,
    Trigger.DIGEST: Priority.ROUTINE,
}


class State(models.TextChoices):
    PLANNED = "planned", _("Planned")  # due now
    SCHEDULED = "scheduled", _("Scheduled")  # due later (a delay notice, or a retry)
    SENDING = "sending", _("Sending")  # claimed by a worker
    SENT = "sent", _("Sent")  # the provider accepted it
    DELIVERED = "delivered", _("Delivered")  # the provider confirmed delivery
    FAILED = "failed", _("Failed")  # a permanent error, or the provider reported it undelivered
    SUPPRESSED = "suppressed", _("Suppressed")  # deliberately not sent; see `reason`
    DEAD = "dead", _("Dead")  # gave up after repeated transient errors


class SentBy(models.TextChoices):
    """Which path moved a row to sent (or straight to delivered): notify/sent.py's one
    function records it, so an operator (and the crash loop) can tell them apart."""

    WORKER = "worker", _("The worker, on the provider's answer")
    CALLBACK = "callback", _("A status callback")
    WEBHOOK = "webhook", _("The email provider's webhook")
    RECONCILE = "reconcile", _("Reconciliation, asking the provider")


# Rows a worker may claim.
DUE_STATES = (State.PLANNED, State.SCHEDULED)

# Call updates that may go as one text when they fall due together (plan.calls holds them for
# DeliverySettings.merge_seconds; worker.fold merges them), in the order of a call's life: of
# two planned in one batch, the later here is the later news. The first text (call received)
# and the delay notice are never held or merged.
MERGED_TRIGGERS: tuple[str, ...] = (
    Trigger.DISPATCHED, Trigger.ENROUTE, Trigger.ONSCENE, Trigger.REPORT, Trigger.CLEARED,
)  # fmt: skip
DEFAULT_MERGE_SECONDS = 120
MERGED_REASON = "merged into a later update"
URGENT = Priority.URGENT.value


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
    # No index of its own: outbox_call_trigger (call, trigger) serves every lookup by call.
    call = models.ForeignKey(
        "calls.Call", models.CASCADE, null=True, blank=True, related_name="outbox", db_index=False
    )
    # The rule that planned it (its template gives the words); null for messages planned
    # before rules existed.
    rule = models.ForeignKey("Rule", models.SET_NULL, null=True, blank=True, related_name="+")
    # The number or pool it goes from (SMS); its token bucket paces the sends. Indexed in
    # Meta.indexes (outbox_sender, partial), not db_index=True: see there.
    sender = models.ForeignKey(
        "Sender", models.SET_NULL, null=True, blank=True, related_name="outbox", db_index=False
    )
    # Unique through Meta.constraints, not unique=True: on PostgreSQL the field option also
    # builds a second, text-pattern ("_like") index that no query uses (the only pattern
    # lookups are `contains`, which no btree serves), and every planned message paid for it.
    dedupe_key = models.CharField(max_length=120)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PLANNED)
    priority = models.PositiveSmallIntegerField(default=URGENT)
    due_at = models.DateTimeField()
    # A call update is useless hours late: past this it is dropped with a reason, not sent.
    expires_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    reason = models.CharField(
        max_length=200, blank=True, help_text="Why it was suppressed, failed or died."
    )
    subject = models.CharField(max_length=200, blank=True)  # email only
    body = models.TextField(blank=True)
    # The template fields of a message that is not about a call (a survey link, a case status),
    # given by the app that planned it (plan.message). Never the contact's own address.
    context = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The provider's id (a Twilio SID, an email Message-ID or ESP id), whole: see
    # channels.email.provider_key.
    # Indexed in Meta.indexes (outbox_provider_id_set, partial), not db_index=True: see dedupe_key.
    provider_id = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=16, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Both with a database default: planning's set-based INSERT (calls/bulk.py) names its
    # columns and leaves these out.
    sent_by = models.CharField(max_length=12, choices=SentBy.choices, blank=True, db_default="")
    # What the text goes from (a number, or a Messaging Service SID), recorded when the row is
    # claimed: reconciliation searches the provider's messages by it when a crash lost the
    # provider id (the agency's Sender, not the deployment's default number).
    sent_from = models.CharField(max_length=40, blank=True, db_default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The worker's claim: due rows in priority order.
            models.Index(fields=["state", "priority", "due_at"], name="outbox_due"),
            # The paced claim: one sender's due rows in claim order, read from the index up
            # to its tokens (worker.claim). Partial, so sent rows never weigh on it.
            models.Index(
                fields=["sender", "priority", "due_at", "id"],
                condition=models.Q(state__in=["planned", "scheduled"]),
                name="outbox_due_sender",
            ),
            # The same for rows without a sender (email, the dev inbox): PostgreSQL cannot
            # read the index above in order for "sender IS NULL", so they get their own.
            models.Index(
                fields=["priority", "due_at", "id"],
                condition=models.Q(state__in=["planned", "scheduled"], sender__isnull=True),
                name="outbox_due_unpaced",
            ),
            models.Index(fields=["call", "trigger"], name="outbox_call_trigger"),
            # The next three are partial: a row is planned with no provider id, no sent_at
            # and (email, push, the deployment's default number) no sender, and a full index
            # paid an entry for each of those at planning, in the intake's lock window, that
            # no query reads: every query using them asks for a set value (`provider_id =
            # '<id>'`, a sent_at range or IS NOT NULL, `sender_id IN (…)`), which PostgreSQL
            # proves implies the condition (EXPLAIN in docs/performance.md, issue 9 seventh
            # pass). SQLite reads a partial index only when the query repeats its condition,
            # or (for IS NOT NULL) compares the column: so bounces.py also says `<> ''`.
            # Bounces find their message by the provider's id.
            models.Index(
                fields=["provider_id"],
                condition=~models.Q(provider_id=""),
                name="outbox_provider_id_set",
            ),
            # /metrics and /healthz: messages sent in the last minute; the send caps; the
            # delay-notice rollup; inbound replies' last sender.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(sent_at__isnull=False),
                name="outbox_sent_at_set",
            ),
            # A deleted Sender's rows (SET_NULL); the claim reads outbox_due_sender instead.
            models.Index(
                fields=["sender"],
                condition=models.Q(sender__isnull=False),
                name="outbox_sender",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="outbox_dedupe_key"),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

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

    class Meta:
        verbose_name = _("worker lease")
        verbose_name_plural = _("worker leases")

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class DevMessage(models.Model):
    """A message the development channel "sent": what /dev/inbox shows, in DEBUG and the demo."""

    # None for Django's own emails (account confirmations: notify/devmail.py), which have no
    # outbox row.
    outbox = models.OneToOneField(
        Outbox, models.CASCADE, related_name="dev_message", null=True, blank=True
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("dev inbox message")
        verbose_name_plural = _("dev inbox messages")

    def __str__(self) -> str:
        return f"{self.channel} to {self.to} at {self.sent_at:%H:%M:%S}"


class Rule(models.Model):
    """When an agency's contacts get a message, on which channels, and in what words.

    One rule per trigger and agency is the usual shape; when several match, the first by
    `position` wins for each channel (the outbox's dedupe key allows one message per contact,
    trigger, subject and channel). Empty condition lists mean "any".
    """

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="rules", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=32, choices=Trigger.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    call_types_in = models.JSONField(
        _("only these call types"),
        default=list,
        blank=True,
        help_text=_("Call type codes; empty means every call type that is not excluded."),
    )
    call_types_out = models.JSONField(
        _("never these call types"), default=list, blank=True, help_text=_("Call type codes.")
    )
    priority_codes = models.JSONField(
        _("only these priorities"),
        default=list,
        blank=True,
        help_text=_("Priority codes; empty means any priority."),
    )
    sources = models.JSONField(
        _("only these sources"),
        default=list,
        blank=True,
        help_text=_("Feed source names (the API key's source); empty means any source."),
    )
    sms = models.BooleanField(_("send by SMS"), default=True)
    email = models.BooleanField(_("send by email"), default=True)
    # db_default too: data migrations written before this column insert rules without it.
    push = models.BooleanField(_("send by web push"), default=True, db_default=True)
    valid_minutes = models.PositiveIntegerField(
        _("valid for (minutes)"),
        default=120,
        help_text=_("A message not sent within this time after it was due is dropped."),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["agency", "position", "id"]
        verbose_name = _("message rule")
        verbose_name_plural = _("message rules")

    def __str__(self) -> str:
        return self.name


class Template(models.Model):
    """The words of one rule in one language: a sandboxed Jinja template over plain fields."""

    rule = models.ForeignKey(
        Rule, models.CASCADE, related_name="templates", verbose_name=_("message rule")
    )
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("email subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "language"], name="template_rule_language")
        ]
        verbose_name = _("template")
        verbose_name_plural = _("templates")

    def __str__(self) -> str:
        return f"{self.rule} ({self.language})"


class Sender(models.Model):
    """A sending number, short code or pool of numbers, with its own rate limit.

    The rate is a token bucket shared by every worker (its state is in this row), so three
    workers on one long code still send one message a second between them.
    """

    class Profile(models.TextChoices):
        LONG_CODE = "long_code", _("US long code (10DLC), 1 message/s")
        TOLL_FREE = "toll_free", _("Toll-free number, 3 messages/s")
        SHORT_CODE = "short_code", _("Short code, 100 messages/s")
        POOL = "pool", _("Pool of long codes (messaging service), 1 message/s per number")

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="senders", verbose_name=_("agency")
    )
    label = models.CharField(_("label"), max_length=100)
    profile = models.CharField(
        _("profile"), max_length=16, choices=Profile.choices, default=Profile.LONG_CODE
    )
    phone_number = models.CharField(
        _("phone number"), max_length=20, blank=True, help_text=_("E.164, e.g. +16615550100.")
    )
    messaging_service_sid = models.CharField(_("messaging service SID"), max_length=40, blank=True)
    pool_size = models.PositiveIntegerField(
        _("numbers in the pool"), default=1, help_text=_("For the pool profile.")
    )
    rate_per_second = models.FloatField(
        _("rate override (messages/s)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the profile's rate."),
    )
    is_default = models.BooleanField(_("default sender"), default=True)
    # Token bucket state, written by the worker's claim.
    tokens = models.FloatField(default=0.0, editable=False)
    refilled_at = models.DateTimeField(null=True, blank=True, editable=False)

    PROFILE_RATES = {
        Profile.LONG_CODE: 1.0,
        Profile.TOLL_FREE: 3.0,
        Profile.SHORT_CODE: 100.0,
        Profile.POOL: 1.0,
    }

    class Meta:
        verbose_name = _("sending number")
        verbose_name_plural = _("sending numbers")

    def __str__(self) -> str:
        return f"{self.label} ({self.phone_number or self.messaging_service_sid})"

    @property
    def rate(self) -> float:
        """Messages per second this sender may carry."""
        if self.rate_per_second:
            return self.rate_per_second
        per_number = self.PROFILE_RATES[self.Profile(self.profile)]
        return per_number * (self.pool_size if self.profile == self.Profile.POOL else 1)

    @property
    def address(self) -> str:
        """What identifies us to the recipient, and what their STOP applies to."""
        return self.phone_number or self.messaging_service_sid


class Accents(models.TextChoices):
    PLAIN = "plain", _("Write the nearest plain letter (á → a) when that saves a segment")
    KEEP = "keep", _("Keep them (the text goes as UCS-2)")


class DeliverySettings(models.Model):
    """An agency's delivery policy: quiet hours, the pause switch, per-recipient caps."""

    agency = models.OneToOneField(
        "agencies.Agency",
        models.CASCADE,
        primary_key=True,
        related_name="delivery",
        verbose_name=_("agency"),
    )
    quiet_start = models.TimeField(_("quiet hours start"), default=time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=time(8, 0))
    max_per_hour = models.PositiveSmallIntegerField(_("messages per recipient per hour"), default=6)
    max_per_day = models.PositiveSmallIntegerField(_("messages per recipient per day"), default=20)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_reason = models.CharField(max_length=200, blank=True, editable=False)
    # What texts cost (docs/admins.md, "What texts cost").
    merge_seconds = models.PositiveIntegerField(
        _("merge updates within (seconds)"),
        default=DEFAULT_MERGE_SECONDS,
        help_text=_(
            "Updates about one call that fall due within this many seconds go as one text with "
            "the latest news. The first text of a call is never held. 0 sends each at once."
        ),
    )
    accents = models.CharField(
        _("letters outside the SMS alphabet"),
        max_length=8,
        choices=Accents.choices,
        default=Accents.PLAIN,
        help_text=_(
            "One letter such as á, í, ó or ú sends the whole text as UCS-2: 70 characters a "
            "segment instead of 160."
        ),
    )
    price_per_segment = models.DecimalField(
        _("price per SMS segment (USD)"),
        max_digits=8,
        decimal_places=5,
        default=Decimal("0.0079"),
        help_text=_("What your provider bills per segment; the template preview shows the cost."),
    )

    class Meta:
        verbose_name = _("delivery settings")
        verbose_name_plural = _("delivery settings")

    def __str__(self) -> str:
        return f"Delivery settings for {self.agency}"

    @classmethod
    def for_agency(cls, agency_id: int) -> DeliverySettings:
        found = cls.objects.filter(agency_id=agency_id).first()
        return found if found is not None else cls(agency_id=agency_id)


class Hold(models.Model):
    """Staff stopped messages for one call or one contact. Lifting keeps the row, for the record."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    call = models.ForeignKey("calls.Call", models.CASCADE, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(Contact, models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(call__isnull=False) | models.Q(contact__isnull=False),
                name="hold_has_target",
            )
        ]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self) -> str:
        return f"Hold {self.pk} ({'lifted' if self.lifted_at else 'active'})"


class OptOut(models.Model):
    """An address that opted out of one sender: a STOP to one number, or an email unsubscribe.

    Keyed by the address's lookup hash, not the contact, because a STOP applies to every
    message from that number, whichever agency's call it is about (consolidated dispatch).
    """

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address_hash = models.CharField(max_length=64)
    sender = models.CharField(max_length=254)  # our number, messaging service, or from-address
    created = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_hash", "sender"], name="optout_unique"
            )
        ]
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"{self.channel} opt-out from {self.sender}"


class ConsentChange(models.Model):
    """The consent log: every opt-out, opt-in and mark, with its time and source."""

    class Action(models.TextChoices):
        OPT_OUT = "opt_out", _("Opted out")
        OPT_IN = "opt_in", _("Opted back in")
        DECLINED = "declined", _("Declined at the call")
        MARKED = "marked", _("Marked undeliverable")

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address_hash = models.CharField(max_length=64, db_index=True)
    sender = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=12, choices=Action.choices)
    # e.g. "sms:STOP", "twilio:21610", "status-callback", "email:one-click", "bounce", "staff"
    source = models.CharField(max_length=40)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")

    def __str__(self) -> str:
        return f"{self.action} via {self.source} at {self.at:%Y-%m-%d %H:%M}"


class Inbound(models.Model):
    """A text someone sent to one of our numbers: a keyword, or a reply nobody monitors.

    The body is encrypted like a contact address: people text emergencies and names back.
    """

    class Kind(models.TextChoices):
        STOP = "stop", _("Opt-out keyword")
        START = "start", _("Opt-in keyword")
        HELP = "help", _("Help keyword")
        REPLY = "reply", _("Reply")

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(Contact, models.SET_NULL, null=True, blank=True, related_name="+")
    sender = models.CharField(max_length=64)  # our number it was sent to
    address_hash = models.CharField(max_length=64)
    # Their number, encrypted: staff see it masked, also when it is no contact of ours.
    address_enc = models.BinaryField(null=True, editable=False)
    body_enc = models.BinaryField(editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    provider_id = models.CharField(max_length=64, blank=True)
    answer = models.TextField(blank=True)  # what we replied automatically
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Twilio retries a webhook that timed out; the message SID makes that harmless.
            models.UniqueConstraint(
                fields=["provider_id"],
                condition=~models.Q(provider_id=""),
                name="inbound_provider_id_unique",
            )
        ]
        verbose_name = _("text received")
        verbose_name_plural = _("texts received")

    def __str__(self) -> str:
        return f"{self.kind} at {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def body(self) -> str | None:
        return pii.decrypt(self.body_enc)

    @property
    def address(self) -> str | None:
        return pii.decrypt(self.address_enc)
