"""The notify admin: contacts and the outbox (read-only, masked), message rules with their
templates and live preview, delivery settings, and sending numbers. All agency-scoped and
audited (AgencyScopedAdmin)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from porchlight import reasons
from porchlight.agencies.admin_scope import AgencyScopedAdmin, acting_agency
from porchlight.agencies.models import Agency
from porchlight.notify import gsm, pii, templating, texts
from porchlight.notify.models import (
    Accents,
    Contact,
    DeliverySettings,
    Outbox,
    Rule,
    Sender,
    Template,
    Trigger,
)


@admin.register(Contact)
class ContactAdmin(AgencyScopedAdmin):
    read_only = True
    list_display = ("channel", "masked_address", "created", "purged_at")
    list_filter = ("channel", ("purged_at", admin.EmptyFieldListFilter))
    fields = ("agency", "channel", "masked_address", "created", "purged_at")
    readonly_fields = ("masked_address",)
    # Addresses are encrypted, so search goes through the keyed lookup hash of the exact
    # number or email; the search box needs a field name to show, this is it.
    search_fields = ("address_hash",)
    search_help_text = _("Search by the full phone number or email address.")

    @admin.display(description=_("Address"))
    def masked_address(self, obj: Contact) -> str:
        return pii.mask(obj.address)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Contact], search_term: str
    ) -> tuple[QuerySet[Contact], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        address = term.lower() if "@" in term else pii.normalize_phone(term)
        if address is None:
            return queryset.none(), False
        return queryset.filter(address_hash=pii.lookup_hash(address)), False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields


@admin.register(Outbox)
class OutboxAdmin(AgencyScopedAdmin):
    """Every message planned for a caller, sent or not, with the reason when it was not.

    Read-only: the outbox is written by intake and the worker. The body is shown because it is
    what the caller read; the recipient is masked.
    """

    read_only = True
    list_display = ("created", "incident", "trigger", "channel", "state", "why", "masked_to")
    list_filter = ("state", "trigger", "channel")
    search_fields = ("call__incident_number",)
    search_help_text = _("Search by incident number.")
    list_select_related = ("call", "contact")
    fields = (
        "agency", "incident", "trigger", "channel", "masked_to", "state", "why", "reason", "due_at",
        "attempts", "error_code", "provider_id", "sent_from", "sent_at", "sent_by", "delivered_at",
        "body", "created",
    )  # fmt: skip
    readonly_fields = ("incident", "masked_to", "why")

    @admin.display(description=_("Why"))
    def why(self, obj: Outbox) -> str:
        # In the admin's language; the stored code (`reason`) stays as it is for integrators.
        return reasons.describe(obj.reason)

    @admin.display(description=_("Incident"), ordering="call__incident_number")
    def incident(self, obj: Outbox) -> str:
        return obj.call.incident_number if obj.call else ""

    # "To" a person, not "to" a date: Spanish says "Para" here and "Hasta" in date filters.
    @admin.display(description=pgettext_lazy("recipient", "To"))
    def masked_to(self, obj: Outbox) -> str:
        return pii.mask(obj.contact.address)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields


# --- Rules and templates ----------------------------------------------------------------------

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class CodeListField(forms.CharField):
    """A list of codes, typed as "459R, 415" and stored as a JSON list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        codes: list[str] = []
        for code in re.split(r"[,\s]+", text or ""):
            if code and code not in codes:
                codes.append(code)
        return codes


def _code_field(name: str) -> CodeListField:
    model_field = Rule._meta.get_field(name)
    # Lazy: the form class is built once, at import, and shown in each admin's own language.
    return CodeListField(
        required=False,
        label=capfirst(model_field.verbose_name),  # type: ignore[union-attr]
        help_text=format_lazy(
            "{} {}",
            _("Separate codes with commas."),
            model_field.help_text,  # type: ignore[union-attr]
        ),
    )


