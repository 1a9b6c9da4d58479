from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OptInForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=40)
    card_code = forms.CharField(
        label=_("Code from the officer's card"),
        max_length=12,
        help_text=_("6 letters and digits, printed on the card next to the case number."),
    )
    phone = forms.CharField(
        label=_("Your mobile phone number"),
        max_length=32,
        help_text=_("We text a code to this number to check that it is yours."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    language = forms.ChoiceField(label=_("Language for updates"), choices=settings.LANGUAGES)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "type": "text"}
        ),
    )


class CopyRequestForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=40)
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Email address"), required=False)
    language = forms.ChoiceField(label=_("Language for updates"), choices=settings.LANGUAGES)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(
                _(
                    "Give a phone number or an email address, so we can tell you when the copy is ready."
                )
            )
        return data
