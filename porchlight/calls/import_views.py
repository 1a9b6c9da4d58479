"""The console import: upload an export, map its columns, preview, save the mapping, run it.

For staff who never open a shell; the same check and import as `porchlight import --check`
and `porchlight import`. Agency admins only (it writes calls and mappings), scoped to their
agency; every state change is audited. The run happens in `porchlight worker`
(calls/importing/background.py); the progress page polls a fragment (console_import.js).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.audit.log import record
from porchlight.calls.importing import background, presets
from porchlight.calls.importing.check import CheckReport, Distinct
from porchlight.calls.importing.mapping import DATE_ORDERS, FIELDS, TIMES, Mapping, MappingError
from porchlight.calls.importing.readers import Unreadable
from porchlight.calls.importing.reapply import ReapplyError, reapply_run
from porchlight.calls.models import ConsoleImport, ImportRun, SavedMapping, Status

RECENT = 10
DISTINCT_SHOWN = 40


def _agency_for_upload(request: HttpRequest) -> Agency | None:
    scope = agency_scope(request)
    if scope is not None:
        return scope
    slug = request.POST.get("agency", "")
    return Agency.objects.filter(slug=slug).first() if slug else None


def _page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    items = console.scoped(request, ConsoleImport.objects.select_related("agency"))[:RECENT]
    return console.page(
        request,
        "console/import.html",
        {
            "section": "import",
            "items": items,
            "error": error,
            "agencies": Agency.objects.order_by("name") if agency_scope(request) is None else [],
            "max_mb": background._max_bytes() // (1024 * 1024),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires(Cap.CONFIGURE)
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    agency = _agency_for_upload(request)
    if agency is None:
        return _page(request, _("Choose the agency to import into."), status=400)
    file = request.FILES.get("file")
    if file is None:
        return _page(request, _("Choose a file to upload."), status=400)
    try:
        item = background.receive(agency, file, request.user)
    except (background.UploadError, Unreadable) as exc:
        return _page(request, _("This file cannot be imported: %(reason)s") % {"reason": exc}, 400)
    return redirect("console:import_map", pk=item.pk)


def _item(request: HttpRequest, pk: int) -> ConsoleImport:
    return get_object_or_404(console.scoped(request, ConsoleImport.objects.all()), pk=pk)


def _starting_point(request: HttpRequest, item: ConsoleImport) -> tuple[str, dict[str, Any]]:
    """The mapping the selects start from: the one chosen last, a preset, or a saved one."""
    start = request.GET.get("start", "")
    if start.startswith("preset:") and start[7:] in presets.PRESETS:
        return start, presets.PRESETS[start[7:]]
    if start.startswith("saved:") and start[6:].isdigit():
        saved = SavedMapping.objects.filter(agency=item.agency, pk=int(start[6:])).first()
        if saved is not None:
            return start, saved.mapping
    if item.mapping is not None:
        return "", item.mapping
    # The preset whose incident number column the header has, else nothing chosen.
    header = set(item.header)
    for name, data in presets.PRESETS.items():
        wanted = data["columns"]["incident_number"]
        if (wanted if isinstance(wanted, list) else [wanted])[0] in header:
            return f"preset:{name}", data
    return "", {}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _chosen(columns: list[str], header: list[str]) -> str:
    return next((c for c in columns if c in header), "")


# What staff read beside each select; the mapping's keys (FIELDS) stay as integrators write them.
FIELD_LABELS = {
    "incident_number": gettext_lazy("Incident number"),
    "call_type": gettext_lazy("Call type (code)"),
    "call_type_description": gettext_lazy("Call type description"),
    "priority": gettext_lazy("Priority"),
    "disposition": gettext_lazy("Disposition"),
    "address": gettext_lazy("Address"),
    "lat": gettext_lazy("Latitude"),
    "lon": gettext_lazy("Longitude"),
    "x": gettext_lazy("X (projected)"),
    "y": gettext_lazy("Y (projected)"),
    "point": gettext_lazy("Point (both coordinates)"),
    "beat": gettext_lazy("Beat"),
    "district": gettext_lazy("District"),
    "report_number": gettext_lazy("Report number"),
    "call_taker_id": gettext_lazy("Call taker"),
    "status": gettext_lazy("Status word"),
}


def _rows(base: dict[str, Any], header: list[str]) -> dict[str, Any]:
    """The selects: each field's and each status time's column, as the base mapping has them."""
    cols = base.get("columns", {}) if isinstance(base.get("columns"), dict) else {}
    times = base.get("times", {}) if isinstance(base.get("times"), dict) else {}
    fields = [(f, FIELD_LABELS.get(f, f), _chosen(_as_list(cols.get(f)), header)) for f in FIELDS]
    statuses = []
    for status in TIMES:
        source = times.get(status)
        if isinstance(source, dict):
            day = _chosen(_as_list(source.get("date")), header)
            clock = _chosen(_as_list(source.get("time")), header)
        else:
            day, clock = _chosen(_as_list(source), header), ""
        statuses.append((status, Status(status).label, day, clock))
    return {"fields": fields, "statuses": statuses}


def _keep(base_list: list[str], chosen: str, header: list[str]) -> str | list[str]:
    """The chosen column first, then the base mapping's fallbacks the file also has."""
    rest = [c for c in base_list if c != chosen and c in header]
    return [chosen, *rest] if rest else chosen


