"""The console's publish form: what staff type, checked into an Area before anything is saved."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.models import Agency
from porchlight.alerts import publish, shapes
from porchlight.alerts.models import Beat, Kind, Severity, Target

EXPIRY_CHOICES = [
    ("", _("Never")),
    ("2", _("In 2 hours")),
    ("6", _("In 6 hours")),
    ("24", _("In a day")),
    ("72", _("In 3 days")),
    ("168", _("In a week")),
]


class PublishForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.ALERT)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.ADVISORY,
        help_text=_("Urgent alerts are sent at once, even in residents' quiet hours."),
    )  # fmt: skip
    title = forms.CharField(label=_("Title"), max_length=140)
    body = forms.CharField(
        label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    target = forms.ChoiceField(
        label=_("Who is told"), choices=Target.choices, widget=forms.RadioSelect,
        initial=Target.BEATS,
    )  # fmt: skip
    beats = forms.ModelMultipleChoiceField(
        label=_("Beats"), queryset=Beat.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    miles = forms.FloatField(
        label=_("Radius (miles)"), required=False, min_value=0.1,
        max_value=publish.MAX_RADIUS_MILES,
    )  # fmt: skip
    polygon = forms.CharField(
        label=_("Drawn area (GeoJSON polygon)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("Paste a GeoJSON Polygon from a mapping tool."),
    )  # fmt: skip
    area_label = forms.CharField(label=_("Area description"), max_length=200, required=False)
    expires = forms.ChoiceField(label=_("Expires"), choices=EXPIRY_CHOICES, required=False)
    pinned = forms.BooleanField(label=_("Pin to the top of the feed"), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["beats"].queryset = Beat.objects.filter(agency=agency)  # type: ignore[attr-defined]
        self.area: publish.Area | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target")
        label = data.get("area_label") or ""
        try:
            if target == Target.RADIUS:
                if data.get("lat") is None or data.get("lon") is None or not data.get("miles"):
                    raise shapes.BadShape(
                        _("Give the centre's latitude and longitude and a radius.")
                    )
                self.area = publish.radius_area(data["lat"], data["lon"], data["miles"], label)
            elif target == Target.POLYGON:
                try:
                    drawn = json.loads(data.get("polygon") or "")
                except ValueError:
                    raise shapes.BadShape(_("The drawn area is not GeoJSON.")) from None
                self.area = publish.polygon_area(drawn, label)
            elif target == Target.BEATS:
                self.area = publish.beats_area(list(data.get("beats") or []))
        except shapes.BadShape as exc:
            field = {"radius": "miles", "polygon": "polygon", "beats": "beats"}.get(target or "")
            self.add_error(field, str(exc))
        return data

    def expires_at(self) -> Any:
        hours = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(hours=int(hours)) if hours else None
