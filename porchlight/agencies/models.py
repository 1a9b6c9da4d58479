from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.calls.sensitive import DEFAULT_TERMS as DEFAULT_SENSITIVE_TERMS

ORI_VALIDATOR = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{7}$", _("An ORI is 9 characters: state code then 7 letters or digits.")
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def default_languages() -> list[str]:
    return ["en", "es"]


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name (in URLs)"), max_length=60, unique=True)
    ori = models.CharField("ORI", max_length=9, unique=True, validators=[ORI_VALIDATOR])
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/Los_Angeles",
        validators=[validate_time_zone],
    )
    non_emergency_number = models.CharField(_("non-emergency number"), max_length=32)
    # Texts are billed per segment of 160 characters, and every text names the agency: a
    # short name ("Bakersfield PD") keeps more of them to one segment.
    sms_name = models.CharField(
        _("name in texts"),
        max_length=40,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            'A short name that starts every text, e.g. "Bakersfield PD". Empty: the full name.'
        ),
    )
    languages = models.JSONField(
        _("languages"), default=default_languages, help_text=_("Language codes, default first.")
    )
    # One term per line, English and Spanish: a new call type whose code or description holds
    # one starts out sensitive, for staff to confirm (calls/sensitive.py).
    # db_default as well: rows written by code that predates the column (a data migration
    # running on an older model state) still get the list.
    sensitive_terms = models.TextField(
        _("sensitive terms"),
        default=DEFAULT_SENSITIVE_TERMS,
        db_default=DEFAULT_SENSITIVE_TERMS,
        blank=True,
        help_text=_(
            "One per line. A new call type whose code or description contains one of these "
            "words starts out sensitive (no texts, hidden from maps) until staff review it. "
            "Case and accents are ignored."
        ),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else "en"

    @property
    def text_name(self) -> str:
        """The name texts use: the short one when the agency gave it."""
        return self.sms_name.strip() or self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class PriorityCode(models.Model):
    """A CAD priority code ("1", "2A", "E") and its rank: 1 is the most urgent.

    A code seen in a CAD event that the agency has not mapped is created with no rank and
    flagged, so the call is still applied and staff can map it afterwards.
    """

    agency = models.ForeignKey(
        Agency, models.CASCADE, related_name="priority_codes", verbose_name=_("agency")
    )
    code = models.CharField(_("code"), max_length=16)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    delay_minutes = models.PositiveSmallIntegerField(
        _("delay notice after (minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "Tell the caller about a delay when the call is still waiting for dispatch after this "
            "many minutes. Empty: 15, 30 or 60 minutes by rank."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="priority_code_unique")
        ]
        ordering = ["agency_id", "rank", "code"]
        verbose_name = _("priority code")
        verbose_name_plural = _("priority codes")

    def __str__(self) -> str:
        return f"{self.code} (rank {self.rank if self.rank is not None else '?'})"

    @property
    def needs_mapping(self) -> bool:
        return self.rank is None


class StatusCode(models.Model):
    """Maps a CAD's own status code ("DISP", "ARV", "CLR") to one of Porchlight's statuses.

    Events whose status is neither a Porchlight status nor mapped here are quarantined; staff
    add the mapping and replay them.
    """

    agency = models.ForeignKey(
        Agency, models.CASCADE, related_name="status_codes", verbose_name=_("agency")
    )
    code = models.CharField(_("code"), max_length=32)
    status = models.CharField(_("status"), max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="status_code_unique")
        ]
        ordering = ["agency_id", "code"]
        verbose_name = _("status code")
        verbose_name_plural = _("status codes")

    def __str__(self) -> str:
        return f"{self.code} → {self.status}"

    def clean(self) -> None:
        from porchlight.calls.models import Status

        if self.status not in Status.values:
            raise ValidationError({"status": _("Choose one of: %s") % ", ".join(Status.values)})


