"""The processor form (RULES B7): the same fields as `licite processors add`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from licite.processors.models import Processor, TransferMechanism
from licite.register.models import ProcessingActivity


class ProcessorForm(forms.Form):
    """The country is checked by do_save_processor, as the CLI's: a name or an ISO code."""

    name = forms.CharField(label=_("name"), max_length=200)
    service = forms.CharField(label=_("service provided"), max_length=300)
    country = forms.CharField(
        label=_("country"), max_length=100, help_text=_("Where it processes the data: ISO code or name.")
    )
    transfer_mechanism = forms.ChoiceField(
        label=_("transfer mechanism"), choices=TransferMechanism.choices, initial=TransferMechanism.NONE
    )
    contract_date = forms.DateField(
        label=_("Art. 28 contract date"),
        required=False,
        help_text=_("YYYY-MM-DD, the day it was signed."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contract_reference = forms.CharField(
        label=_("Art. 28 contract reference"), max_length=300, required=False
    )
    activities = forms.ModelMultipleChoiceField(
        label=_("activities served"),
        queryset=ProcessingActivity.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email_backend = forms.CharField(
        label=_("email backend it runs"),
        max_length=200,
        required=False,
        help_text=_("The SMTP host or the anymail provider of licite's sending, if this processor runs it."),
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, processor: Processor | None = None, **kwargs: Any) -> None:
        if processor is not None:
            kwargs.setdefault("initial", _initial(processor))
        super().__init__(*args, **kwargs)
        self.processor = processor
        if processor is not None:  # the name is how do_save_processor finds it: not renamed here
            self.fields["name"].disabled = True

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if self.processor is None and Processor.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A processor of this name exists: edit it instead."))
        return name


def _initial(processor: Processor) -> dict[str, Any]:
    return {
        "name": processor.name,
        "service": processor.service,
        "country": processor.country,
        "transfer_mechanism": processor.transfer_mechanism,
        "contract_date": processor.contract_date,
        "contract_reference": processor.contract_reference,
        "activities": list(processor.activities.all()),
        "email_backend": processor.email_backend,
        "notes": processor.notes,
    }


class RemoveForm(forms.Form):
    confirm = forms.BooleanField(label=_("I confirm this processor is no longer used."), required=True)
