"""The resident's alert settings: per place, how often and how; the phone for texts; this
browser's push notifications (the "Notify this device" button, static/alerts/push.js)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from porchlight.alerts import reach
from porchlight.alerts.models import Preference
from porchlight.community.models import Place, Resident
from porchlight.community.views.common import disclaimers, resident_login_required
from porchlight.notify.channels.push import public_key

MAX_SUBSCRIPTION_BYTES = 4096


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["mode", "email", "push", "sms", "daily_cap"]
        widgets = {"mode": forms.RadioSelect}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["daily_cap"].widget.attrs.update({"min": 1, "max": 20})

    def clean_daily_cap(self) -> int:
        cap = int(self.cleaned_data["daily_cap"])
        if not 1 <= cap <= 20:
            raise forms.ValidationError(_("Choose between 1 and 20."))
        return cap


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number for text alerts"), required=False, max_length=32,
        help_text=gettext_lazy("Leave empty for no text messages."),
    )  # fmt: skip


def _resident(request: HttpRequest) -> Resident | None:
    return getattr(request.user, "resident", None)


def _not_resident(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/not_resident.html", status=403)


@resident_login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    resident = _resident(request)
    if resident is None:
        return _not_resident(request)
    places = list(Place.objects.filter(resident=resident).order_by("created", "pk"))
    prefs = {p.place_id: p for p in Preference.objects.filter(place__in=places)}
    status = 200
    push = _push_configured()

    def form_for(place: Place, data: Any = None) -> PreferenceForm:
        form = PreferenceForm(
            data, instance=prefs.get(place.pk) or Preference(place=place), prefix=f"p{place.pk}"
        )
        if not push:
            # No device can be notified on this site (no VAPID key): offering the choice
            # beside "not set up on this site" contradicts it. The stored value is kept.
            del form.fields["push"]
        return form

    phone_form = PhoneForm(initial={"phone": reach.phone_of(resident)}, prefix="phone")
    forms_by_place = {place.pk: form_for(place) for place in places}
    if request.method == "POST":
        phone_form = PhoneForm(request.POST, prefix="phone")
        forms_by_place = {place.pk: form_for(place, request.POST) for place in places}
        valid = phone_form.is_valid() and all(f.is_valid() for f in forms_by_place.values())
        if valid:
            try:
                reach.set_phone(resident, phone_form.cleaned_data["phone"])
            except ValueError:
                phone_form.add_error("phone", _("Enter a mobile number, e.g. 661-555-0100."))
                valid = False
        wants_sms = any(f.cleaned_data.get("sms") for f in forms_by_place.values() if f.is_valid())
        if valid and wants_sms and not phone_form.cleaned_data["phone"].strip():
            phone_form.add_error("phone", _("Give a mobile number to get alerts by text."))
            valid = False
        if valid:
            for form in forms_by_place.values():
                pref = form.save(commit=False)
                pref.updated = timezone.now()
                pref.save()
            reach.ensure_email(resident)
            messages.success(request, _("Your alert settings are saved."))
            return redirect("alerts:settings")
        status = 400
    context = {
        **disclaimers(resident.agency),
        "section": "alerts",
        "resident": resident,
        "rows": [(place, forms_by_place[place.pk]) for place in places],
        "phone_form": phone_form,
        "devices": reach.devices(resident),
        "vapid_key": public_key() if push else "",
    }
    return render(request, "alerts/settings.html", context, status=status)


def _push_configured() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY)


@require_POST
@login_required
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """The browser's subscription, posted by push.js (JSON body, CSRF header)."""
    resident = _resident(request)
    if resident is None:
        return JsonResponse({"error": "only residents can subscribe"}, status=403)
    if len(request.body) > MAX_SUBSCRIPTION_BYTES:
        return JsonResponse({"error": "subscription too large"}, status=413)
    try:
        data = json.loads(request.body)
        link = reach.subscribe(resident, data, request.META.get("HTTP_USER_AGENT", "")[:80])
    except ValueError as exc:  # BadSubscription and JSON errors both
        return JsonResponse({"error": str(exc)[:200]}, status=400)
    # Subscribing on a device means "notify me here": turn push on for every place.
    Preference.objects.filter(place__resident=resident).update(push=True, updated=timezone.now())
    for place in Place.objects.filter(resident=resident, alert_preference__isnull=True):
        Preference.objects.create(place=place, push=True)
    return JsonResponse({"ok": True, "device": link.pk})


@require_POST
@login_required
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    resident = _resident(request)
    if resident is None:
        return JsonResponse({"error": "only residents can unsubscribe"}, status=403)
    try:
        endpoint = json.loads(request.body).get("endpoint", "")
    except (ValueError, AttributeError):
        return JsonResponse({"error": 'expected {"endpoint": …}'}, status=400)
    if not isinstance(endpoint, str):
        return JsonResponse({"error": "endpoint must be text"}, status=400)
    return JsonResponse({"ok": True, "removed": reach.unsubscribe(resident, endpoint)})
