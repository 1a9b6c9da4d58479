"""The audit log in the console (/console/audit/): filter, page through, export as CSV.

Who may read it is the permission matrix's `audit.view` (agency admins and supervisors); staff
read their own agency's entries only, platform superusers every agency's. Each entry names who
(the username at the time), what (the action, its target and the changed fields), when (in the
agency's time zone) and from where (the client address and browser). Exporting is itself an
entry, with the filters used.
"""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from porchlight.agencies import console
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.audit.log import PII_ACTIONS, record
from porchlight.audit.models import AuditEntry

PAGE_SIZE = 50
CSV_COLUMNS = [
    "at",
    "agency",
    "actor",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "changes",
    "ip",
    "user_agent",
]


class Filters(forms.Form):
    who = forms.CharField(label=gettext_lazy("Who"), required=False, max_length=150)
    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("The start of an action, e.g. pii. or case."),
    )
    target = forms.CharField(
        label=gettext_lazy("Object"),
        required=False,
        max_length=130,
        help_text=gettext_lazy("A type, an id, or both as type:id, e.g. cases.case:12."),
    )
    since = forms.DateField(
        label=gettext_lazy("From date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("To date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ip = forms.GenericIPAddressField(label=gettext_lazy("Address (IP)"), required=False)
    personal = forms.BooleanField(label=gettext_lazy("Views of personal data only"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def filtered(request: HttpRequest, form: Filters) -> QuerySet[AuditEntry]:
    qs = console.scoped(request, AuditEntry.objects.all())
    if not form.is_valid():
        return qs.none()
    data = form.cleaned_data
    if data["who"]:
        qs = qs.filter(actor_label__icontains=data["who"].strip())
    if data["action"]:
        qs = qs.filter(action__startswith=data["action"].strip())
    target = (data["target"] or "").strip()
    if target:
        kind, sep, ident = target.partition(":")
        if sep:
            qs = qs.filter(target_type=kind.strip(), target_id=ident.strip())
        elif target.isdigit():
            qs = qs.filter(target_id=target)
        else:
            qs = qs.filter(target_type__icontains=target)
    # Dates are days on the agency's clock (a superuser's: UTC), whole days inclusive.
    scope = agency_scope(request)
    tz = scope.tz if scope is not None else timezone.get_current_timezone()
    if data["since"]:
        qs = qs.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
    if data["until"]:
        end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(at__lt=end)
    if data["ip"]:
        qs = qs.filter(ip=data["ip"])
    if data["personal"]:
        qs = qs.filter(action__in=PII_ACTIONS)
    return qs.order_by("-at", "-id")


@require_GET
@requires(Cap.AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = Filters(request.GET or None)
    if request.GET and not form.is_valid():
        qs = AuditEntry.objects.none()
        status = 400
    else:
        form = Filters(request.GET)
        qs = filtered(request, form)
        status = 200
    if request.GET.get("format") == "csv" and status == 200:
        return _csv(request, form, qs)
    page = Paginator(qs.select_related("agency"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k not in ("page", "format") and v}
    context = {"section": "audit", "form": form, "page": page, "query": query}
    return console.page(request, "audit/console_log.html", context, status=status)


def _csv(request: HttpRequest, form: Filters, qs: QuerySet[AuditEntry]) -> StreamingHttpResponse:
    filters = {k: str(v) for k, v in form.cleaned_data.items() if v}
    record("audit.exported", request=request, agency=agency_scope(request), changes=filters)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def rows() -> Any:
        yield writer.writerow(CSV_COLUMNS)
        for e in qs.select_related("agency").iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    safe(value)
                    for value in (
                        e.at.isoformat(),
                        e.agency.slug if e.agency_id and e.agency else "",
                        e.actor_label,
                        e.actor_id or "",
                        e.action,
                        e.target_type,
                        e.target_id,
                        _changes(e.changes),
                        e.ip or "",
                        e.user_agent,
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def safe(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ gets a leading quote."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _changes(changes: Any) -> str:
    import json

    return json.dumps(changes, sort_keys=True, ensure_ascii=False, default=str) if changes else ""
