"""Forms for residents (places, posts, comments, flags, appeals, account) and moderators."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from porchlight.agencies.models import Agency
from porchlight.community import places, profiling
from porchlight.community.models import (
    MAX_RADIUS_MILES,
    MIN_RADIUS_MILES,
    Comment,
    Flag,
    Place,
    Post,
    Resident,
)
from porchlight.community.rules import rule_choices
from porchlight.geo import geocode
from porchlight.media.forms import PhotosField, VideoField

RADIUS_CHOICES = [
    (0.25, _("¼ mile")),
    (0.5, _("½ mile")),
    (1.0, _("1 mile")),
    (2.0, _("2 miles")),
    (3.0, _("3 miles")),
    (5.0, _("5 miles")),
]


class PointMixin(forms.Form):
    """A point from a typed address (geocoded against the agency's address table) or a pin
    (latitude and longitude)."""

    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)

    agency: Agency

    def point(self) -> tuple[float, float] | None:
        """Clean the point; None (with a form error) when neither gives one."""
        data = self.cleaned_data
        if data.get("address"):
            match = geocode.geocode(self.agency, data["address"])
            if match is None:
                self.add_error("address", geocode.NOT_FOUND)
                return None
            return match.lat, match.lon
        if data.get("lat") is not None and data.get("lon") is not None:
            return float(data["lat"]), float(data["lon"])
        return None


class PlaceForm(PointMixin):
    name = forms.CharField(label=_("Name"), max_length=60, initial=pgettext_lazy("place", "Home"))
    radius_miles = forms.TypedChoiceField(
        label=_("Show me what happens within"),
        choices=RADIUS_CHOICES,
        coerce=float,
        initial=1.0,
    )

    # A drawn area (GeoJSON Polygon), filled by the map's drawing tool (static/community/
    # draw.js). Given, it replaces the point and the radius.
    area = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20_000)

    field_order = ["name", "address", "lat", "lon", "radius_miles", "area"]

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["address"].help_text = _(
            "Only you see this address. The department never does."
        )
        self.drawn: tuple[dict[str, Any], float, float, float] | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("area") or "").strip():
            try:
                self.drawn = places.clean_area(json.loads(data["area"]))
            except ValueError as exc:  # bad JSON, or places.AreaError with the reason
                reason = (
                    str(exc)
                    if isinstance(exc, places.AreaError)
                    else _("The drawn area could not be read. Draw it again.")
                )
                raise ValidationError(reason) from None
            return data
        radius = data.get("radius_miles")
        if radius is not None and not MIN_RADIUS_MILES <= radius <= MAX_RADIUS_MILES:
            self.add_error("radius_miles", _("Choose a radius from ¼ mile to 5 miles."))
        if not self.errors:
            point = self.point()
            if point is None and not self.errors:
                raise ValidationError(
                    _("Type an address, or give the pin's latitude and longitude.")
                )
            data["point"] = point
        return data


class PostForm(PointMixin):
    category = forms.ChoiceField(label=_("Category"), choices=Post.Category.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("What happened"), max_length=4000, widget=forms.Textarea)
    place = forms.ModelChoiceField(
        label=_("Where"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=_("Somewhere else (type the address below)"),
    )
    exact_location = forms.BooleanField(
        label=_("Show the exact location"),
        required=False,
        help_text=_("Otherwise others see a point moved about a block away."),
    )
    photos = PhotosField(label=_("Photos (up to 4)"), max_files=4, required=False)
    video = VideoField(label=_("Video (1)"), required=False)
    post_anyway = forms.BooleanField(label=_("Post as written"), required=False)

    field_order = [
        "category", "title", "body", "place", "address", "lat", "lon", "exact_location",
        "photos", "video", "post_anyway",
    ]  # fmt: skip

    def __init__(
        self, *args: Any, resident: Resident, with_media: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agency = resident.agency
        self.resident = resident
        places = resident.places.order_by("pk")
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["address"].label = _("Address or cross streets")
        if not with_media:
            del self.fields["photos"]
            del self.fields["video"]
        # Set by clean(): the profiling prompt fired (show "Post as written"), and the poster
        # chose to post anyway (the post then waits for a moderator).
        self.prompted = False
        self.prompted_anyway = False
        self.finding: profiling.Finding | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") == Post.Category.SUSPICIOUS and not self.errors:
            finding = profiling.check(
                f"{data.get('title', '')}\n{data.get('body', '')}",
                profiling.lexicons_for(self.agency),
            )
            self.finding = finding
            if finding.prompt:
                self.prompted = True
                if data.get("post_anyway"):
                    self.prompted_anyway = True
                else:
                    raise ValidationError(
                        _(
                            "Your post describes a person by how they look (%(words)s) but not "
                            "by anything they did. Please describe the behaviour that worried "
                            "you: what they were doing, where, and when. Appearance alone is "
                            "not a reason to suspect anyone."
                        ),
                        code="profiling",
                        params={"words": ", ".join(finding.appearance)},
                    )
        if not self.errors:
            place = data.get("place")
            point = (place.lat, place.lon) if place is not None else self.point()
            if point is None and not self.errors:
                raise ValidationError(_("Choose one of your places, or type where it happened."))
            data["point"] = point
        return data


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class FlagForm(forms.ModelForm):
    class Meta:
        model = Flag
        fields = ["reason", "note"]
        widgets = {"reason": forms.RadioSelect}


class AppealForm(forms.Form):
    appeal = forms.CharField(
        label=_("Why should the post be restored?"), max_length=2000, widget=forms.Textarea
    )


class CommentAppealForm(AppealForm):
    appeal = forms.CharField(
        label=_("Why should your comment be restored?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Resident
        fields = ["first_name"]
        help_texts = {
            "first_name": _(
                'Shown on your posts instead of "Neighbor". Leave it empty to stay "Neighbor".'
            )
        }


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my account, places, posts, comments and photos will be deleted."),
        required=True,
    )


class RemoveForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), choices=rule_choices)
    reason = forms.CharField(
        label=_("Reason (the author reads this)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Keep it removed")), ("reverse", _("Restore the post"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note (the author reads this)"), max_length=500, required=False)

    def __init__(self, *args: Any, comment: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if comment:
            self.fields["decision"].choices = [  # type: ignore[attr-defined]
                ("uphold", _("Keep it removed")),
                ("reverse", _("Restore the comment")),
            ]
