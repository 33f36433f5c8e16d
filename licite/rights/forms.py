"""The form of the public page where a person makes a rights request (RULES G1)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from licite.core.emails import InvalidEmail, normalize_email
from licite.rights.models import RequestKind


class PublicRequestForm(forms.Form):
    email = forms.CharField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send a link to this address: only its click confirms your request."),
    )
    kind = forms.ChoiceField(label=_("Your request"), choices=RequestKind.choices)
    language = forms.ChoiceField(choices=settings.LANGUAGES, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        try:
            return normalize_email(self.cleaned_data["email"])
        except InvalidEmail:
            raise forms.ValidationError(_("Enter a valid email address.")) from None
