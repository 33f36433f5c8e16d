"""The form of the API tokens page (issue 23): a name, and an optional last day."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.api.actions import end_of_day


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker; it sends YYYY-MM-DD


class TokenForm(forms.Form):
    """RULES F5: a token acts as its user, within their role; its name says what uses it."""

    name = forms.CharField(
        label=_("Name"), max_length=100,
        help_text=_("What uses the token, for example “CRM sync”: you will recognise it in the list."),
    )  # fmt: skip
    expires = forms.DateField(
        label=_("Expires"), required=False, widget=DateInput, input_formats=["%Y-%m-%d"],
        help_text=_("Optional: the token works until the end of this day. Empty: until it is revoked."),
    )  # fmt: skip

    def clean_expires(self) -> date | None:
        day: date | None = self.cleaned_data["expires"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The expiry date cannot be in the past."))
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data["expires"]
        return None if day is None else end_of_day(day)
