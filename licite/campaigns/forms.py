"""The forms of the staff's campaign pages. Validation is the model's, the same that `licite
campaign create` gets through do_create_campaign: each error is put on the field it names."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from licite.campaigns.models import Campaign


class CampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    """Every field `licite campaign create` takes; the functions as the CLI's comma-separated list."""

    functions = forms.CharField(
        label=_("Functions concerned"),
        required=False,
        max_length=1000,
        help_text=_(
            "Comma-separated: the functions or job-title words the offer concerns (RULES C3), such as "
            "achats, procurement, acheteur. A professional whose job relates to none is left out."
        ),
    )

    link_url = forms.URLField(
        label=_("Offer link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("The offer's web page, if any: a click on it is recorded as a contact (RULES F1)."),
    )

    class Meta:
        model = Campaign
        fields: ClassVar = [
            # two columns: the campaign, then each language beside the other
            "name", "audience", "purpose", "offer", "functions", "link_url", "subject_fr", "subject_en",
            "body_fr", "body_en",
        ]  # fmt: skip
        widgets: ClassVar = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "offer": forms.Textarea(attrs={"rows": 2}),
            "body_fr": forms.Textarea(attrs={"rows": 8, "lang": "fr"}),
            "body_en": forms.Textarea(attrs={"rows": 8, "lang": "en"}),
            "subject_fr": forms.TextInput(attrs={"lang": "fr"}),
            "subject_en": forms.TextInput(attrs={"lang": "en"}),
        }

    def clean_functions(self) -> list[str]:
        """As `licite campaign create --functions`: split on commas, blanks dropped."""
        text = self.cleaned_data.get("functions") or ""
        return [part.strip() for part in text.split(",") if part.strip()]

    def campaign_fields(self) -> dict[str, Any]:
        """The cleaned values, as keyword arguments of do_create_campaign."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
