"""Staff console for intake: the quarantine, and the code mappings that let held events apply.

Who may do what (porchlight.agencies.staff):
- every staff role may look;
- supervisors and other non-read-only roles may replay and discard;
- agency admins change mappings.
Every query goes through `_scoped`, so staff only ever see their own agency; platform
superusers see every agency. Every change, and every read of a quarantined event, is audited.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Model, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porchlight import reasons
from porchlight.agencies import console
from porchlight.agencies.models import Agency, PriorityCode, StatusCode
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.audit.log import record
from porchlight.calls import advice, track, unmapped
from porchlight.calls import replay as replays
from porchlight.calls.import_views import reapply_choices
from porchlight.calls.models import (
    Call,
    CallType,
    Quarantine,
    QuarantineOverflow,
    Status,
    TrackLink,
)
from porchlight.notify import pii
from porchlight.notify.pii import mask

PAGE_SIZE = 50


# --- Home -----------------------------------------------------------------------------------


@require_GET
@requires(Cap.CONSOLE)
def home(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(hours=24)
    counts = {
        "open_quarantine": console.scoped(
            request, Quarantine.objects.filter(state=Quarantine.State.OPEN)
        ).count(),
        "call_types": console.scoped(request, CallType.objects.filter(needs_mapping=True)).count(),
        "priorities": console.scoped(
            request, PriorityCode.objects.filter(rank__isnull=True)
        ).count(),
        "recent_calls": console.scoped(
            request, Call.objects.filter(first_event_at__gte=since)
        ).count(),
        "calls_need_mapping": console.scoped(
            request, Call.objects.filter(needs_mapping=True)
        ).count(),
    }
    return console.page(request, "console/home.html", {"counts": counts, "section": "home"})


# --- Quarantine -----------------------------------------------------------------------------


class QuarantineFilter(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=Quarantine.State.choices,
        required=False,
        initial=Quarantine.State.OPEN,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("Any kind")), *Quarantine.Kind.choices],
        required=False,
    )
    source = forms.CharField(label=gettext_lazy("Source"), max_length=60, required=False)

    def apply(self, qs: QuerySet[Quarantine]) -> QuerySet[Quarantine]:
        data = self.cleaned_data
        qs = qs.filter(state=data["state"] or Quarantine.State.OPEN)
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["source"]:
            qs = qs.filter(source=data["source"])
        return qs


@require_GET
@requires(Cap.CONSOLE)
def quarantine_list(request: HttpRequest) -> HttpResponse:
    scoped = console.scoped(request, Quarantine.objects.all())
    form = QuarantineFilter(request.GET or None)
    if request.GET and not form.is_valid():
        context = {"form": form, "section": "quarantine", "page": None, "sources": []}
        return console.page(request, "console/quarantine_list.html", context, status=400)
    qs = form.apply(scoped) if form.is_bound else scoped.filter(state=Quarantine.State.OPEN)
    page = Paginator(qs.select_related("agency"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sources": scoped.order_by().values_list("source", flat=True).distinct(),
        "showing_open": not form.is_bound
        or form.cleaned_data["state"] in ("", Quarantine.State.OPEN),
        "section": "quarantine",
        **_bursts(request, scoped),
    }
    return console.page(request, "console/quarantine_list.html", context)


# How far back the list page counts what the hourly cap did not keep.
NOT_KEPT_WINDOW = timedelta(days=7)
REASONS_SHOWN = 10


def _bursts(request: HttpRequest, scoped: QuerySet[Quarantine]) -> dict[str, Any]:
    """The open items' most common reasons (to discard in bulk), and what the quarantine's
    hourly cap per feed did not keep (settings.QUARANTINE_MAX_PER_HOUR)."""
    by_reason = (
        scoped.filter(state=Quarantine.State.OPEN)
        .values("reason")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("-n", "reason")[:REASONS_SHOWN]
    )
    not_kept = (
        console.scoped(request, QuarantineOverflow.objects.all())
        .filter(hour__gte=timezone.now() - NOT_KEPT_WINDOW)
        .values("source", "reason")
        .annotate(n=Sum("count"))
        .order_by("-n", "source", "reason")
    )
    return {
        "by_reason": list(by_reason),
        "not_kept": list(not_kept),
        "not_kept_days": NOT_KEPT_WINDOW.days,
        "bulk_discard_form": BulkDiscardForm(),
    }


class BulkDiscardForm(forms.Form):
    held_for = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason for discarding"),
        max_length=200,
        help_text=gettext_lazy("For example: test event sent by the CAD vendor."),
    )


@require_POST
@requires(Cap.CALLS_OPERATE)
def quarantine_discard_reason(request: HttpRequest) -> HttpResponse:
    """Discard every open event held for one reason (a burst of one kind of bad event)."""
    form = BulkDiscardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for discarding; nothing was discarded."))
        return redirect("console:quarantine_list")
    n = replays.discard_by_reason(
        console.scoped(request, Quarantine.objects.all()),
        form.cleaned_data["held_for"],
        form.cleaned_data["reason"],
        request=request,
    )
    messages.success(
        request, ngettext("%(n)d event discarded.", "%(n)d events discarded.", n) % {"n": n}
    )
    return redirect("console:quarantine_list")


def _masked(raw: Any) -> str:
    """The raw event for display, with the caller's phone and email masked."""
    if isinstance(raw, dict) and "caller" in raw:
        raw = dict(raw)
        caller = raw["caller"]
        if isinstance(caller, dict):
            raw["caller"] = {
                k: (mask(str(v)) if k in ("phone", "email") and v not in (None, "") else v)
                for k, v in caller.items()
            }
        elif caller not in (None, ""):
            # A malformed caller (a bare string, say) may itself be a phone number.
            raw["caller"] = mask(str(caller))
    return json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=True)


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for discarding"),
        max_length=200,
        help_text=gettext_lazy("For example: test event sent by the CAD vendor."),
    )