def hash_api_key(raw: str) -> str:
    # API keys are 256-bit random strings, so one SHA-256 is enough and keeps intake fast; a
    # slow password hash would cost milliseconds on every request (see docs/architecture.md).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key for one source (a CAD, an RMS, a drop folder) of one agency.

    A consolidated dispatch center's key can also cover other agencies: their events are routed
    by ORI. The raw key is shown once at creation; only its hash is stored.
    """

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="api_keys")
    source = models.SlugField(max_length=60, help_text=_("Names the feed, e.g. 'cad' or 'rms'."))
    also_covers = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="+",
        help_text=_("Other agencies this feed dispatches for (routed by ORI)."),
    )
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["agency_id", "source", "-created"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.source} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "pl_" + secrets.token_urlsafe(32)

    def set_key(self, raw: str) -> None:
        self.prefix = raw[:10]
        self.key_hash = hash_api_key(raw)

    def covered_agency_ids(self) -> set[int]:
        return {self.agency_id, *self.also_covers.values_list("id", flat=True)}


class Role(models.TextChoices):
    ADMIN = "admin", _("Agency admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    DETECTIVE = "detective", _("Detective")
    COMMUNITY = "community", _("Community relations")
    RECORDS = "records", _("Records")
    READ_ONLY = "readonly", _("Read-only")


def close_accounts(user_ids: models.QuerySet[Any]) -> None:
    """Switch off the user accounts of staff who are being removed from their agency.

    Without a Staff row the account would still sign in, and is_staff alone still opens the
    admin login, so removal from the agency closes the account in the same transaction.
    """
    get_user_model().objects.filter(pk__in=user_ids).update(is_active=False, is_staff=False)


class StaffQuerySet(models.QuerySet["Staff"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            close_accounts(self.values("user_id"))
            return super().delete()


class Staff(models.Model):
    """A user's membership of one agency, with the role that decides what they may do."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff")
    agency = models.ForeignKey(Agency, models.CASCADE, related_name="staff")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.READ_ONLY)
    phone = models.CharField(
        max_length=32, blank=True, help_text=_("Shown to victims when this is their detective.")
    )

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["agency_id", "user__username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency.slug})"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            close_accounts(Staff.objects.filter(pk=self.pk).values("user_id"))
            return super().delete(*args, **kwargs)

    @property
    def can_configure(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_write(self) -> bool:
        return self.role != Role.READ_ONLY


class Disposition(models.Model):
    """An agency's public wording for one of its CAD's disposition codes ("GOA", "UTL").

    Callers read this in the closing text and on the track page; the raw code never reaches
    them. Codes without a row use Porchlight's built-in wording (notify/texts.py), or none.
    """

    agency = models.ForeignKey(
        Agency, models.CASCADE, related_name="dispositions", verbose_name=_("agency")
    )
    code = models.CharField(_("code"), max_length=64)
    wording = models.JSONField(
        _("wording"),
        default=dict,
        help_text=_('The words per language, e.g. {"en": "Officers gave advice.", "es": "…"}.'),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="disposition_unique")
        ]
        ordering = ["agency_id", "code"]
        verbose_name = _("disposition wording")
        verbose_name_plural = _("disposition wordings")

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        self.code = self.code.strip().upper()
        if not isinstance(self.wording, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in self.wording.items()
        ):
            raise ValidationError(
                {"wording": _("Give a language code and its words, each non-empty.")}
            )


class SingleSignOn(models.Model):
    """An agency's OpenID Connect identity provider (Entra ID, Okta, Keycloak, Google…).

    Staff sign in at /accounts/oidc/agency-<slug>/login/; agencies/sso.py hands this to
    allauth's openid_connect provider. A sign-in only ever reaches an existing staff member of
    this agency whose email the provider says is verified, and the second factor is still asked.
    The client secret is kept encrypted (the PII key, AES-GCM), or read from the environment
    variable PORCHLIGHT_OIDC_SECRET_<SLUG> when that is set.
    """

    agency = models.OneToOneField(
        Agency, models.CASCADE, related_name="sso", verbose_name=_("agency")
    )
    name = models.CharField(
        _("button text"), max_length=60, default="Agency sign-in", help_text=_("E.g. “City SSO”.")
    )
    issuer = models.URLField(
        _("issuer URL"),
        help_text=_("The provider's issuer, e.g. https://login.example.gov/realms/pd."),
    )
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret_enc = models.BinaryField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("single sign-on")
        verbose_name_plural = _("single sign-on")

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.slug})"

    @property
    def provider_id(self) -> str:
        return f"agency-{self.agency.slug}"

    def set_secret(self, raw: str) -> None:
        from porchlight.notify import pii

        self.client_secret_enc = pii.encrypt(raw) if raw else None

    def secret(self) -> str:
        import os

        from porchlight.notify import pii

        env = os.environ.get(f"PORCHLIGHT_OIDC_SECRET_{self.agency.slug.upper().replace('-', '_')}")
        return env or pii.decrypt(self.client_secret_enc) or ""
