"""The forms of the register pages (RULES H1): an activity, the organisation's contacts, the
export. The lists of an activity are checkboxes of the CNIL's categories, or a textarea with one
item a line; an error names its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from licite.accounts.actions import PROFILE_FIELDS
from licite.accounts.models import Organisation
from licite.prospects.models import Source
from licite.register.export import FORMATS
from licite.register.models import (
    DataCategory,
    PersonCategory,
    ProcessingActivity,
    RecipientCategory,
    SecurityMeasure,
    SensitiveCategory,
    normalize_rows,
)

ONE_A_LINE = _("One a line.")
TRANSFER_SEPARATOR = "|"
TRANSFER_KEYS = ("recipient", "country", "safeguard", "link")

# The CNIL lists kept as rows with texts: a box a category; the texts of a row kept stay as written.
ROW_FIELDS: dict[str, Any] = {
    "data_categories": DataCategory,
    "sensitive_data": SensitiveCategory,
    "recipients": RecipientCategory,
    "security_measures": SecurityMeasure,
}


def _boxes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def _lines(label: Any, help_text: Any = ONE_A_LINE) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 4})
    )


class ActivityForm(forms.ModelForm):  # type: ignore[type-arg]
    """An activity of the register, every field of the CNIL template but the joint controllers
    (kept as they are; the admin edits them)."""

    sub_purposes_fr = _lines(_("sub-purposes (French)"), _("One a line, 5 at most."))
    sub_purposes_en = _lines(_("sub-purposes (English)"), _("One a line, 5 at most."))
    person_categories = _boxes(_("categories of persons"), PersonCategory)
    data_categories = _boxes(_("categories of data"), DataCategory)
    sensitive_data = _boxes(_("sensitive data"), SensitiveCategory)
    recipients = _boxes(_("recipients by category"), RecipientCategory)
    security_measures = _boxes(_("security measures"), SecurityMeasure)
    transfers = _lines(
        _("transfers outside the EU"),
        _(
            "One a line: recipient | country | safeguard (adequacy, scc, bcr, code_of_conduct, "
            "certification, derogation) | link to the documentation."
        ),
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("data sources"),
        queryset=Source.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProcessingActivity
        # Every field but the joint controllers (kept as they are; the admin edits them).
        fields = tuple(
            field.name
            for field in ProcessingActivity._meta.get_fields()
            if getattr(field, "editable", False)
            and field.name not in ("id", "joint_controllers")
            and not field.auto_created
        )
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "purpose_fr", "purpose_en", "legal_basis_justification_fr", "legal_basis_justification_en",
                "interest_pursued_fr", "interest_pursued_en", "data_subjects", "recipients_internal_fr",
                "recipients_internal_en", "recipients_external_fr", "recipients_external_en", "processors",
                "transfers_outside_eu_fr", "transfers_outside_eu_en", "retention_fr", "retention_en",
                "automated_decisions_fr", "automated_decisions_en",
            )
        }  # fmt: skip

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's clean also checks the joint controllers the form leaves out: their error
        goes above the form (Django would raise ValueError: no field named joint_controllers)."""
        if hasattr(errors, "error_dict"):
            moved: dict[str, list[Any]] = {}
            for field, problems in errors.error_dict.items():
                moved.setdefault(field if field in self.fields else NON_FIELD_ERRORS, []).extend(problems)
            errors = ValidationError(moved)
        super()._update_errors(errors)  # type: ignore[misc]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        activity = self.instance
        for language in ("fr", "en"):
            self.initial[f"sub_purposes_{language}"] = "\n".join(
                getattr(activity, f"sub_purposes_{language}") or []
            )
        for name in ROW_FIELDS:
            self.initial[name] = [row["category"] for row in activity.rows(name)]
        self.initial["transfers"] = "\n".join(
            f" {TRANSFER_SEPARATOR} ".join(str(row.get(key, "")) for key in TRANSFER_KEYS)
            for row in activity.transfers or []
            if isinstance(row, dict)
        )

    def clean_sub_purposes_fr(self) -> list[str]:
        return _split(self.cleaned_data["sub_purposes_fr"])

    def clean_sub_purposes_en(self) -> list[str]:
        return _split(self.cleaned_data["sub_purposes_en"])

    def clean_data_categories(self) -> list[dict[str, str]]:
        return self._rows("data_categories")

    def clean_sensitive_data(self) -> list[dict[str, str]]:
        return self._rows("sensitive_data")

    def clean_recipients(self) -> list[dict[str, str]]:
        return self._rows("recipients")

    def clean_security_measures(self) -> list[dict[str, str]]:
        return self._rows("security_measures")

    def _rows(self, name: str) -> list[dict[str, str]]:
        """The categories ticked, each with the texts its row had (RULES H1: description, retention)."""
        kept = {row["category"]: row for row in self.instance.rows(name)}
        return [kept.get(key) or normalize_rows(name, [key])[0] for key in self.cleaned_data[name]]

    def clean_transfers(self) -> list[dict[str, str]]:
        """RULES B7: each line a recipient, a country and a safeguard; the model checks them."""
        rows = []
        for number, line in enumerate(_split(self.cleaned_data["transfers"]), 1):
            cells = [cell.strip() for cell in line.split(TRANSFER_SEPARATOR)]
            if not 3 <= len(cells) <= 4:
                raise forms.ValidationError(
                    _("Line %(number)s: write recipient | country | safeguard | link."),
                    params={"number": number},
                )
            cells += [""] * (4 - len(cells))
            rows.append(dict(zip(TRANSFER_KEYS, cells, strict=True)))
        return rows


def _split(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _https_urls(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A web address typed without its scheme is taken as https, as in the admin."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]
    """The controller's, the DPO's and the representative's contacts (RULES H1, D1)."""

    class Meta:
        model = Organisation
        fields = PROFILE_FIELDS
        formfield_callback = _https_urls
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("address", "dpo_address", "representative_address")
        }


class ExportForm(forms.Form):
    """`licite register export`'s format and language."""

    format = forms.ChoiceField(label=_("Format"), choices=[(fmt, fmt.upper()) for fmt in FORMATS])
    lang = forms.ChoiceField(label=_("Language"), choices=[("fr", _("French")), ("en", _("English"))])
