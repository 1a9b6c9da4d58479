from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from porchlight.operations.models import RecordKind

TARGETS = [
    ("incident", _("Incident number")),
    ("case", _("Case number")),
    ("phone", _("Phone number")),
    ("email", _("Email address")),
]


class HoldForm(forms.Form):
    target = forms.ChoiceField(label=_("Hold"), choices=TARGETS)
    value = forms.CharField(label=_("Number or address"), max_length=254)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("The matter, court or request that needs the records kept."),
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for release"), max_length=300)


class PolicyForm(forms.Form):
    purge_after_days = forms.IntegerField(
        label=_("Purge personal data after (days)"), min_value=1, max_value=36500
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in RecordKind.choices:
            self.fields[f"min_{kind}"] = forms.IntegerField(
                label=_("%(kind)s: keep at least (days)") % {"kind": label},
                min_value=0,
                max_value=36500,
                required=False,
            )


class ExportForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    email = forms.CharField(label=_("Email address"), max_length=254, required=False)
    case = forms.CharField(label=_("Case number"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [k for k in ("phone", "email", "case") if (data.get(k) or "").strip()]
        if len(given) != 1:
            raise forms.ValidationError(
                _("Give one of: a phone number, an email address, a case number.")
            )
        return data
