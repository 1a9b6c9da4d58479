"""Console pages for cases: a detective's cases, and the case page with public notes (sent to
the victims through the notification engine), private notes, and, where the agency has no
RMS feed, status changes. Scoped to the staff member's agency; every change is audited."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from porchlight.agencies.models import Role
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope, staff_of
from porchlight.audit.log import record
from porchlight.cases import copies, optin, updates
from porchlight.cases import status as case_status
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import Case, CaseEvent, CopyRequest, EventKind, Term


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public = forms.BooleanField(
        label=gettext_lazy("Send to the victims (by text or email)"),
        required=False,
        help_text=gettext_lazy(
            "Unticked, the note stays private to staff. Never name a suspect or another person."
        ),
    )


class TermForm(forms.Form):
    term = forms.ChoiceField(label=gettext_lazy("New status (NIBRS)"), choices=Term.choices)


def _cases(request: HttpRequest) -> QuerySet[Case]:
    agency = agency_scope(request)
    qs = Case.objects.select_related("agency", "detective__user")
    return qs if agency is None else qs.filter(agency=agency)


@requires(Cap.CONSOLE)
def case_list(request: HttpRequest) -> HttpResponse:
    qs = _cases(request)
    staff = staff_of(request)
    mine = staff is not None and staff.role == Role.DETECTIVE and request.GET.get("all") != "1"
    if mine:
        qs = qs.filter(detective=staff)
    page = Paginator(qs.order_by("closed_at", "-updated", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request, "cases/console_list.html", {"section": "cases", "page": page, "mine": mine}
    )


def _case(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(_cases(request), pk=pk)


@requires(Cap.CONSOLE)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    settings = case_settings(case.agency)
    staff = staff_of(request)
    context = {
        "section": "cases",
        "case": case,
        "events": case.events.select_related("author").order_by("at", "id"),
        "victims": case.victims.count(),
        "opted_in": case.victims.filter(opted_in=True).count(),
        "card_code": optin.card_code(case),
        "incidents": list(case.incidents.values_list("incident_number", flat=True)),
        "can_write": staff is None or staff.can_write,
        "can_set_status": not settings.rms_feed,
        "note_form": NoteForm(),
        "term_form": TermForm(initial={"term": case.term}),
    }
    return render(request, "cases/console_case.html", context)


@require_POST
@requires(Cap.CASES_MANAGE)
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the note first (at most 600 characters)."))
        return redirect("cases:console-case", pk=case.pk)
    public = form.cleaned_data["public"]
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, kind=EventKind.NOTE, public=public, text=form.cleaned_data["text"],
            author=request.user if request.user.is_authenticated else None, source="console",
        )  # fmt: skip
        sent = len(updates.note(case, event)) if public else 0
        record("case.note", request=request, agency=case.agency, target=case,
               changes={"event": event.pk, "public": public, "messages": sent})  # fmt: skip
    if public:
        messages.success(
            request, _("Note saved and sent to the victims (%(n)d messages).") % {"n": sent}
        )
    else:
        messages.success(request, _("Private note saved."))
    return redirect("cases:console-case", pk=case.pk)


@require_POST
@requires(Cap.CASES_MANAGE)
def case_term(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if case_settings(case.agency).rms_feed:
        messages.error(request, _("Statuses come from your RMS: change them there."))
        return redirect("cases:console-case", pk=case.pk)
    form = TermForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
        return redirect("cases:console-case", pk=case.pk)
    before = case.term
    with transaction.atomic():
        event = case_status.set_term(
            case, form.cleaned_data["term"], at=timezone.now(), source="console", actor=request.user
        )
        if event is not None:
            record("case.status", request=request, agency=case.agency, target=case,
                   changes={"term": [before, case.term], "event": event.pk})  # fmt: skip
    if event is None:
        messages.info(request, _("The case already has that status."))
    else:
        messages.success(request, _("Status changed; the victims are told."))
    return redirect("cases:console-case", pk=case.pk)


class CopyStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=CopyRequest.Status.choices)


@requires(Cap.CONSOLE)
def copy_list(request: HttpRequest) -> HttpResponse:
    agency = agency_scope(request)
    qs = CopyRequest.objects.select_related("agency", "case")
    if agency is not None:
        qs = qs.filter(agency=agency)
    page = Paginator(qs.order_by("-created", "-id"), 50).get_page(request.GET.get("page"))
    staff = staff_of(request)
    return render(request, "cases/console_copies.html", {
        "section": "cases", "page": page, "form": CopyStatusForm(),
        "can_write": staff is None or staff.can_write,
    })  # fmt: skip


@require_POST
@requires(Cap.COPIES_MANAGE)
def copy_status(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_scope(request)
    qs = CopyRequest.objects.all() if agency is None else CopyRequest.objects.filter(agency=agency)
    copy = get_object_or_404(qs, pk=pk)
    form = CopyStatusForm(request.POST)
    if form.is_valid() and copies.set_status(copy, form.cleaned_data["status"], request=request):
        messages.success(request, _("Status changed; the requester is told."))
    return redirect("cases:console-copies")