class RuleForm(forms.ModelForm):
    call_types_in = _code_field("call_types_in")
    call_types_out = _code_field("call_types_out")
    priority_codes = _code_field("priority_codes")
    sources = _code_field("sources")

    class Meta:
        model = Rule
        fields = (
            "agency", "name", "trigger", "enabled", "position", "sms", "email", "valid_minutes",
            "call_types_in", "call_types_out", "priority_codes", "sources",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency = data.get("agency") or (self.instance.agency if self.instance.agency_id else None)
        if agency is None:
            return data
        # A misspelt code would make a rule that silently never matches: refuse it instead.
        known_types = {c.upper() for c in agency.call_types.values_list("code", flat=True)}
        for name in ("call_types_in", "call_types_out"):
            unknown = [c for c in data.get(name) or [] if c.upper() not in known_types]
            if unknown:
                self.add_error(
                    name,
                    _("Unknown call type code(s): %(codes)s.") % {"codes": ", ".join(unknown)},
                )
        known_priorities = {c.upper() for c in agency.priority_codes.values_list("code", flat=True)}
        unknown = [c for c in data.get("priority_codes") or [] if c.upper() not in known_priorities]
        if unknown:
            self.add_error(
                "priority_codes",
                _("Unknown priority code(s): %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        return data


def check_template(
    agency: Agency | None, trigger: str, language: str, body: str, subject: str
) -> tuple[str, str]:
    """Render a template with sample values, or raise TemplateProblem with the reason. The
    sample values are in the template's language; the reason in the admin's."""
    with translation.override(language):
        samples = texts.sample_values(agency)
    return templating.check(body, subject, trigger, samples)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ("language", "subject", "body")
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6, "cols": 60, "class": "template-body"}),
            "subject": forms.TextInput(attrs={"size": 60, "class": "template-subject"}),
            "language": forms.TextInput(attrs={"size": 6, "class": "template-language"}),
        }
        help_texts = {"language": _("A language code: en, es, vi, zh…")}

    def clean_language(self) -> str:
        code = (self.cleaned_data.get("language") or "").strip().lower().replace("_", "-")
        if not _LANGUAGE.match(code):
            raise forms.ValidationError(_("Use a language code such as en, es or zh-hant."))
        return code

    def clean_body(self) -> str:
        return (self.cleaned_data.get("body") or "").replace("\r\n", "\n")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The inline's parent rule, as the rule form just built it (its trigger may be new).
        rule = data.get("rule")
        if not isinstance(rule, Rule) or data.get("DELETE"):
            return data
        if self.errors or "body" not in data:
            return data
        agency = rule.agency if rule.agency_id else None
        try:
            check_template(
                agency,
                rule.trigger,
                data.get("language") or "en",
                data["body"],
                data.get("subject") or "",
            )
        except templating.TemplateProblem as exc:
            self.add_error(exc.field, str(exc))
        return data


class TemplateFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        kept = [
            f for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("body")
        ]  # fmt: skip
        if not kept:
            raise forms.ValidationError(_("A rule needs a template in at least one language."))


class TemplateInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Template
    form = TemplateForm
    formset = TemplateFormSet
    template = "admin/notify/rule/template_inline.html"
    fields = ("language", "subject", "body")

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 1 if obj is None else 0

    # The rule's own admin decides; an inline asks the model's permissions otherwise.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Rule].has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Rule].has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Rule].has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Rule].has_change_permission(request, obj)


