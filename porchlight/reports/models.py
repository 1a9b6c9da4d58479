"""What residents may report online, per agency: categories and each one's questions.

A category's words (name, description, notice) and a question's prompt are agency-written, per
language, like disposition wordings: {"en": "Vandalism", "es": "Vandalismo"}. `words()` picks
the reader's language, then the agency's default, then any.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.models import Agency

# The wording an agency gets when it writes none: every category says it is not for emergencies.
DEFAULT_NOTICE = {
    "en": "This form is not for emergencies and is not monitored 24/7. "
    "If someone is in danger or a crime is happening now, call 911.",
    "es": "Este formulario no es para emergencias y no se vigila las 24 horas. "
    "Si alguien está en peligro o un delito está ocurriendo ahora, llame al 911.",
}

CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,39}$",
    _("Lowercase letters, digits, - and _ only (it appears in URLs and the Open311 API)."),
)


def words(mapping: Any, language: str, fallback: str = "en") -> str:
    """The text for `language` from a {"en": …, "es": …} mapping, else the fallback's, else any."""
    if not isinstance(mapping, dict) or not mapping:
        return ""
    for key in (language, language.split("-")[0], fallback, "en"):
        value = mapping.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return next((v for v in mapping.values() if isinstance(v, str)), "")


def _check_wording(value: Any, field: str, *, required: bool) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise ValidationError({field: _("Give a language code and its words, each non-empty.")})
    if required and not value:
        raise ValidationError({field: _("Give the words in at least one language.")})


