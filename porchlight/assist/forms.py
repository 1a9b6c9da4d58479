"""The console's request form and the residents' share form."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from porchlight.assist.limits import Limits
from porchlight.assist.sharing import MAX_FILES
from porchlight.media.forms import IMAGE_ACCEPT, VIDEO_ACCEPT, _accept
from porchlight.media.uploads import Accepted, UploadRefused, accept_image, accept_video

LOCAL = "%Y-%m-%dT%H:%M"


class LocalTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL)


class RequestForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=40)
    incident_type = forms.CharField(
        label=_("Incident type"), max_length=100, help_text=_('Shown publicly, e.g. "Burglary".')
    )
    description = forms.CharField(
        label=_("What you ask for, and why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Residents and the public log read this. No names of victims or suspects."),
    )
    lat = forms.FloatField(label=_("Centre latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(
        label=_("Centre longitude"), required=False, min_value=-180, max_value=180
    )
    radius_m = forms.IntegerField(label=_("Radius (metres)"), required=False, min_value=1)
    polygon = forms.CharField(
        label=_("Or a drawn area (GeoJSON polygon)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    neighborhood = forms.CharField(
        label=_("Neighborhood (shown publicly)"),
        max_length=200,
        required=False,
        help_text=_("The public log shows the beats the area touches; without beats, this name."),
    )
    window_start = forms.DateTimeField(
        label=_("Footage from"), widget=LocalTimeInput(), input_formats=[LOCAL]
    )
    window_end = forms.DateTimeField(
        label=_("Footage until"), widget=LocalTimeInput(), input_formats=[LOCAL]
    )
    expires_days = forms.IntegerField(label=_("Open for (days)"), min_value=1)
    contact_name = forms.CharField(label=_("Investigator's name"), max_length=120)
    contact_phone = forms.CharField(label=_("Investigator's phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("Investigator's email"), required=False)

    def __init__(self, *args: Any, limits: Limits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        radius = self.fields["radius_m"]
        assert isinstance(radius, forms.IntegerField)
        radius.max_value = limits.max_radius_m
        radius.validators.append(MaxValueValidator(limits.max_radius_m))
        self.fields["radius_m"].widget.attrs["max"] = limits.max_radius_m
        self.fields["radius_m"].help_text = _("At most %(metres)d metres.") % {
            "metres": limits.max_radius_m
        }
        self.fields["expires_days"].widget.attrs["max"] = limits.max_expiry_days
        self.fields["expires_days"].help_text = _("At most %(days)d days.") % {
            "days": limits.max_expiry_days
        }
        self.fields["window_end"].help_text = _("At most %(hours)d hours after the start.") % {
            "hours": limits.max_window_hours
        }

    def clean_polygon(self) -> Any:
        raw = self.cleaned_data.get("polygon", "").strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ValidationError(_("The drawn area must be GeoJSON."), code="json") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("polygon") is None and data.get("radius_m") is None:
            self.add_error("radius_m", _("Give a centre and a radius, or draw an area."))
        if data.get("polygon") is None and (data.get("lat") is None or data.get("lon") is None):
            self.add_error("lat", _("Give the centre's latitude and longitude."))
        return data

    def expires_at(self, now: datetime) -> datetime:
        return now + timedelta(days=self.cleaned_data["expires_days"])

    def center(self) -> tuple[float, float] | None:
        data = self.cleaned_data
        if data.get("lat") is None or data.get("lon") is None:
            return None
        return (data["lat"], data["lon"])


class _Multiple(forms.ClearableFileInput):
    allow_multiple_selected = True


def accept_any(upload: Any) -> Accepted:
    """A photo or a video, whichever the bytes are (sniffed, never the name or the claim)."""
    try:
        return accept_image(upload)
    except UploadRefused as refused:
        if refused.code != "wrong_type":
            raise
    return accept_video(upload)


class FilesField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _Multiple)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "accept": f"{IMAGE_ACCEPT},{VIDEO_ACCEPT}"}

    def clean(self, data: Any, initial: Any = None) -> list[Accepted]:
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if not uploads:
            return []
        if len(uploads) > MAX_FILES:
            raise ValidationError(
                ngettext_lazy(
                    "Choose at most %(count)d file.", "Choose at most %(count)d files.", "count"
                ),
                code="too_many",
                params={"count": MAX_FILES},
            )
        accepted = []
        for upload in uploads:
            forms.FileField.clean(self, upload, initial)
            accepted.append(_accept(accept_any, upload))
        return accepted


class ShareForm(forms.Form):
    files = FilesField(label=_("Photos or videos"), required=False)  # type: ignore[assignment]
    # Completed resumable uploads (media/_resumable_field.html writes their ids here).
    uploads = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example where the camera points, or the time on its clock."),
    )
    consent_contact = forms.BooleanField(
        label=_("You may contact me about what I share"), required=False
    )
    phone = forms.CharField(
        label=_("Phone (optional, only if you may be contacted)"), max_length=32, required=False
    )
    agree = forms.BooleanField(label=_("I have read the above and I choose to share"))