@admin.register(Rule)
class RuleAdmin(AgencyScopedAdmin):
    """An agency's message rules, each with its templates and a live preview beside them."""

    form = RuleForm
    inlines = (TemplateInline,)
    list_display = ("name", "trigger", "enabled", "position", "sms", "email", "languages")
    list_filter = ("trigger", "enabled")
    search_fields = ("name",)
    ordering = ("position", "id")
    fieldsets = (
        (None, {"fields": ("agency", "name", "trigger", "enabled", "position")}),
        (_("Channels"), {"fields": ("sms", "email", "push", "valid_minutes")}),
        (
            _("Conditions"),
            {
                "fields": ("call_types_in", "call_types_out", "priority_codes", "sources"),
                "description": _(
                    "Leave a list empty to match every call. Sensitive and unreviewed call "
                    "types, juvenile and do-not-contact calls are never texted, whatever a "
                    "rule says."
                ),
            },
        ),
    )

    class Media:
        css = {"all": ("notify/rule_admin.css",)}
        js = ("notify/template_preview.js",)

    @admin.display(description=_("Languages"))
    def languages(self, obj: Rule) -> str:
        return ", ".join(sorted(t.language for t in obj.templates.all()))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rule]:
        return super().get_queryset(request).prefetch_related("templates")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        # The fields a template may use, listed once above the templates. The admin shows a
        # fieldset description as HTML, so it is built escaped.
        intro = _(
            "Templates show fields like %(example)s and choose with %(condition)s. Call updates "
            "use the call's fields; case, survey and alert messages their own. Fields:"
        ) % {
            "example": "{{ incident_number }}",
            "condition": "{% if report_number %}…{% endif %}",
        }
        fields = format_html_join(
            "",
            "<li><code>{}</code>: {}</li>",
            ((name, str(help)) for name, help in templating.FIELDS.items()),
        )
        return [
            *super().get_fieldsets(request, obj),
            (
                _("Template fields"),
                {
                    "fields": (),
                    "classes": ("template-field-list",),
                    "description": format_html("<p>{}</p><ul>{}</ul>", intro, fields),
                },
            ),
        ]

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        obj.updated = timezone.now()
        super().save_model(request, obj, form, change)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        message = super().construct_change_message(request, form, formsets, add)
        # The audit entry names the template changes too: the words are what callers read.
        fields = list(getattr(request, "_audit_fields", []))
        for formset in formsets or []:
            for obj in formset.new_objects:
                fields.append(f"template[{obj.language}]:added")
            for obj, changed in formset.changed_objects:
                fields.extend(f"template[{obj.language}].{name}" for name in changed)
            for obj in formset.deleted_objects:
                fields.append(f"template[{obj.language}]:deleted")
        request._audit_fields = fields  # type: ignore[attr-defined]
        return message

    # --- the live preview -------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="notify_rule_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The template rendered with sample values, its SMS encoding and segments, and the
        characters that force UCS-2. JSON; POST with the CSRF token (the admin view checks
        it), for staff who may edit rules. Sample values only: no personal data is read."""

        def refuse(status: int, reason: Any, field: str = "") -> JsonResponse:
            return JsonResponse({"ok": False, "error": str(reason), "field": field}, status=status)

        if request.method != "POST":
            return refuse(405, _("Send the template with POST."))
        if not self.may_configure(request):
            return refuse(403, _("You may not edit message rules."))
        agency = acting_agency(request)
        rule_id = request.POST.get("rule", "").strip()
        if rule_id:
            rule = self.get_object(request, rule_id)
            if rule is None:
                return refuse(404, _("No such rule."))
            agency = rule.agency
        trigger = request.POST.get("trigger", "")
        if trigger not in Trigger.values:
            return refuse(400, _("Choose a trigger first."), "trigger")
        language = request.POST.get("language", "").strip().lower() or "en"
        if not _LANGUAGE.match(language):
            return refuse(400, _("Use a language code such as en, es or zh-hant."), "language")
        body = request.POST.get("body", "").replace("\r\n", "\n")
        subject = request.POST.get("subject", "")
        try:
            text, title = check_template(agency, trigger, language, body, subject)
        except templating.TemplateProblem as exc:
            return refuse(400, exc, exc.field)
        policy = _policy(agency)
        # As the worker sends it: normalised, accents written plain when the agency chose that
        # and it saves a segment (texts.as_sent).
        sent = gsm.cheapest(text, keep_accents=policy.accents == Accents.KEEP)
        written, analysis = gsm.analyse(text), gsm.analyse(sent)
        limit = gsm.SINGLE[analysis.encoding] if analysis.segments <= 1 else None
        summary = ngettext(
            "%(encoding)s, %(segments)d segment, %(units)d characters",
            "%(encoding)s, %(segments)d segments, %(units)d characters",
            analysis.segments,
        ) % {"encoding": analysis.encoding, "segments": analysis.segments, "units": analysis.units}
        if limit is not None:
            summary += " " + _("(of %(limit)d in one segment)") % {"limit": limit}
        price = policy.price_per_segment
        per_thousand = (price * analysis.segments * 1000).quantize(Decimal("0.01"))
        cost = _("%(cost)s per 1,000 texts, at %(price)s a segment") % {
            "cost": f"${per_thousand:,.2f}",
            "price": f"${price.normalize():f}",
        }
        plain = sent != gsm.normalise(text)
        return JsonResponse(
            {
                "ok": True,
                "text": sent,
                "subject": title,
                "encoding": analysis.encoding,
                "segments": analysis.segments,
                "units": analysis.units,
                "summary": summary,
                "cost": cost,
                "cost_per_thousand": str(per_thousand),
                "written": {"encoding": written.encoding, "segments": written.segments},
                "flags": [_flag(f, plain) for f in written.flags],
            }
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Saved, not refused: an agency may want its accents (or an emoji) at UCS-2's price,
        # but it should know what it pays.
        rule = form.instance
        policy = _policy(rule.agency)
        keep = policy.accents == Accents.KEEP
        for template in rule.templates.order_by("language"):
            if not rule.sms:
                break
            try:
                text, _title = check_template(
                    rule.agency, rule.trigger, template.language, template.body, ""
                )
            except templating.TemplateProblem:
                continue
            analysis = gsm.analyse(gsm.cheapest(text, keep_accents=keep))
            if analysis.encoding != gsm.UCS2:
                continue
            forcing = "".join(
                dict.fromkeys(
                    f.char
                    for f in analysis.flags
                    if f.replacement is None and (keep or gsm.plain(f.char) == f.char)
                )
            )
            messages.warning(
                request,
                ngettext(
                    "The %(language)s text goes as UCS-2 because of %(chars)s: 70 characters a "
                    "segment instead of 160, %(segments)d segment with sample values.",
                    "The %(language)s text goes as UCS-2 because of %(chars)s: 70 characters a "
                    "segment instead of 160, %(segments)d segments with sample values.",
                    analysis.segments,
                )
                % {
                    "language": template.language,
                    "chars": " ".join(forcing) or "?",
                    "segments": analysis.segments,
                },
            )


def _policy(agency: Agency | None) -> DeliverySettings:
    """The agency's delivery settings (their defaults when it has none, or for no agency)."""
    return DeliverySettings.for_agency(agency.pk) if agency is not None else DeliverySettings()


