"""Cases: what happens after a report is taken.

A case comes from the RMS (its feed is the system of record where one is connected), from an
online report (porchlight.reports, through `cases.open.open_case`), or from a detective in an
agency without an RMS feed. Victims hear about it through the notification engine; what they
read is the agency's own words per status (`RmsStatus.wording`), never the NIBRS reason a case
was cleared, which can be an offender detail ("death of the offender").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Term(models.TextChoices):
    """The NIBRS terms an agency's RMS status codes map to, for reporting. Exceptional
    clearances keep their reason (A–E) here, for the agency's reports only."""

    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    CLEARED_ARREST = "cleared_arrest", _("Cleared by arrest")
    EXCEPTIONAL_A = "exceptional_a", _("Exceptionally cleared: death of the offender")
    EXCEPTIONAL_B = "exceptional_b", _("Exceptionally cleared: prosecution declined")
    EXCEPTIONAL_C = "exceptional_c", _("Exceptionally cleared: in custody of another jurisdiction")
    EXCEPTIONAL_D = "exceptional_d", _("Exceptionally cleared: victim refused to cooperate")
    EXCEPTIONAL_E = "exceptional_e", _("Exceptionally cleared: juvenile, no custody")
    UNFOUNDED = "unfounded", _("Unfounded")
    SUSPENDED = "suspended", _("Suspended / inactive")
    CLOSED = "closed", _("Closed")


# A case with one of these terms is over: its victims get the closing update (status.close).
CLOSING_TERMS = frozenset(
    {
        Term.CLEARED_ARREST,
        Term.EXCEPTIONAL_A,
        Term.EXCEPTIONAL_B,
        Term.EXCEPTIONAL_C,
        Term.EXCEPTIONAL_D,
        Term.EXCEPTIONAL_E,
        Term.UNFOUNDED,
        Term.CLOSED,
    }
)


def _check_wording(value: Any, field: str) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
        for k, v in value.items()
    ):
        raise ValidationError({field: _("Give a language code and its words, each non-empty.")})


class RmsStatus(models.Model):
    """One of an agency's RMS status codes: its NIBRS term, and what a victim reads.

    A case event with a code that has no row here is quarantined, never guessed. `wording` is
    the agency's text per language; empty means Porchlight's built-in words for the term
    (cases/wording.py), which never say the NIBRS reason.
    """

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="rms_statuses", verbose_name=_("agency")
    )
    code = models.CharField(_("RMS status code"), max_length=32)
    term = models.CharField(_("NIBRS term"), max_length=16, choices=Term.choices)
    wording = models.JSONField(
        _("what victims read"),
        default=dict,
        blank=True,
        help_text=_(
            'Per language, e.g. {"en": "Your case is closed.", "es": "…"}. Empty uses the '
            "built-in words for the term. Never name the reason a case was cleared."
        ),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="rms_status_unique")]
        ordering = ["agency_id", "code"]
        verbose_name = _("RMS status code")
        verbose_name_plural = _("RMS status codes")

    def __str__(self) -> str:
        return f"{self.code} → {self.get_term_display()}"

    def clean(self) -> None:
        self.code = self.code.strip().upper()
        if self.wording:
            _check_wording(self.wording, "wording")


class CaseSettings(models.Model):
    """An agency's case settings: whether an RMS feeds it, victims' rights, report copies."""

    agency = models.OneToOneField(
        "agencies.Agency", models.CASCADE, related_name="case_settings", verbose_name=_("agency")
    )
    rms_feed = models.BooleanField(
        _("an RMS feed is connected"),
        default=False,
        help_text=_(
            "With a feed the RMS is the system of record: statuses come from it and detectives "
            "only add notes. Without one, detectives change statuses in Porchlight."
        ),
    )
    number_prefix = models.CharField(
        _("case number prefix"),
        max_length=8,
        default="C",
        blank=True,
        help_text=_("Case numbers Porchlight gives are the prefix, the year and a sequence."),
    )
    rights = models.JSONField(
        _("victims' rights"),
        default=dict,
        blank=True,
        help_text=_(
            "Per language. Empty uses the built-in text: Marsy's Law for California agencies."
        ),
    )
    copy_where = models.CharField(
        _("where to get a report copy"), max_length=300, blank=True,
        help_text=_("E.g. 'Records counter, 1601 Truxtun Ave, or online at …'."),
    )  # fmt: skip
    copy_hours = models.CharField(_("when (records hours)"), max_length=200, blank=True)
    copy_fee = models.DecimalField(
        _("fee for a copy"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")

    def __str__(self) -> str:
        return f"case settings of {self.agency}"

    def clean(self) -> None:
        if self.rights:
            _check_wording(self.rights, "rights")

    @classmethod
    def for_agency(cls, agency: Any) -> CaseSettings:
        found = cls.objects.filter(agency=agency).first()
        return found if found is not None else cls(agency=agency)


class CaseSequence(models.Model):
    """The last case number Porchlight gave, per agency and year (numbering is a row lock)."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="case_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class Case(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="cases", verbose_name=_("agency")
    )
    number = models.CharField(_("case number"), max_length=40)
    source = models.CharField(
        _("source"), max_length=60, help_text=_("rms, online, open311, console, …")
    )
    offense_code = models.CharField(_("offense code (NIBRS)"), max_length=8, blank=True)
    offense = models.CharField(_("offense"), max_length=200, blank=True)
    domestic_violence = models.BooleanField(_("domestic-violence related"), default=False)
    occurred_at = models.DateTimeField(_("occurred"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    # The RMS's own status code and its NIBRS term; "" until the first status.
    rms_status = models.CharField(_("RMS status"), max_length=32, blank=True)
    term = models.CharField(_("NIBRS term"), max_length=16, choices=Term.choices, default=Term.OPEN)
    # The RMS time of the status in force: an older event is logged but never moves it back.
    status_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The assigned detective, as the RMS names them; `detective` when they are staff here.
    detective = models.ForeignKey(
        "agencies.Staff",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("detective"),
    )
    detective_name = models.CharField(_("detective's name"), max_length=120, blank=True)
    detective_title = models.CharField(_("detective's title"), max_length=60, blank=True)
    detective_unit = models.CharField(_("detective's unit"), max_length=120, blank=True)
    detective_phone = models.CharField(_("detective's phone"), max_length=32, blank=True)
    detective_email = models.EmailField(_("detective's email"), blank=True)
    # Report approval and the report's availability.
    report_approved_at = models.DateTimeField(_("report approved"), null=True, blank=True)
    report_available_on = models.DateField(_("report available from"), null=True, blank=True)
    report_fee = models.DecimalField(
        _("report copy fee"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    report_how = models.CharField(_("how to request the report"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="case_number_unique")
        ]
        indexes = [models.Index(fields=["detective", "closed_at"], name="case_detective")]
        ordering = ["-created", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class CaseIncident(models.Model):
    """A CAD incident number linked to a case: the track page of that call shows the case."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="incidents")
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    incident_number = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "incident_number"], name="case_incident_unique")
        ]
        indexes = [models.Index(fields=["agency", "incident_number"], name="case_incident_lookup")]

    def __str__(self) -> str:
        return f"{self.case} ← {self.incident_number}"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Report taken")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned to a detective")
    CLOSED = "closed", _("Closed")
    NOTE = "note", _("Note")
    REPORT = "report", _("Report approved")
    RMS = "rms", _("RMS event")


