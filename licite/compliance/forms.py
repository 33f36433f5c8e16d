"""The forms of the compliance pages: the breach log's entries and actions (RULES H1b) and the
acknowledgement of the suppression key's backup (RULES F4). They check the input's shape only;
the rules (the 72-hour clock, the reasons the law asks for) are the actions' (licite.compliance.actions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.compliance.models import Breach, BreachNature, BreachRisk

MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class MomentInput(forms.DateTimeInput):
    """The browser's own date and time picker, in local time (no script needed)."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def moment_field(label: Any, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, input_formats=MOMENT_FORMATS, widget=MomentInput(),
        help_text=help_text,
    )  # fmt: skip


class BreachForm(forms.ModelForm):  # type: ignore[type-arg]
    """RULES H1b (art. 33.5): the facts, effects and measures of a breach."""

    found_at = moment_field(_("Found at"), help_text=_("The 72-hour clock starts here (local time)."))
    nature = forms.MultipleChoiceField(
        label=_("Nature"), choices=BreachNature.choices, widget=forms.CheckboxSelectMultiple
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=BreachRisk.choices, widget=forms.RadioSelect)

    class Meta:
        model = Breach
        fields = (
            "found_at", "nature", "data_concerned", "persons_count", "records_count", "consequences",
            "measures", "risk",
        )  # fmt: skip
        widgets = {
            "data_concerned": forms.Textarea(attrs={"rows": 2}),
            "consequences": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 2}),
        }

    def fields_for_action(self) -> dict[str, Any]:
        """The cleaned values, under the names the breach actions take."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BreachUpdateForm(BreachForm):
    """What was learnt since; moving `found_at` later needs a reason (it moves the clock back)."""

    reason = forms.CharField(
        label=_("Why the time found moves later"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the breach is now known to have been found later."),
    )

    def clean_found_at(self) -> Any:
        """The page shows minutes: the same minute keeps the recorded moment, seconds included."""
        value = self.cleaned_data["found_at"]
        recorded = self.instance.found_at
        if recorded is not None and value == recorded.replace(second=0, microsecond=0):
            return recorded
        return value


class NotifyForm(forms.Form):
    """RULES H1b (art. 33.1): when the CNIL was notified; after 72 hours, why so late."""

    at = moment_field(_("Notified at"))
    delay_reason = forms.CharField(
        label=_("Reasons for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the notification comes after the 72 hours (GDPR art. 33.1)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class ReasonForm(forms.Form):
    """A reason the law asks to be written (no notification; persons not told)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TellForm(forms.Form):
    """RULES H1b (art. 34): when the persons concerned were told."""

    at = moment_field(_("Told at"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class KeyForm(forms.Form):
    """RULES F4: the fingerprint of the backed-up key, typed back."""

    fingerprint = forms.CharField(label=_("Fingerprint of the key you backed up"), max_length=40)