def _flag(flag: gsm.Flag, plain: bool = False) -> dict[str, Any]:
    shown = flag.char if flag.char.isprintable() and not flag.char.isspace() else flag.code
    letter = gsm.plain(flag.char)
    if flag.replacement is None and plain and letter != flag.char:
        note = _(
            "%(char)s (%(name)s) forces UCS-2: written %(replacement)s when sent, which saves "
            "a segment (your delivery settings)."
        ) % {"char": shown, "name": flag.name, "replacement": letter}
    elif flag.replacement is None:
        note = _(
            "%(char)s (%(name)s) has no GSM equivalent: the text goes as UCS-2 "
            "(70 characters a segment)."
        ) % {"char": shown, "name": flag.name}
    else:
        words = {"": _("nothing"), " ": _("a space"), "\n": _("a line break")}
        note = _("%(char)s (%(name)s) forces UCS-2: replaced by %(replacement)s when sent.") % {
            "char": shown,
            "name": flag.name,
            "replacement": words.get(flag.replacement, flag.replacement),
        }
    return {
        "char": flag.char,
        "code": flag.code,
        "name": flag.name,
        "count": flag.count,
        "replacement": flag.replacement,
        "note": note,
    }


# --- Delivery settings and sending numbers ----------------------------------------------------


@admin.register(DeliverySettings)
class DeliverySettingsAdmin(AgencyScopedAdmin):
    """Quiet hours, per-recipient caps, and what texts cost: the merge window, accents, the
    price per segment. The pause switch is in the console (Messages)."""

    list_display = ("agency", "quiet_start", "quiet_end", "max_per_hour", "max_per_day")
    fields = (
        "agency", "quiet_start", "quiet_end", "max_per_hour", "max_per_day", "merge_seconds",
        "accents", "price_per_segment", "paused_at",
    )  # fmt: skip
    readonly_fields = ("paused_at",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if not self.may_configure(request):
            return False
        # One row per agency (its primary key is the agency): staff change theirs once made.
        agency = acting_agency(request)
        return agency is None or not DeliverySettings.objects.filter(agency=agency).exists()


_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


class SenderForm(forms.ModelForm):
    class Meta:
        model = Sender
        fields = (
            "agency", "label", "profile", "phone_number", "messaging_service_sid", "pool_size",
            "rate_per_second", "is_default",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = (data.get("phone_number") or "").strip()
        sid = (data.get("messaging_service_sid") or "").strip()
        if number and not _E164.match(number):
            self.add_error("phone_number", _("Write the number in E.164 form, e.g. +16615550100."))
        if sid and not _SERVICE_SID.match(sid):
            self.add_error(
                "messaging_service_sid", _("A messaging service SID is MG and 32 hex digits.")
            )
        if not number and not sid:
            raise forms.ValidationError(_("Give a phone number or a messaging service SID."))
        if data.get("profile") == Sender.Profile.POOL and not sid:
            self.add_error(
                "messaging_service_sid", _("A pool sends through a Twilio messaging service.")
            )
        if data.get("rate_per_second") is not None and data["rate_per_second"] <= 0:
            self.add_error("rate_per_second", _("A rate must be more than zero."))
        agency = data.get("agency") or (self.instance.agency if self.instance.agency_id else None)
        if data.get("is_default") and agency is not None:
            others = Sender.objects.filter(agency=agency, is_default=True).exclude(
                pk=self.instance.pk
            )
            if others.exists():
                self.add_error(
                    "is_default",
                    _("%(other)s is the default already: untick it there first.")
                    % {"other": others.first()},
                )
        return data


@admin.register(Sender)
class SenderAdmin(AgencyScopedAdmin):
    form = SenderForm
    list_display = ("label", "profile", "phone_number", "messaging_service_sid", "is_default")
    list_filter = ("profile",)
    fields = SenderForm.Meta.fields