def _detail(
    request: HttpRequest, item: Quarantine, discard_form: DiscardForm, status: int = 200
) -> HttpResponse:
    raw = item.raw
    # Opening a held event reads personal data (even masked, it identifies the caller's call).
    record("quarantine.view", request=request, agency=item.agency, target=item)
    context = {
        "item": item,
        "raw_text": _masked(raw),
        **_export_row(request, item),
        "advice": advice.for_item(item),
        "discard_form": discard_form,
        "section": "quarantine",
    }
    return console.page(request, "console/quarantine_detail.html", context, status=status)


def _export_row(request: HttpRequest, item: Quarantine) -> dict[str, Any]:
    """An import row's CSV row, decrypted for staff: its columns may name a caller or an
    address, so the read is audited on its own, with the run and line it came from."""
    if item.row_enc is None:
        return {}
    row = json.loads(pii.decrypt(item.row_enc) or "{}")
    record(
        "quarantine.view_row",
        request=request,
        agency=item.agency,
        target=item,
        changes={"import_run": item.import_run_id, "line": item.line},
    )
    return {
        "export_row": [
            (k, v if not isinstance(v, list) else ", ".join(map(str, v))) for k, v in row.items()
        ],
        "reapply_choices": reapply_choices(item.agency) if item.import_run_id else [],
    }


def _item(request: HttpRequest, pk: int) -> Quarantine:
    return get_object_or_404(
        console.scoped(request, Quarantine.objects.select_related("agency")), pk=pk
    )


@require_GET
@requires(Cap.CONSOLE)
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _item(request, pk), DiscardForm())


def _report(request: HttpRequest, result: replays.ReplayResult) -> None:
    if result.resolved:
        n = len(result.resolved)
        messages.success(
            request,
            ngettext("%(n)d event replayed and resolved.", "%(n)d events replayed and resolved.", n)
            % {"n": n},
        )
    if result.still_open:
        n = len(result.still_open)
        messages.warning(
            request,
            ngettext(
                "%(n)d event was rejected again and stays open: %(reason)s",
                "%(n)d events were rejected again and stay open. First reason: %(reason)s",
                n,
            )
            % {"n": n, "reason": reasons.describe_event(result.still_open[0].reason)},
        )
    if result.skipped:
        messages.info(request, _("Some items were no longer open and were left as they are."))
    if not (result.resolved or result.still_open or result.skipped):
        messages.info(request, _("Nothing to replay."))