def _mapping_from_post(request: HttpRequest, item: ConsoleImport) -> dict[str, Any]:
    try:
        base = orjson.loads(request.POST.get("base", "") or "{}")
    except orjson.JSONDecodeError:
        base = {}
    if not isinstance(base, dict):
        base = {}
    header = item.header
    old_cols = base.get("columns", {}) if isinstance(base.get("columns"), dict) else {}
    old_times = base.get("times", {}) if isinstance(base.get("times"), dict) else {}
    data = {k: v for k, v in base.items() if k not in ("columns", "times", "date_order")}
    columns: dict[str, Any] = {}
    for f in FIELDS:
        col = request.POST.get(f"col_{f}", "")
        if col in header:
            columns[f] = _keep(_as_list(old_cols.get(f)), col, header)
    times: dict[str, Any] = {}
    for status in TIMES:
        day, clock = request.POST.get(f"time_{status}", ""), request.POST.get(f"clock_{status}", "")
        if day in header and clock in header:
            times[status] = {"date": day, "time": clock}
        elif day in header:
            old = old_times.get(status)
            times[status] = _keep(_as_list(old) if not isinstance(old, dict) else [], day, header)
    data["columns"] = columns
    data["times"] = times
    order = request.POST.get("date_order", "")
    if order in DATE_ORDERS:
        data["date_order"] = order
    if request.POST.get("close_without_cleared_time"):
        data["close_without_cleared_time"] = "last_time"
    else:
        data.pop("close_without_cleared_time", None)
    return data


def _distinct(d: Distinct) -> dict[str, Any]:
    common = d.counts.most_common(DISTINCT_SHOWN)
    shown = {v for v, _ in common}
    extra = [(v, d.counts[v]) for v in sorted(d.unmapped - shown)]
    return {
        "values": [(v, n, v in d.unmapped) for v, n in common + extra],
        "total": len(d.counts),
        "unmapped": len(d.unmapped),
    }


def _report(report: CheckReport) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "events": report.events,
        "rows_with_problems": report.rows_with_problems,
        "sample": [
            # One event a line: a row's four status times stay one short block.
            (line, "\n".join(orjson.dumps(event).decode() for event in events))
            for line, events in report.sample
        ],
        "reasons": sorted(report.reasons.items(), key=lambda kv: -kv[1][0]),
        "distinct": [
            (_("Call types"), _distinct(report.call_types)),
            (_("Priorities"), _distinct(report.priorities)),
            (_("Statuses"), _distinct(report.statuses)),
            (_("Dispositions"), _distinct(report.dispositions)),
        ],
    }


