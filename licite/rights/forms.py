"""The form of the public page where a person makes a rights request (RULES G1), and the forms
of the DPO's pages: the queue's filters, a request received by another channel, the actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.core.emails import InvalidEmail, normalize_email
from licite.prospects.models import Prospect
from licite.rights.actions import MOVABLE_STATES, RECTIFIABLE
from licite.rights.models import ERASING_KINDS, RequestChannel, RequestKind, RequestState
from licite.web.forms import PageKeyField


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


# --- The DPO's pages: the queue of requests and the actions on one (RULES G1-G5) -----------------

ANY = [("", _("All"))]
OPEN, CLOSED = "open", "closed"
OVERDUE, DUE_SOON = "overdue", "due_soon"
# The staff record requests that came by letter, phone or email; the public page records the web's.
STAFF_CHANNELS = [choice for choice in RequestChannel.choices if choice[0] != RequestChannel.WEB]


class RequestFilterForm(forms.Form):
    """The queue's filters: open requests by default, closed ones one choice away."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[(OPEN, _("Open")), (CLOSED, _("Closed")), ("all", _("All")), *RequestState.choices],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + RequestKind.choices)
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[*ANY, (OVERDUE, _("Overdue")), (DUE_SOON, _("Due within 7 days"))],
    )
    after = PageKeyField()
    before = PageKeyField()


class ReceiveRequestForm(forms.Form):
    """RULES G1: a request received by letter, phone or email, as `licite rights request`."""

    email = forms.CharField(label=_("The person's address"), max_length=254)
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestKind.choices)
    channel = forms.ChoiceField(label=_("Received by"), choices=STAFF_CHANNELS)
    received_on = forms.DateField(
        label=_("Received on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # what type=date reads
        help_text=_("The day it arrived; today if empty. The month to answer runs from it."),
    )
    identity_check = forms.CharField(
        label=_("How identity was checked"),
        required=False,
        max_length=500,
        help_text=_("In words, e.g. 'written from the address concerned'. Never a copy of an ID."),
    )
    language = forms.ChoiceField(
        label=_("The person's language"),
        required=False,
        choices=[("", _("Theirs if known, else the organisation's")), ("fr", "Français"), ("en", "English")],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("About the request, never about the person."),
    )

    def clean_email(self) -> str:
        try:
            return normalize_email(self.cleaned_data["email"])
        except InvalidEmail:
            raise forms.ValidationError(_("Enter a valid email address.")) from None

    def clean_received_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("received_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("This day is in the future."))
        return day


class MoveForm(forms.Form):
    """An open request waits for the person (identity, precision) or is in progress."""

    state = forms.ChoiceField(
        label=_("New state"), choices=[(s, RequestState(s).label) for s in MOVABLE_STATES]
    )


class ExtendForm(forms.Form):
    """RULES G1 (art. 12.3): two more months at most, with the reason the person is told."""

    months = forms.TypedChoiceField(
        label=_("More months"), coerce=int, choices=[(1, _("1 month")), (2, _("2 months"))]
    )
    reason = forms.CharField(
        label=_("Reason (complexity, volume)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person is told this reason and the new date."),
    )


class RefuseForm(forms.Form):
    """RULES G1 (art. 12.4): a refusal states its reason; the person is told it and the CNIL right."""

    reason = forms.CharField(
        label=_("Reason for the refusal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person is told this reason and their right to complain to the CNIL."),
    )


class FulfilForm(forms.Form):
    """Answer the request as its kind asks. A rectification names its changes (the fields left
    empty are kept); a request that erases the person is confirmed first."""

    confirm = forms.BooleanField(
        label=_("I understand that the person's records are deleted for good."), required=False
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == RequestKind.RECTIFICATION:
            for name in RECTIFIABLE:
                label = Prospect._meta.get_field(name).verbose_name  # type: ignore[union-attr]
                self.fields[name] = forms.CharField(label=label, required=False, max_length=254)
        if kind in ERASING_KINDS:
            self.fields["confirm"].required = True
        else:
            del self.fields["confirm"]

    def changes(self) -> dict[str, str]:
        """The rectification's changes: the fields filled in."""
        data = self.cleaned_data
        return {name: data[name].strip() for name in RECTIFIABLE if data.get(name, "").strip()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind == RequestKind.RECTIFICATION and not self.changes():
            raise forms.ValidationError(_("Fill in at least one field to rectify."))
        return data
