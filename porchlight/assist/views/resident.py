"""The resident's page for a request: the ask, what sharing means, and the share form; and
withdrawing a share while the agency has not taken it into evidence."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from porchlight.agencies.models import Agency
from porchlight.assist import sharing, uploads
from porchlight.assist.forms import ShareForm
from porchlight.assist.models import AssistanceRequest, Share, Status
from porchlight.community.models import Resident
from porchlight.community.views.common import page, resident_required

# A resident sees requests that went out (and their own shares on them after they end).
VISIBLE = [Status.SENT, Status.CLOSED, Status.EXPIRED]


@resident_required
def share_page(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    item = get_object_or_404(AssistanceRequest, agency=agency, pk=pk, status__in=VISIBLE)
    form = ShareForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if not item.open_for_shares:
            form.add_error(None, _("This request no longer takes shares."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                uploaded = uploads.resolve(data["uploads"], item, resident)
                sharing.share(
                    item, resident, data["files"], uploaded=uploaded,
                    note=data["note"], consent_contact=data["consent_contact"],
                    phone=data["phone"], request=request,
                )  # fmt: skip
            except uploads.NotYours:
                form.add_error(None, _("An uploaded file could not be found. Upload it again."))
            except sharing.Refused as exc:
                if "at least one" in str(exc):
                    form.add_error("files", _("Choose at least one photo or video."))
                else:
                    form.add_error(None, _("This request no longer takes shares."))
            else:
                messages.success(request, _("Thank you. Your files were shared."))
                return redirect("assist:share", agency.slug, item.pk)
    mine = list(
        Share.objects.filter(request=item, resident=resident)
        .prefetch_related("files__media_file")
        .order_by("-created")
    )
    context = {
        "item": item, "form": form, "mine": mine, "section": "assist",
        # The resumable upload's metadata: which request (media/tus.py → assist/uploads.py).
        "tus_meta": {"request": item.pk},
    }  # fmt: skip
    return page(request, agency, "assist/share.html", context, status=status)


@require_POST
@resident_required
def withdraw(request: HttpRequest, agency: Agency, resident: Resident, pk: int) -> HttpResponse:
    made = get_object_or_404(Share, pk=pk, request__agency=agency)
    if made.resident_id != resident.pk:
        raise Http404
    try:
        sharing.withdraw(made, resident, request=request)
        messages.success(request, _("Withdrawn. Your files are deleted."))
    except sharing.Refused:
        messages.error(
            request, _("This share can no longer be withdrawn: the agency took it into evidence.")
        )
    return redirect("assist:share", agency.slug, made.request_id)