@require_http_methods(["GET", "POST"])
@requires(Cap.CONFIGURE)
def map_columns(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if item.state not in (ConsoleImport.State.UPLOADED, ConsoleImport.State.FAILED):
        return redirect("console:import_progress", pk=item.pk)
    context: dict[str, Any] = {"section": "import", "item": item}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        data = None if item.jsonl else _mapping_from_post(request, item)
        context["start"] = ""
        base = data or {}
        try:
            if data is not None:
                background.mapping_of(item, data)  # MappingError says what is wrong
                if data != item.mapping:
                    item.mapping = data
                    item.updated = timezone.now()
                    item.save(update_fields=["mapping", "updated"])
            if action == "save" and data is not None:
                name = request.POST.get("name", "").strip()[:100]
                if not name:
                    raise MappingError(_("Give the mapping a name to save it."))
                _save_mapping(request, item, name, data)
                messages.success(request, _("Mapping “%(name)s” saved.") % {"name": name})
            elif action == "run":
                background.queue(item, request.user)
                return redirect("console:import_progress", pk=item.pk)
            context["report"] = _report(background.preview(item, data))
        except (MappingError, Unreadable) as exc:
            context["error"] = str(exc)
            status = 400
    else:
        context["start"], base = _starting_point(request, item)
    if not item.jsonl:
        context.update(_rows(base, item.header))
        context["base"] = orjson.dumps(base).decode()
        context["header"] = item.header
        context["date_order"] = base.get("date_order", "")
        context["close_without_cleared_time"] = bool(base.get("close_without_cleared_time"))
        context["presets"] = [(f"preset:{p}", p) for p in presets.PRESETS]
        context["saved"] = [
            (f"saved:{s.pk}", s.name) for s in SavedMapping.objects.filter(agency=item.agency)
        ]
    if request.method == "GET" and (item.jsonl or item.mapping is not None):
        try:
            context["report"] = _report(background.preview(item, None if item.jsonl else base))
        except (MappingError, Unreadable) as exc:
            context["error"] = str(exc)
    return console.page(request, "console/import_map.html", context, status=status)


def _save_mapping(request: HttpRequest, item: ConsoleImport, name: str, data: Any) -> None:
    with transaction.atomic():
        saved = SavedMapping.objects.filter(agency=item.agency, name=name).first()
        before = saved.mapping if saved is not None else None
        if saved is None:
            saved = SavedMapping.objects.create(agency=item.agency, name=name, mapping=data)
        else:
            saved.mapping, saved.updated = data, timezone.now()
            saved.save(update_fields=["mapping", "updated"])
        record(
            "import_mapping.save",
            request=request,
            agency=item.agency,
            target=saved,
            changes={"name": name, "mapping": [before, data]},
        )


@require_GET
@requires(Cap.CONFIGURE)
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if item.state == ConsoleImport.State.UPLOADED:
        return redirect("console:import_map", pk=item.pk)
    done, total = background.progress(item)
    context = {
        "section": "import",
        "item": item,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 100,
        "run": item.run,
        "ended": item.state in (ConsoleImport.State.FINISHED, ConsoleImport.State.FAILED),
        "poll_url": reverse("console:import_progress", args=[item.pk]) + "?fragment=1",
    }
    if request.GET.get("fragment"):
        return console.page(request, "console/_import_progress.html", context)
    return console.page(request, "console/import_progress.html", context)


def reapply_choices(agency: Agency) -> list[tuple[str, str]]:
    """The mappings a held import row can be re-applied under: saved ones first, then presets."""
    saved = [(f"saved:{m.pk}", m.name) for m in SavedMapping.objects.filter(agency=agency)]
    return saved + [(f"preset:{p}", p) for p in presets.PRESETS]


@require_POST
@requires(Cap.CONFIGURE)
def reapply(request: HttpRequest, run_id: int) -> HttpResponse:
    """Re-apply one import run's quarantined rows under a saved mapping or a preset."""
    run = get_object_or_404(console.scoped(request, ImportRun.objects.all()), pk=run_id)
    choice = request.POST.get("mapping", "")
    back = console.next_url(request, reverse("console:quarantine_list") + "?source=import")
    try:
        if choice.startswith("saved:") and choice[6:].isdigit():
            saved = get_object_or_404(SavedMapping, agency=run.agency, pk=int(choice[6:]))
            mapping = Mapping.from_dict(background.MAPPING_NAME, saved.mapping)
        elif choice.startswith("preset:") and choice[7:] in presets.PRESETS:
            mapping = presets.load(choice[7:])
        else:
            return HttpResponseBadRequest(_("Choose a saved mapping or a preset."))
        done = reapply_run(run.pk, mapping, actor=request.user)
    except (MappingError, ReapplyError) as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request,
        _("%(lines)s held rows read again: %(applied)s applied, %(held)s still rejected.")
        % {"lines": done.lines, "applied": done.applied, "held": done.still_rejected},
    )
    return redirect(back)
