"""Feedback: who worked a call (shifts, roster, beat supervisors), the surveys an agency asks,
the invitations and responses, and what comes of them (follow-ups, commendations, themes)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

# --- People ----------------------------------------------------------------------------------


class Shift(models.Model):
    """A named stretch of the day on the agency's clock ("Days 06:00–16:00"). A shift that
    ends at or before it starts runs past midnight."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    starts = models.TimeField(_("starts"), default=time(6, 0))
    ends = models.TimeField(_("ends"), default=time(16, 0))

    class Meta:
        ordering = ["agency", "starts", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="feedback_shift_name_unique")
        ]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self) -> str:
        return f"{self.name} ({self.starts:%H:%M}–{self.ends:%H:%M})"

    def covers(self, local: time) -> bool:
        if self.starts < self.ends:
            return self.starts <= local < self.ends
        return local >= self.starts or local < self.ends


class Officer(models.Model):
    """A sworn officer as the CAD names them (by badge or employee id). Linking a staff user
    lets them read their own commendations in the console."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    badge = models.CharField(_("badge or CAD id"), max_length=64)
    name = models.CharField(_("name"), max_length=120, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
        verbose_name=_("staff user"),
    )
    email = models.EmailField(_("email for commendations"), blank=True)
    email_commendations = models.BooleanField(_("email each commendation"), default=False)

    class Meta:
        ordering = ["agency", "name", "badge"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "badge"], name="feedback_officer_badge")
        ]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.name or self.badge} ({self.badge})"


class RosterEntry(models.Model):
    """Which officer rode in which unit on one shift of one day."""

    class Source(models.TextChoices):
        CSV = "csv", _("CSV import")
        CAD = "cad", _("CAD events")
        ADMIN = "admin", _("Entered in the admin")

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    shift = models.ForeignKey(Shift, models.CASCADE, related_name="roster")
    unit = models.CharField(_("unit"), max_length=32)
    officer = models.ForeignKey(Officer, models.CASCADE, related_name="roster")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        ordering = ["-day", "shift", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "shift", "unit", "officer"], name="feedback_roster_unique"
            )
        ]
        indexes = [models.Index(fields=["agency", "day", "unit"], name="feedback_roster_unit")]
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")

    def __str__(self) -> str:
        return f"{self.day} {self.shift.name} {self.unit}: {self.officer}"


class RosterImport(models.Model):
    """An uploaded roster CSV, applied a slice of rows at a time so the page can show progress
    and an interrupted import resumes where it stopped."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    text = models.TextField()
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.done}/{self.total})"