@require_POST
@requires(Cap.CALLS_OPERATE)
def quarantine_replay(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    _report(request, replays.replay(item, request=request))
    return redirect(console.next_url(request, reverse("console:quarantine_detail", args=[item.pk])))


@require_POST
@requires(Cap.CALLS_OPERATE)
def quarantine_replay_bulk(request: HttpRequest) -> HttpResponse:
    open_items = console.scoped(request, Quarantine.objects.filter(state=Quarantine.State.OPEN))
    if request.POST.get("all") == "1":
        form = QuarantineFilter({**request.POST.dict(), "state": Quarantine.State.OPEN})
        if not form.is_valid():
            messages.error(request, _("The filter was not valid; nothing was replayed."))
            return redirect("console:quarantine_list")
        ids = list(form.apply(open_items).values_list("pk", flat=True))
    else:
        try:
            wanted = [int(v) for v in request.POST.getlist("ids")]
        except ValueError:
            messages.error(request, _("The selection was not valid; nothing was replayed."))
            return redirect("console:quarantine_list")
        if not wanted:
            messages.error(request, _("Select at least one event to replay."))
            return redirect(console.next_url(request, reverse("console:quarantine_list")))
        # Only ids in the staff member's own agency survive this filter.
        ids = list(open_items.filter(pk__in=wanted).values_list("pk", flat=True))
    _report(request, replays.replay_many(ids, request=request))
    return redirect(console.next_url(request, reverse("console:quarantine_list")))


@require_POST
@requires(Cap.CALLS_OPERATE)
def quarantine_discard(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = DiscardForm(request.POST)
    if not form.is_valid():
        return _detail(request, item, form, status=400)
    if replays.discard(item, form.cleaned_data["reason"], request=request):
        messages.success(request, _("Event discarded."))
    else:
        messages.info(request, _("This event was no longer open; nothing changed."))
    return redirect("console:quarantine_detail", pk=item.pk)


# --- Mappings -------------------------------------------------------------------------------


def _changes(before: dict[str, Any], obj: Model, names: list[str]) -> dict[str, list[Any]]:
    return {n: [before[n], getattr(obj, n)] for n in names if before[n] != getattr(obj, n)}


def _affected_context(
    request: HttpRequest, agency_id: int, field_name: str, code: str
) -> dict[str, Any]:
    items = replays.affected(agency_id, field_name, code)
    return {"affected": items, "affected_next": request.get_full_path()}


class CallTypeForm(forms.ModelForm):
    reviewed = forms.BooleanField(
        label=gettext_lazy("Reviewed: apply this mapping"),
        required=False,
        help_text=gettext_lazy(
            "Until a call type is reviewed, its calls are treated as sensitive and no one is texted."
        ),
    )

    class Meta:
        model = CallType
        fields = ["description", "sensitive"]
        labels = {
            "description": gettext_lazy("Description"),
            "sensitive": gettext_lazy("Sensitive"),
        }
        help_texts = {
            "sensitive": gettext_lazy("No texts or emails to anyone, and hidden from public maps.")
        }


@require_GET
@requires(Cap.CONSOLE)
def call_type_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    qs = console.scoped(request, CallType.objects.select_related("agency"))
    if not show_all:
        qs = qs.filter(needs_mapping=True)
    page = Paginator(qs.order_by("agency__name", "code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return console.page(
        request,
        "console/call_types.html",
        {"page": page, "show_all": show_all, "section": "call_types"},
    )


@require_http_methods(["GET", "POST"])
@requires(Cap.CONFIGURE)
def call_type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call_type = get_object_or_404(
        console.scoped(request, CallType.objects.select_related("agency")), pk=pk
    )
    before = {
        "description": call_type.description,
        "sensitive": call_type.sensitive,
        "needs_mapping": call_type.needs_mapping,
    }
    form = CallTypeForm(
        request.POST or None, instance=call_type, initial={"reviewed": not call_type.needs_mapping}
    )
    if request.method == "POST" and form.is_valid():
        call_type = form.save(commit=False)
        if form.cleaned_data["reviewed"]:
            call_type.needs_mapping = False
        # The code and its calls in one transaction (calls/unmapped.py).
        cleared = unmapped.save_code(call_type)
        changes = _changes(before, call_type, ["description", "sensitive", "needs_mapping"])
        record(
            "call_type.map",
            request=request,
            agency=call_type.agency,
            target=call_type,
            changes={**changes, "calls_cleared": cleared},
        )
        messages.success(request, _("Call type %(code)s saved.") % {"code": call_type.code})
        return redirect("console:call_type_edit", pk=call_type.pk)
    context = {
        "obj": call_type,
        "form": form,
        "section": "call_types",
        **_affected_context(request, call_type.agency_id, "call_type", call_type.code),
    }
    return console.page(
        request, "console/call_type_edit.html", context, status=400 if form.is_bound else 200
    )


class PriorityForm(forms.ModelForm):
    rank = forms.IntegerField(
        label=gettext_lazy("Rank"),
        min_value=1,
        max_value=9,
        help_text=gettext_lazy("1 is the most urgent. Delay notices use this rank's threshold."),
    )

    class Meta:
        model = PriorityCode
        fields = ["rank", "label"]
        labels = {"label": gettext_lazy("Label")}


@require_GET
@requires(Cap.CONSOLE)
def priority_list(request: HttpRequest) -> HttpResponse:
    qs = console.scoped(request, PriorityCode.objects.select_related("agency"))
    # Codes without a rank first: they are the ones waiting for staff.
    qs = qs.order_by("agency__name", F("rank").asc(nulls_first=True), "code")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return console.page(request, "console/priorities.html", {"page": page, "section": "priorities"})


@require_http_methods(["GET", "POST"])
@requires(Cap.CONFIGURE)
def priority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    code = get_object_or_404(
        console.scoped(request, PriorityCode.objects.select_related("agency")), pk=pk
    )
    before = {"rank": code.rank, "label": code.label}
    form = PriorityForm(request.POST or None, instance=code)
    if request.method == "POST" and form.is_valid():
        # The code and its calls in one transaction (calls/unmapped.py).
        cleared = unmapped.save_code(form.save(commit=False))
        changes = _changes(before, code, ["rank", "label"])
        record(
            "priority_code.map",
            request=request,
            agency=code.agency,
            target=code,
            changes={**changes, "calls_cleared": cleared},
        )
        messages.success(request, _("Priority code %(code)s saved.") % {"code": code.code})
        return redirect("console:priority_edit", pk=code.pk)
    context = {
        "obj": code,
        "form": form,
        "section": "priorities",
        **_affected_context(request, code.agency_id, "priority", code.code),
    }
    return console.page(
        request, "console/priority_edit.html", context, status=400 if form.is_bound else 200
    )


class StatusCodeForm(forms.ModelForm):
    status = forms.ChoiceField(label=gettext_lazy("Porchlight status"), choices=Status.choices)

    class Meta:
        model = StatusCode
        fields = ["code", "status"]
        labels = {"code": gettext_lazy("CAD status code")}
        help_texts = {
            "code": gettext_lazy("Exactly as your CAD sends it, for example DISP or ARV.")
        }

    def __init__(self, *args: Any, agency: Agency | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        if agency is None:
            # A platform superuser works across agencies, so the form asks which one.
            self.fields["agency"] = forms.ModelChoiceField(
                label=_("Agency"), queryset=Agency.objects.all()
            )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agency = self.agency or data.get("agency") or getattr(self.instance, "agency", None)
        code = data.get("code")
        if agency is not None and code:
            clash = StatusCode.objects.filter(agency=agency, code__iexact=code).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("code", _("This agency already maps %(code)s.") % {"code": code})
            if code.lower() in Status.values:
                self.add_error(
                    "code",
                    _("%(code)s is already one of Porchlight's own statuses.") % {"code": code},
                )
        return data


@require_GET
@requires(Cap.CONSOLE)
def status_code_list(request: HttpRequest) -> HttpResponse:
    qs = console.scoped(request, StatusCode.objects.select_related("agency")).order_by(
        "agency__name", "code"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(Status.choices)
    for sc in page.object_list:
        sc.status_label = labels.get(sc.status, sc.status)
    return console.page(
        request, "console/status_codes.html", {"page": page, "section": "status_codes"}
    )


@require_http_methods(["GET", "POST"])
@requires(Cap.CONFIGURE)
def status_code_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    scope = agency_scope(request)
    obj = (
        get_object_or_404(
            console.scoped(request, StatusCode.objects.select_related("agency")), pk=pk
        )
        if pk
        else StatusCode()
    )
    before = {"code": obj.code, "status": obj.status}
    agency = scope if obj.pk is None else obj.agency
    form = StatusCodeForm(
        request.POST or None,
        instance=obj,
        agency=agency,
        initial={"code": request.GET.get("code", "")[:32]} if obj.pk is None else None,
    )
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if obj.pk is None:
            obj.agency = agency or form.cleaned_data["agency"]
        obj.save()
        action = "status_code.edit" if before["code"] else "status_code.add"
        record(
            action,
            request=request,
            agency=obj.agency,
            target=obj,
            changes=_changes(before, obj, ["code", "status"]),
        )
        messages.success(request, _("Status code %(code)s saved.") % {"code": obj.code})
        return redirect("console:status_code_edit", pk=obj.pk)
    context: dict[str, Any] = {"obj": obj, "form": form, "section": "status_codes"}
    if obj.pk is not None:
        context.update(_affected_context(request, obj.agency_id, "status", obj.code))
    return console.page(
        request, "console/status_code_edit.html", context, status=400 if form.is_bound else 200
    )


# --- Tracking links -------------------------------------------------------------------------


def _track_state(call: Call) -> str:
    """What the public sees of this call's tracking link, in one word for the template."""
    link = getattr(call, "track_link", None)
    if link is None:
        return "none"
    if link.revoked:
        return "revoked"
    if track.refusal(call):
        return "hidden"
    return "expired" if timezone.now() >= track.expires_at(call) else "active"


@require_GET
@requires(Cap.CONSOLE)
def track_links(request: HttpRequest) -> HttpResponse:
    """Find a call's tracking link by incident number, to see its state or turn it off."""
    incident = request.GET.get("incident", "").strip()[:40]
    calls: list[Call] = []
    if incident:
        qs = Call.objects.select_related("agency", "call_type", "track_link__revoked_by")
        calls = list(console.scoped(request, qs).filter(incident_number=incident))
        for call in calls:
            call.track_state = _track_state(call)  # type: ignore[attr-defined]
            call.track_expires = track.expires_at(call)  # type: ignore[attr-defined]
    context = {
        "incident": incident,
        "calls": calls,
        "track_days": settings.TRACK_LINK_DAYS,
        "section": "track_links",
    }
    return console.page(request, "console/track_links.html", context)


@require_POST
@requires(Cap.CALLS_OPERATE)
def track_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(console.scoped(request, Call.objects.select_related("agency")), pk=pk)
    link = get_object_or_404(TrackLink, call=call)
    # Conditional, so two staff revoking at once make one change and one audit entry.
    changed = TrackLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=request.user
    )
    if changed:
        record(
            "track_link.revoke",
            request=request,
            agency=call.agency,
            target=link,
            changes={"call": call.pk, "incident_number": call.incident_number},
        )
        messages.success(
            request,
            _("The tracking link of incident %(number)s is turned off.")
            % {"number": call.incident_number},
        )
    else:
        messages.info(request, _("This tracking link was already turned off."))
    return redirect(
        f"{reverse('console:track_links')}?{urlencode({'incident': call.incident_number})}"
    )
