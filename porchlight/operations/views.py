"""The operations pages: intake health, retention (with holds), public-records exports.

Who may do what is decided in operations/access.py; every query is scoped to the staff
member's agency (agencies/console.py), and every change and export is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.calls.models import Call, Quarantine
from porchlight.cases.contacts import clean_email, clean_phone
from porchlight.cases.models import Case
from porchlight.notify import metrics, pii
from porchlight.notify.models import DUE_STATES, Channel, Contact, Outbox
from porchlight.operations import feeds, holds, records, retention
from porchlight.operations.access import acting_agency, can_configure, ops_required
from porchlight.operations.forms import ExportForm, HoldForm, PolicyForm, ReleaseForm
from porchlight.operations.models import (
    Feed,
    FeedSilence,
    LegalHold,
    Purge,
    RecordKind,
    RecordsSchedule,
    RetentionSettings,
)

PURGES_SHOWN = 50


# --- Intake health ----------------------------------------------------------------------------


@require_GET
@ops_required()
def intake(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Cheap when nothing arrived: one indexed read of the log past the cursor.
    feeds.catch_up(now)
    scoped_feeds = list(console.scoped(request, Feed.objects.select_related("agency")))
    open_by_source = list(
        console.scoped(request, Quarantine.objects.filter(state=Quarantine.State.OPEN))
        .order_by()
        .values("agency__name", "source")
        .annotate(n=Count("id"))
        .order_by("agency__name", "source")
    )
    due = console.scoped(request, Outbox.objects.filter(state__in=DUE_STATES, due_at__lte=now))
    lags = metrics.lag_by_channel(due, now)
    due_counts = dict(due.order_by().values_list("channel").annotate(n=Count("id")))
    lag_rows = [
        {
            "channel": label,
            "lag": lags.get(value, 0.0),
            "due": due_counts.get(value, 0),
        }
        for value, label in Channel.choices
    ]
    silences = FeedSilence.objects.select_related("feed", "feed__agency").filter(
        feed__in=[f.pk for f in scoped_feeds]
    )[:20]
    context = {
        "section": "operations",
        "feeds": feeds.health(scoped_feeds, now),
        "quarantine": open_by_source,
        "lag_rows": lag_rows,
        "silences": silences,
        "floor_minutes": feeds.floor_seconds() / 60,
    }
    return console.page(request, "operations/intake.html", context)


# --- Retention and holds --------------------------------------------------------------------


def _policy_initial(agency: Agency) -> dict[str, Any]:
    initial: dict[str, Any] = {"purge_after_days": RetentionSettings.days_for(agency.pk)}
    for kind, days in RecordsSchedule.objects.filter(agency=agency).values_list("kind", "min_days"):
        initial[f"min_{kind}"] = days
    return initial


def _retention_page(
    request: HttpRequest,
    agency: Agency | None,
    *,
    hold_form: HoldForm | None = None,
    policy_form: PolicyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"section": "retention", "agency": agency}
    if agency is None:
        context["agencies"] = Agency.objects.all()
        return console.page(request, "operations/retention.html", context, status=status)
    now = timezone.now()
    p = retention.policy(agency, now)
    active = LegalHold.objects.filter(agency=agency, released_at__isnull=True).select_related(
        "call", "case", "created_by"
    )
    released = LegalHold.objects.filter(agency=agency, released_at__isnull=False).select_related(
        "call", "case", "created_by", "released_by"
    )[:20]
    context.update(
        {
            "policy": p,
            "schedule": [
                (label, p.schedule.get(kind), p.keep_days(kind))
                for kind, label in RecordKind.choices
            ],
            "outlook": retention.outlook(agency, now),
            "holds": active,
            "released": released,
            "purges": Purge.objects.filter(agency=agency)[:PURGES_SHOWN],
            "purge_counts": dict(
                Purge.objects.filter(agency=agency)
                .order_by()
                .values_list("kind")
                .annotate(n=Count("id"))
            ),
            "hold_form": hold_form or HoldForm(),
            "release_form": ReleaseForm(),
            "policy_form": policy_form or PolicyForm(initial=_policy_initial(agency)),
            "can_set_policy": can_configure(request),
        }
    )
    return console.page(request, "operations/retention.html", context, status=status)


@require_GET
@ops_required(records=True)
def retention_view(request: HttpRequest) -> HttpResponse:
    return _retention_page(request, acting_agency(request))


def _agency_or_400(request: HttpRequest) -> Agency | HttpResponse:
    agency = acting_agency(request)
    if agency is None:
        return HttpResponse(_("Choose an agency first."), status=400, content_type="text/plain")
    return agency


@require_POST
@ops_required(records=True, configure=True)
def policy(request: HttpRequest) -> HttpResponse:
    agency = _agency_or_400(request)
    if isinstance(agency, HttpResponse):
        return agency
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return _retention_page(request, agency, policy_form=form, status=400)
    before = _policy_initial(agency)
    with transaction.atomic():
        RetentionSettings.objects.update_or_create(
            agency=agency, defaults={"purge_after_days": form.cleaned_data["purge_after_days"]}
        )
        for kind in RecordKind.values:
            days = form.cleaned_data.get(f"min_{kind}")
            if days is None:
                RecordsSchedule.objects.filter(agency=agency, kind=kind).delete()
            else:
                RecordsSchedule.objects.update_or_create(
                    agency=agency, kind=kind, defaults={"min_days": days}
                )
        after = _policy_initial(agency)
        record(
            "operations.retention.change",
            request=request,
            agency=agency,
            changes={
                k: [before.get(k), after.get(k)]
                for k in sorted(set(before) | set(after))
                if before.get(k) != after.get(k)
            },
        )
    messages.success(request, _("Retention settings saved."))
    return redirect(_retention_url(request, agency))


def _retention_url(request: HttpRequest, agency: Agency) -> str:
    from django.urls import reverse

    url = reverse("operations:retention")
    return url if hasattr(request.user, "staff") else f"{url}?agency={agency.slug}"


def _resolve(agency: Agency, target: str, value: str) -> dict[str, Any] | str:
    """The hold's target, or the reason it cannot be found."""
    value = value.strip()
    if target == "incident":
        call = Call.objects.filter(agency=agency, incident_number=value).first()
        return {"call": call} if call else _("No call has that incident number.")
    if target == "case":
        case = Case.objects.filter(agency=agency, number=value).first()
        return {"case": case} if case else _("No case has that number.")
    if target == "phone":
        clean = clean_phone(value)
        if not clean:
            return _("That is not a phone number.")
        channel = Channel.SMS
    else:
        clean = clean_email(value)
        if not clean:
            return _("That is not an email address.")
        channel = Channel.EMAIL
    contact = Contact.objects.filter(
        agency=agency, channel=channel, address_hash=pii.lookup_hash(clean)
    ).first()
    return {"contact": contact} if contact else _("No contact has that number or address.")


