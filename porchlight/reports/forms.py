"""The web form's standard fields: what happened, where, when, photos, and how to reach the
reporter. The category's own questions come from answers.AnswersForm, shown alongside."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.models import Agency
from porchlight.media.forms import PhotosField
from porchlight.notify import pii
from porchlight.reports import location
from porchlight.reports.models import Category

MAX_PHOTOS = 4


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    address = forms.CharField(
        label=_("Where? Street address"),
        help_text=_("For example: 1600 Truxtun Ave. Or use your location below."),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        max_files=MAX_PHOTOS,
        required=False,
        help_text=_(
            "Up to 4 photos. We remove the location and camera details before staff see them."
        ),
    )
    phone = forms.CharField(
        label=_("Mobile phone, for text updates"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email, for updates"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(label=_("Language for updates"))

    def __init__(self, category: Category, language: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        self.agency: Agency = category.agency
        self.place: location.Place | None = None
        names = dict(settings.LANGUAGES)
        offered = [code for code in self.agency.languages if code in names] or ["en"]
        language_field = self.fields["language"]
        assert isinstance(language_field, forms.ChoiceField)
        language_field.choices = [(code, names[code]) for code in offered]
        self.fields["language"].initial = language if language in offered else offered[0]
        self.fields["description"].required = category.description_required
        if not category.photos_allowed:
            del self.fields["photos"]
        if category.address_required:
            self.fields["address"].label = _("Where? Street address (required)")

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if raw and pii.normalize_phone(raw) is None:
            raise forms.ValidationError(
                _("Enter a mobile number with its area code, e.g. 661-555-0100."), code="phone"
            )
        return raw

    def clean_occurred_at(self) -> Any:
        value = self.cleaned_data.get("occurred_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError(_("This time is in the future."), code="future")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            lat = lon = None
        try:
            self.place = location.resolve(
                self.agency, data.get("address") or "", lat, lon, need_point=True
            )
        except location.NotFound:
            self.add_error(
                "address",
                _(
                    "We could not find that address. Check the number and the street name, "
                    "or use your location instead."
                ),
            )
        except ValueError:
            self.add_error("address", _("That location is not valid. Type the address instead."))
        else:
            if self.place is None and self.category.address_required:
                self.add_error(
                    "address", _("Tell us where it happened: type an address or use your location.")
                )
        if self.category.contact_required and not (data.get("phone") or data.get("email")):
            self.add_error(
                "phone", _("Give a mobile phone or an email, so we can send your case updates.")
            )
        return data
