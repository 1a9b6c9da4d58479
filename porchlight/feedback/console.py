"""Feedback in the staff console: measures, follow-ups, commendations and the roster import.

Every query is scoped to the staff member's agency (agencies.console.scoped). Comments are
shown redacted (phone numbers and emails hidden) to everyone but agency admins.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from porchlight.agencies import console
from porchlight.agencies.models import Role
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope, staff_of
from porchlight.audit.log import pii_viewed, record
from porchlight.feedback import followups, roster
from porchlight.feedback import measures as figures_of
from porchlight.feedback.models import (
    Commendation,
    FollowUp,
    Officer,
    RosterImport,
    Shift,
    Theme,
)
from porchlight.feedback.redact import redact, shows_contact_details

MAX_ROSTER_BYTES = 5 * 1024 * 1024


@requires(Cap.CONSOLE)
def measures(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    filters = figures_of.Filters.from_query(request.GET)
    figures = figures_of.compute(scope, filters)
    context = {
        "section": "feedback",
        "filters": filters,
        "figures": figures,
        "chart": figures_of.chart(figures.weekly),
        "officers": console.scoped(request, Officer.objects.all()),
        "shifts": console.scoped(request, Shift.objects.all()),
    }
    return console.page(request, "feedback/measures.html", context)


def _answers(follow_up: FollowUp, user: Any) -> list[dict[str, Any]]:
    full = shows_contact_details(user)
    out = []
    for a in follow_up.response.answers.select_related("question").order_by(
        "question__position", "question__id"
    ):
        value: str
        if a.number is not None:
            value = str(a.number)
        elif a.yes is not None:
            value = _("Yes") if a.yes else _("No")
        else:
            value = a.text if full else redact(a.text)
        themes = [str(Theme(t).label) for t in a.themes or [] if t in Theme.values]
        out.append({"question": a.question.wording(), "value": value, "themes": themes})
    return out


@requires(Cap.CONSOLE)
def follow_ups(request: HttpRequest) -> HttpResponse:
    qs = console.scoped(
        request,
        FollowUp.objects.select_related("owner", "response__invitation__call"),
    )
    mine = request.GET.get("all") != "1" and not (
        request.user.is_superuser or (staff_of(request) and staff_of(request).can_configure)  # type: ignore[union-attr]
    )
    if mine:
        qs = followups.for_user(qs, request.user)
    status = request.GET.get("status", "")
    if status in FollowUp.Status.values:
        qs = qs.filter(status=status)
    context = {
        "section": "feedback",
        "follow_ups": list(qs[:200]),
        "mine": mine,
        "status": status,
        "statuses": FollowUp.Status.choices,
    }
    return console.page(request, "feedback/follow_ups.html", context)


@require_http_methods(["GET", "POST"])
@requires(Cap.CONSOLE, post=Cap.FOLLOW_UP)
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        console.scoped(
            request,
            FollowUp.objects.select_related("agency", "owner", "response__invitation__call"),
        ),
        pk=pk,
    )
    staff = staff_of(request)
    if request.method == "POST":
        if staff is not None and not staff.can_write:
            return HttpResponse(_("Read-only staff cannot change follow-ups."), status=403)
        action = request.POST.get("action", "")
        try:
            if action == "take":
                followups.take(item, request)
            elif action == "note":
                followups.add_note(item, request, request.POST.get("text", ""))
            elif action == "resolve":
                followups.resolve(item, request, tell=request.POST.get("tell") == "1")
            elif action == "reopen":
                followups.reopen(item, request)
            else:
                return HttpResponse(_("Unknown action."), status=400, content_type="text/plain")
        except followups.Refused as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain")
        messages.success(request, _("Saved."))
        return redirect("feedback:follow_up", pk=item.pk)
    # Reading a person's answers is a read of personal data: it goes in the audit log.
    record("feedback.follow_up.view", request=request, agency=item.agency, target=item)
    if shows_contact_details(request.user):
        # Comments shown as typed, contact details and all (redact.py): personal data.
        pii_viewed(request, what="survey comments", target=item, agency=item.agency)
    invitation = item.response.invitation
    context = {
        "section": "feedback",
        "item": item,
        "invitation": invitation,
        "answers": _answers(item, request.user),
        "notes": item.notes.select_related("author"),
        "can_tell": invitation.contact.purged_at is None,
    }
    return console.page(request, "feedback/follow_up.html", context)


@requires(Cap.CONSOLE)
def commendations(request: HttpRequest) -> HttpResponse:
    """An officer's own commendations; supervisors and admins see the agency's."""
    qs = console.scoped(request, Commendation.objects.select_related("officer"))
    staff = staff_of(request)
    sees_all = request.user.is_superuser or (
        staff is not None and staff.role in (Role.ADMIN, Role.SUPERVISOR)
    )
    if not sees_all:
        qs = qs.filter(officer__user=request.user)
    full = shows_contact_details(request.user)
    items = [
        {"c": c, "text": c.text if full else redact(c.text)} for c in qs.order_by("-created")[:200]
    ]
    context = {"section": "feedback", "items": items, "sees_all": sees_all}
    return console.page(request, "feedback/commendations.html", context)


@require_http_methods(["GET", "POST"])
@requires(Cap.CONFIGURE)
def roster_import(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    problem = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if scope is None:
            problem = _("Platform superusers import a roster from an agency's staff account.")
        elif upload is None:
            problem = _("Choose a CSV file.")
        elif upload.size is not None and upload.size > MAX_ROSTER_BYTES:
            problem = _("The file is larger than 5 MB.")
        else:
            try:
                run = roster.start_import(
                    scope, upload.name or "roster.csv", upload.read(), request.user
                )
            except roster.BadRoster as exc:
                problem = str(exc)
            else:
                record(
                    "feedback.roster.import",
                    request=request,
                    agency=scope,
                    target=run,
                    changes={"file": run.file_name, "rows": run.total},
                )
                return redirect("feedback:roster_progress", pk=run.pk)
    context = {
        "section": "feedback",
        "problem": problem,
        "runs": console.scoped(request, RosterImport.objects.all())[:10],
        "columns": ", ".join(roster.COLUMNS),
    }
    return console.page(request, "feedback/roster.html", context, status=400 if problem else 200)


@require_http_methods(["GET", "POST"])
@requires(Cap.CONFIGURE)
def roster_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the bar; POST applies the next slice (the page's script posts until done,
    and without the script the Continue button does)."""
    run = get_object_or_404(console.scoped(request, RosterImport.objects.all()), pk=pk)
    if request.method == "POST":
        run = roster.apply_slice(run.pk)
        if request.headers.get("Accept") == "application/json":
            return JsonResponse(
                {
                    "done": run.done,
                    "total": run.total,
                    "added": run.added,
                    "finished": bool(run.finished),
                }
            )
        return redirect("feedback:roster_progress", pk=run.pk)
    context = {"section": "feedback", "run": run}
    return console.page(request, "feedback/roster_progress.html", context)