class CaseEvent(models.Model):
    """One entry in a case's timeline. Public entries (`public`) show on the track page and
    carry only what a victim may read: the agency's words, never the NIBRS reason."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    public = models.BooleanField(default=False)
    # The RMS status code and term at this event (status changes), for the agency's history.
    rms_status = models.CharField(max_length=32, blank=True)
    term = models.CharField(max_length=16, choices=Term.choices, blank=True)
    # A detective's note (public or private), or nothing.
    text = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=60, blank=True)
    # The feed's event id, for idempotency: the same RMS event twice is one entry.
    event_id = models.CharField(max_length=120, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "source", "event_id"],
                condition=~models.Q(event_id=""),
                name="case_event_once",
            )
        ]
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Victim(models.Model):
    """Someone who hears about a case: the reporter, or a victim the RMS names or who opted in.

    The phone and email are notify Contacts (encrypted, found by keyed hash), so STOP and the
    PII purge apply as for callers. Only an opted-in victim is sent updates.
    """

    case = models.ForeignKey(Case, models.CASCADE, related_name="victims")
    phone = models.ForeignKey(
        "notify.Contact", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.ForeignKey(
        "notify.Contact", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    reporter = models.BooleanField(_("reported it"), default=False)
    opted_in = models.BooleanField(_("gets updates"), default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("victim")
        verbose_name_plural = _("victims")

    def __str__(self) -> str:
        return f"victim of {self.case}"

    def contacts(self) -> list[Any]:
        return [c for c in (self.phone, self.email) if c is not None]


class RmsEvent(models.Model):
    """One RMS case event as applied: the log behind idempotency. The same (agency, source,
    event id) again is a duplicate when its content is the same, a conflict when not. The
    payload is the event without victims' phone numbers and emails (those live in Contact)."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    source = models.CharField(max_length=60)
    event_id = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, models.CASCADE, related_name="rms_events")
    event_time = models.DateTimeField()
    arrived_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "event_id"], name="rms_event_source_id_unique"
            )
        ]
        verbose_name = _("RMS event")
        verbose_name_plural = _("RMS events")

    def __str__(self) -> str:
        return f"{self.source}:{self.event_id}"


class OptIn(models.Model):
    """A victim who was not the caller asking for updates: the case number and the code on the
    officer's card got them this far; the one-time code texted to their phone finishes it.

    The one-time code is kept hashed; `tries` counts wrong codes, and past the limit (or past
    `expires_at`) the request is dead and they start again, so a code cannot be guessed."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="opt_ins")
    phone = models.ForeignKey("notify.Contact", models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, default="en")
    # The link to the code form: random, stored as SHA-256 like a track token.
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    tries = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("victim opt-in")
        verbose_name_plural = _("victim opt-ins")

    def __str__(self) -> str:
        return f"opt-in to {self.case}"


class CopyRequest(models.Model):
    """A request for a copy of a report, from the public form, for records staff to fulfil.
    The requester hears of each status change through the notification engine. The case is
    found by its number when it exists; the form says the same either way."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Being prepared")
        READY = "ready", _("Ready to pick up")
        SENT = "sent", _("Sent")
        DENIED = "denied", _("Cannot be released")

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="copy_requests")
    case = models.ForeignKey(
        Case, models.SET_NULL, null=True, blank=True, related_name="copy_requests"
    )
    case_number = models.CharField(_("case number"), max_length=40)
    phone = models.ForeignKey(
        "notify.Contact", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.ForeignKey(
        "notify.Contact", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("report copy request")
        verbose_name_plural = _("report copy requests")

    def __str__(self) -> str:
        return f"copy of {self.case_number}"