class Category(models.Model):
    """One kind of non-emergency report an agency takes online (an Open311 service)."""

    agency = models.ForeignKey(
        Agency, models.CASCADE, related_name="report_categories", verbose_name=_("agency")
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[CODE_VALIDATOR],
        help_text=_("Short and stable: the Open311 service_code, e.g. 'vandalism'."),
    )
    name = models.JSONField(
        _("name"), default=dict, help_text=_('Per language, e.g. {"en": "Vandalism", "es": "…"}.')
    )
    description = models.JSONField(
        _("description"),
        default=dict,
        blank=True,
        help_text=_("Per language: what belongs in this category, shown under its name."),
    )
    notice = models.JSONField(
        _("not-for-emergencies notice"),
        default=dict,
        blank=True,
        help_text=_("Per language, shown above the form. Empty: Porchlight's standard notice."),
    )
    offense_code = models.CharField(
        _("NIBRS offense code"), max_length=8, help_text=_("e.g. 23H for theft, 290 for vandalism.")
    )
    offense = models.CharField(
        _("offense"), max_length=100, help_text=_("The case's offense description.")
    )
    group = models.CharField(_("group"), max_length=60, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    # The standard fields this category insists on (the questions say their own).
    description_required = models.BooleanField(_("description required"), default=True)
    address_required = models.BooleanField(
        _("location required"), default=True, help_text=_("Off: 'where' may be left empty.")
    )
    contact_required = models.BooleanField(
        _("phone or email required"),
        default=True,
        help_text=_("Off: the reporter may file anonymously (and then gets no updates)."),
    )
    photos_allowed = models.BooleanField(_("photos allowed"), default=True)
    active = models.BooleanField(_("offered"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The Open311 discovery document's changeset: when the offered services last changed.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="report_category_unique")
        ]
        ordering = ["agency_id", "order", "code"]
        verbose_name = _("online report category")
        verbose_name_plural = _("online report categories")

    def __str__(self) -> str:
        return words(self.name, "en") or self.code

    def clean(self) -> None:
        if self.code == "filed":
            # /report/<agency>/filed/ is the confirmation page.
            raise ValidationError({"code": _("This code is reserved; choose another.")})
        _check_wording(self.name, "name", required=True)
        _check_wording(self.description, "description", required=False)
        _check_wording(self.notice, "notice", required=False)

    def name_in(self, language: str) -> str:
        return words(self.name, language, self.agency.default_language) or self.code

    def description_in(self, language: str) -> str:
        return words(self.description, language, self.agency.default_language)

    def notice_in(self, language: str) -> str:
        return words(self.notice, language, self.agency.default_language) or words(
            DEFAULT_NOTICE, language
        )


class Question(models.Model):
    """One extra question a category asks (an Open311 attribute)."""

    class Kind(models.TextChoices):
        # The values are Open311's attribute datatypes.
        STRING = "string", _("short text")
        TEXT = "text", _("long text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        ONE = "singlevaluelist", _("one choice")
        MANY = "multivaluelist", _("several choices")

    category = models.ForeignKey(
        Category, models.CASCADE, related_name="questions", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=40, validators=[CODE_VALIDATOR])
    prompt = models.JSONField(_("question"), default=dict, help_text=_("Per language."))
    kind = models.CharField(_("kind of answer"), max_length=16, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_(
            'For choice questions: [{"key": "car", "name": {"en": "Car", "es": "Carro"}}, …].'
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="report_question_unique")
        ]
        ordering = ["category_id", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.code

    @property
    def agency(self) -> Agency:
        # Lets the scoped admin place a question in its category's agency.
        return self.category.agency

    @property
    def is_list(self) -> bool:
        return self.kind in (self.Kind.ONE, self.Kind.MANY)

    def clean(self) -> None:
        _check_wording(self.prompt, "prompt", required=True)
        if not isinstance(self.choices, list):
            raise ValidationError({"choices": _("Give a list of choices.")})
        keys = []
        for choice in self.choices:
            if (
                not isinstance(choice, dict)
                or not isinstance(choice.get("key"), str)
                or not choice["key"].strip()
                or not isinstance(choice.get("name"), dict)
            ):
                raise ValidationError(
                    {"choices": _('Each choice needs a "key" and a "name" per language.')}
                )
            _check_wording(choice["name"], "choices", required=True)
            keys.append(choice["key"])
        if len(set(keys)) != len(keys):
            raise ValidationError({"choices": _("Each choice needs its own key.")})
        if self.is_list and not self.choices:
            raise ValidationError({"choices": _("A choice question needs its choices.")})
        if not self.is_list and self.choices:
            raise ValidationError({"choices": _("Only choice questions have choices.")})

    def prompt_in(self, language: str) -> str:
        return words(self.prompt, language, self.category.agency.default_language) or self.code

    def choices_in(self, language: str) -> list[tuple[str, str]]:
        fallback = self.category.agency.default_language
        return [(c["key"], words(c["name"], language, fallback) or c["key"]) for c in self.choices]


class Source(models.TextChoices):
    # Also the case's source (cases.Case.source), so staff see where a case came from.
    ONLINE = "online", _("web form")
    OPEN311 = "open311", _("Open311")


class Report(models.Model):
    """A report a resident filed online or an app filed through Open311: it opened `case`.

    The reporter's phone and email are not here: they went to the case's reporter contact
    (encrypted, looked up by keyed hash), like a caller's.
    """

    agency = models.ForeignKey(
        Agency, models.CASCADE, related_name="online_reports", verbose_name=_("agency")
    )
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="reports", verbose_name=_("category")
    )
    case = models.OneToOneField(
        "cases.Case", models.CASCADE, related_name="online_report", verbose_name=_("case")
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # Open311's token: what `GET tokens/{token}` looks up. Unguessable, since that is public.
    token = models.CharField(max_length=32, unique=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    h3 = models.BigIntegerField(null=True, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8)
    photos = models.ManyToManyField(
        "media.MediaFile", blank=True, related_name="+", verbose_name=_("photos")
    )
    # Open311's media_url: a link the app hosts. Kept as a link for staff, never fetched here.
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    api_key = models.ForeignKey(
        "agencies.ApiKey", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["agency", "filed_at"], name="report_agency_filed")]
        ordering = ["-filed_at", "-id"]
        verbose_name = _("online report")
        verbose_name_plural = _("online reports")

    def __str__(self) -> str:
        return f"{self.case.number} ({self.category.code})"