class BeatSupervisor(models.Model):
    """A supervisor who answers for a beat: follow-ups from its calls go to them."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    beat = models.CharField(_("beat"), max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("supervisor")
    )

    class Meta:
        ordering = ["agency", "beat"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "beat", "user"], name="feedback_beat_supervisor"
            )
        ]
        verbose_name = _("beat supervisor")
        verbose_name_plural = _("beat supervisors")

    def __str__(self) -> str:
        return f"{self.beat}: {self.user}"


# --- Surveys ---------------------------------------------------------------------------------


class When(models.TextChoices):
    CALL_CLEARED = "call_cleared", _("After a call clears")
    CASE_CLOSED = "case_closed", _("After a case closes")
    ONLINE_REPORT = "online_report", _("After an online report")


class Survey(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    when = models.CharField(
        _("send"), max_length=16, choices=When.choices, default=When.CALL_CLEARED
    )
    delay_hours = models.PositiveSmallIntegerField(
        _("delay (hours)"),
        default=24,
        help_text=_("After the call clears (or the case closes). Quiet hours still apply."),
    )
    sample_percent = models.PositiveSmallIntegerField(
        _("sampling rate (%)"), default=100, help_text=_("Share of eligible contacts asked.")
    )
    call_types_off = models.JSONField(
        _("not for these call types"),
        default=list,
        blank=True,
        help_text=_("Call type codes that never get this survey (exclusions apply anyway)."),
    )
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_es = models.TextField(_("introduction (Spanish)"), blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    def intro(self, language: str) -> str:
        return self.intro_es if language == "es" and self.intro_es else self.intro_en


class Kind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    YES_NO = "yesno", _("Yes / no")
    CHOICE = "choice", _("Single choice")
    TEXT = "text", _("Free text")
    NPS = "nps", _("Likelihood to recommend 0–10 (NPS)")


class About(models.TextChoices):
    """What a question measures, so follow-ups, commendations and measures know it."""

    OTHER = "", _("Other")
    CALL_TAKER = "call_taker", _("The call taker")
    OFFICER = "officer", _("The officer")
    OVERALL = "overall", _("Overall satisfaction")
    SAFETY = "safety", _("Feeling of safety")
    DIFFERENT = "different", _("What we could have done differently")
    TO_OFFICER = "to_officer", _("A message to the officer")
    CONTACT_ME = "contact_me", _("Please contact me")


class Question(models.Model):
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=10)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.RATING)
    about = models.CharField(
        _("measures"), max_length=16, choices=About.choices, blank=True, default=About.OTHER
    )
    required = models.BooleanField(_("required"), default=False)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_es = models.CharField(_("question (Spanish)"), max_length=300, blank=True)
    choices_en = models.TextField(_("choices (English)"), blank=True, help_text=_("One a line."))
    choices_es = models.TextField(_("choices (Spanish)"), blank=True, help_text=_("One a line."))

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text_en

    def text(self, language: str) -> str:
        return self.text_es if language == "es" and self.text_es else self.text_en

    def wording(self) -> str:
        """The question in the language being shown: staff reading answers in the Spanish
        console read the Spanish wording the caller answered, not the English one."""
        return self.text((translation.get_language() or "en").split("-")[0])

    def choices(self, language: str) -> list[str]:
        """The choices in this language. Answers are stored by position, so the languages'
        lists line up one for one."""
        source = (
            self.choices_es if language == "es" and self.choices_es.strip() else self.choices_en
        )
        return [c.strip() for c in source.splitlines() if c.strip()]


# --- Invitations and responses ---------------------------------------------------------------


class Invitation(models.Model):
    """One person asked once: a one-time link, and what their answers will be counted under
    (the call's beat, district, type, priority, shift, units, officers and call taker, copied
    when asked, so later changes to the call do not move old answers)."""

    # No index of their own (each invitation paid for them when the intake made it):
    # feedback_invitation_made leads with agency and feedback_invitation_once with survey, and
    # serve every lookup by either (EXPLAIN in docs/performance.md, issue 9 seventh pass).
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+", db_index=False)
    survey = models.ForeignKey(Survey, models.PROTECT, related_name="invitations", db_index=False)
    when = models.CharField(max_length=16, choices=When.choices)
    call = models.ForeignKey("calls.Call", models.SET_NULL, null=True, blank=True, related_name="+")
    # A case or an online report the invitation follows, by its number.
    reference = models.CharField(max_length=60, blank=True)
    contact = models.ForeignKey("notify.Contact", models.CASCADE, related_name="+")
    outbox = models.ForeignKey(
        "notify.Outbox", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Unique through Meta.constraints, not unique=True: on PostgreSQL the field option also
    # builds a text-pattern ("_like") index that no query uses (tokens are looked up whole).
    token_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=8, default="en")
    created = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    beat = models.CharField(max_length=32, blank=True)
    district = models.CharField(max_length=32, blank=True)
    call_type = models.CharField(max_length=200, blank=True)
    priority = models.CharField(max_length=16, blank=True)
    # Indexed in Meta.indexes, partial (feedback_invitation_shift): most invitations have no
    # shift (an agency without shifts), and every lookup asks for one.
    shift = models.ForeignKey(
        Shift, models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    units = models.JSONField(default=list, blank=True)
    officers = models.ManyToManyField(Officer, blank=True, related_name="invitations")
    call_taker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # One invitation per survey and call (or case, or report): a replayed batch or a
            # retried closure asks nobody twice.
            models.UniqueConstraint(
                fields=["survey", "when", "call", "reference"], name="feedback_invitation_once"
            ),
            models.UniqueConstraint(fields=["token_hash"], name="feedback_invitation_token"),
        ]
        indexes = [
            models.Index(fields=["agency", "created"], name="feedback_invitation_made"),
            models.Index(
                fields=["shift"],
                condition=models.Q(shift__isnull=False),
                name="feedback_invitation_shift",
            ),
        ]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"Invitation {self.pk} ({self.survey})"

    @property
    def number(self) -> str:
        """The number the person knows the matter by: the call's, or the case's (the
        reference is "case:<number>:<victim>" or "report:<number>:<victim>")."""
        if self.call is not None:
            return self.call.incident_number
        parts = self.reference.split(":")
        return parts[1] if len(parts) == 3 else self.reference


class Response(models.Model):
    invitation = models.OneToOneField(Invitation, models.CASCADE, related_name="response")
    started = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="en")

    class Meta:
        ordering = ["-started"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"Response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)  # rating, NPS, choice position
    yes = models.BooleanField(null=True, blank=True)
    text = models.TextField(blank=True)  # as typed; staff other than admins read it redacted
    themes = models.JSONField(default=list, blank=True)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="feedback_answer_once")
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"Answer {self.pk}"


# --- What comes of them ----------------------------------------------------------------------


class FollowUp(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WORKING = "working", _("In progress")
        RESOLVED = "resolved", _("Resolved")

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    response = models.OneToOneField(Response, models.CASCADE, related_name="follow_up")
    beat = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    told = models.ForeignKey(
        "notify.Outbox", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["status", "-created"]
        indexes = [models.Index(fields=["agency", "status"], name="feedback_followup_status")]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"Follow-up {self.pk} ({self.status})"


class FollowUpNote(models.Model):
    follow_up = models.ForeignKey(FollowUp, models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class Commendation(models.Model):
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    officer = models.ForeignKey(Officer, models.CASCADE, related_name="commendations")
    response = models.ForeignKey(Response, models.CASCADE, related_name="commendations")
    text = models.TextField()
    created = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "response"], name="feedback_commendation_once"
            )
        ]
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")

    def __str__(self) -> str:
        return f"Commendation for {self.officer}"


class Theme(models.TextChoices):
    RESPONSE_TIME = "response_time", _("Response time")
    COURTESY = "courtesy", _("Courtesy")
    PROFESSIONALISM = "professionalism", _("Professionalism")
    COMMUNICATION = "communication", _("Communication")
    OUTCOME = "outcome", _("Outcome")


class Lexicon(models.Model):
    """The words and phrases that put a comment in a theme, per language. Agencies edit them
    in the admin; the defaults come from porchlight/feedback/themes.py."""

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    language = models.CharField(_("language"), max_length=8)
    terms = models.TextField(
        _("terms"), help_text=_("One word or phrase a line. A trailing * matches any ending.")
    )

    class Meta:
        ordering = ["agency", "theme", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "theme", "language"], name="feedback_lexicon_unique"
            )
        ]
        verbose_name = _("theme lexicon")
        verbose_name_plural = _("theme lexicons")

    def __str__(self) -> str:
        return f"{self.get_theme_display()} ({self.language})"


class Settings(models.Model):
    """Marks an agency whose feedback defaults (survey, rules, lexicons) were installed, so
    an admin who deletes them is not overruled."""

    agency = models.OneToOneField("agencies.Agency", models.CASCADE, primary_key=True)
    installed = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback settings")
        verbose_name_plural = _("feedback settings")

    def __str__(self) -> str:
        return f"Feedback settings for {self.agency_id}"