@require_POST
@ops_required(records=True)
def hold_place(request: HttpRequest) -> HttpResponse:
    agency = _agency_or_400(request)
    if isinstance(agency, HttpResponse):
        return agency
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _retention_page(request, agency, hold_form=form, status=400)
    found = _resolve(agency, form.cleaned_data["target"], form.cleaned_data["value"])
    if isinstance(found, str):
        form.add_error("value", found)
        return _retention_page(request, agency, hold_form=form, status=400)
    holds.place(agency, reason=form.cleaned_data["reason"], request=request, **found)
    messages.success(
        request, _("Hold placed. Nothing it covers will be purged until it is released.")
    )
    return redirect(_retention_url(request, agency))


@require_POST
@ops_required(records=True)
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(console.scoped(request, LegalHold.objects.all()), pk=pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            _("Give the reason for releasing the hold."), status=400, content_type="text/plain"
        )
    if holds.release(hold, reason=form.cleaned_data["reason"], request=request):
        messages.success(request, _("Hold released."))
    else:
        messages.info(request, _("That hold was released already."))
    return redirect(_retention_url(request, hold.agency))


# --- Public-records requests ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ops_required(records=True)
def records_export(request: HttpRequest) -> HttpResponse:
    agency = acting_agency(request)
    context: dict[str, Any] = {"section": "records", "agency": agency}
    if agency is None:
        context["agencies"] = Agency.objects.all()
        return console.page(request, "operations/records.html", context)
    if request.method == "GET":
        context["form"] = ExportForm()
        return console.page(request, "operations/records.html", context)
    form = ExportForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return console.page(request, "operations/records.html", context, status=400)
    data = form.cleaned_data
    try:
        subject = records.find(
            agency, phone=data["phone"], email=data["email"], case_number=data["case"]
        )
    except records.NotFound:
        context["not_found"] = True
        return console.page(request, "operations/records.html", context, status=404)
    except ValueError:
        form.add_error(None, _("That is not a phone number or an email address."))
        return console.page(request, "operations/records.html", context, status=400)
    export = records.build(subject)
    record(
        "operations.records.export",
        request=request,
        agency=agency,
        # Ids and counts only: the audit log never holds the number or address asked about.
        changes={
            "by": subject.kind,
            "contacts": [c.pk for c in subject.contacts],
            "cases": [c.pk for c in subject.cases],
            "rows": export.counts(),
        },
    )
    stamp: datetime = timezone.localtime(timezone.now(), agency.tz)
    name = f"records-{agency.slug}-{subject.kind}-{stamp:%Y%m%d-%H%M%S}.zip"
    response = HttpResponse(export.zip_bytes(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
