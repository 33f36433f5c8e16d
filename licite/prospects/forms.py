"""The forms of the prospect pages: the list's search and filters, and the actions on one prospect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.campaigns.models import ContactKind
from licite.core.emails import InvalidEmail
from licite.prospects.models import (
    Audience,
    CollectionMethod,
    Conclusion,
    ExtractionAllowed,
    LegalBasis,
    Prospect,
    ProspectStatus,
    Source,
    SourceKind,
    Visibility,
)
from licite.prospects.search import NoticeState, ProspectFilters, SearchIn, matching, whole_address
from licite.register.models import ProcessingActivity
from licite.rights.actions import key_hash
from licite.rights.models import RequestChannel, SuppressionReason
from licite.web.forms import PageKeyField, QuickSelect, QuickTextInput

ANY = [("", _("All"))]


class ProspectFilterForm(forms.Form):
    """The list's search and filters. Every one of them keeps the list's query an index walk of
    the primary key that stops after one page of matches: no condition starts with a wildcard."""

    q = forms.CharField(label=_("Search"), max_length=254, required=False, widget=QuickTextInput)
    field = forms.ChoiceField(label=_("in"), choices=SearchIn.CHOICES, required=False, widget=QuickSelect)
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
        widget=QuickSelect,
    )
    basis = forms.ChoiceField(
        label=_("Legal basis"), choices=ANY + LegalBasis.choices, required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ANY + ProspectStatus.choices, required=False, widget=QuickSelect
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=ANY + Audience.choices, required=False, widget=QuickSelect
    )
    notice = forms.ChoiceField(
        label=_("Art. 14 notice"), choices=ANY + list(NoticeState.CHOICES), required=False, widget=QuickSelect
    )
    after = PageKeyField()
    before = PageKeyField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["q"] = (data.get("q") or "").strip()
        filters = self.filters(data)
        if whole_address(filters):
            try:
                key_hash(filters.q)
            except InvalidEmail:
                self.add_error("q", _("Enter a whole valid address, or its beginning without the “@”."))
        return data

    @staticmethod
    def filters(data: dict[str, Any]) -> ProspectFilters:
        source = data.get("source")
        chosen = {name: data.get(name) or "" for name in ("basis", "status", "audience", "notice")}
        return ProspectFilters(
            q=data.get("q") or "",
            field=data.get("field") or SearchIn.ADDRESS,
            source=source.pk if source is not None else None,
            **chosen,
        )

    def filtered(self) -> QuerySet[Prospect]:
        """The prospects that match (licite.prospects.search, shared with the API); the caller
        pages them (licite.web.paging)."""
        return matching(self.filters(self.cleaned_data))


class ContactForm(forms.Form):
    """RULES F1: a contact the prospect initiated, recorded by staff; an open is never one."""

    kind = forms.ChoiceField(
        label=_("Contact from the prospect"),
        choices=[(ContactKind.REPLY, ContactKind.REPLY.label), (ContactKind.CALL, ContactKind.CALL.label)],
    )


class RestrictForm(forms.Form):
    """GDPR art. 18: the person asked for a restriction by letter, phone or email."""

    channel = forms.ChoiceField(
        label=_("Asked by"), choices=[c for c in RequestChannel.choices if c[0] != RequestChannel.WEB]
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("About the request, never about the person."),
    )


class EraseForm(forms.Form):
    """RULES G4: the one erasure; `confirm` must be ticked."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (r, SuppressionReason(r).label)
            for r in (SuppressionReason.ERASURE, SuppressionReason.OBJECTION, SuppressionReason.WITHDRAWAL)
        ],
    )
    confirm = forms.BooleanField(
        label=_("I understand that the prospect's records are deleted for good."), required=True
    )


# --- the import wizard and the sources pages ---------------------------------------------------


class ImportUploadForm(forms.Form):
    """The wizard's first step: the file, the declared source it comes from, when it was collected."""

    # An empty file reaches the reader, which says so as the CLI does.
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        help_text=_("CSV (any delimiter and encoding), XLSX or ODS, with a header line."),
    )
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.order_by("name"),
        help_text=_("Where these people were found (RULES B3): named in their notice."),
    )
    collected_on = forms.DateField(
        label=_("Collected on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today. The notice deadline and the retention run from this date."),
    )

    def clean_source(self) -> Source:
        """RULES B4, C4: a source that may not feed a legitimate-interest import is refused here."""
        from licite.core.sources import may_collect_from
        from licite.lib.refusals import source_reasons
        from licite.prospects.actions import source_facts

        source: Source = self.cleaned_data["source"]
        decision = may_collect_from(source_facts(source), legitimate_interest=True)
        if not decision.allowed:
            raise forms.ValidationError(
                _("This source may not feed an import: %(reasons)s")
                % {"reasons": "; ".join(source_reasons(decision))}
            )
        return source

    def clean_collected_on(self) -> Any:
        day = self.cleaned_data["collected_on"]
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("The collection date cannot be in the future."))
        return day


def mapping_choices() -> list[tuple[str, Any]]:
    from licite.ingest.columns import DROP, FIELDS

    labels = {
        "email": _("Email"), "first_name": _("First name"), "last_name": _("Last name"),
        "full_name": _("Full name"), "job_title": _("Job title"), "company": _("Company"),
        "company_domain": _("Company domain"), "phone": _("Professional phone"), "country": _("Country"),
        "language": _("Language"),
    }  # fmt: skip
    return [(DROP, _("Dropped (not kept)")), *((name, labels[name]) for name in FIELDS)]


class MappingForm(forms.Form):
    """One choice per column of the file: the field it feeds, or dropped (RULES B6)."""

    def __init__(self, headers: list[str], initial: dict[str, str], *args: Any, **kwargs: Any) -> None:
        from licite.ingest.errors import column_letter

        super().__init__(*args, **kwargs)
        self.headers = headers
        for index, header in enumerate(headers):
            letter = column_letter(index)
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("column %(letter)s") % {"letter": letter},
                choices=mapping_choices(),
                initial=initial.get(column_key(headers, index)),
            )
            self.fields[f"column_{index}"].letter = letter  # type: ignore[attr-defined]

    def overrides(self) -> dict[str, str]:
        """Every column's choice, as `--map COLUMN=FIELD` options would give it."""
        return {
            column_key(self.headers, index): self.cleaned_data[f"column_{index}"]
            for index in range(len(self.headers))
        }


def column_key(headers: list[str], index: int) -> str:
    """How `--map` names a column: its header, or its letter when it has none."""
    from licite.ingest.errors import column_letter

    return headers[index] or column_letter(index)


class SourceForm(forms.Form):
    """The fields of `licite sources add` (RULES B3, B4)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices)
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    method = forms.ChoiceField(label=_("Collection method"), choices=CollectionMethod.choices)
    extraction_allowed = forms.ChoiceField(
        label=_("Do the source's terms allow automated extraction?"), choices=ExtractionAllowed.choices
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    terms_reference = forms.CharField(
        label=_("Terms reference"),
        max_length=300,
        required=False,
        help_text=_(
            "The clause of the source's terms about extraction, e.g. 'LinkedIn User Agreement, section 8.2'."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("About the source, never about people."),
    )  # fmt: skip

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Source.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A source with this name is already declared."))
        return name


class AssessForm(forms.Form):
    """The parts of a balancing test, as `licite sources assess` asks them (RULES C4)."""

    activity = forms.ModelChoiceField(
        label=_("Purpose (processing activity)"),
        queryset=ProcessingActivity.objects.filter(legal_basis=LegalBasis.LEGITIMATE_INTEREST).order_by(
            "name"
        ),
        required=False,
        empty_label=_("None"),
    )
    interest = forms.CharField(
        label=_("Legitimate interest pursued"), widget=forms.Textarea(attrs={"rows": 3})
    )
    necessity = forms.CharField(
        label=_("Necessity"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the processing is needed for that interest, and no less."),
    )  # fmt: skip
    expectations = forms.CharField(
        label=_("Reasonable expectations of the persons"), widget=forms.Textarea(attrs={"rows": 3})
    )
    safeguards = forms.CharField(label=_("Safeguards"), widget=forms.Textarea(attrs={"rows": 3}))
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=Conclusion.choices)
    conclusion_text = forms.CharField(
        label=_("Reasoning of the conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    review_on = forms.DateField(
        label=_("Review date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: one year after the test."),
    )  # fmt: skip
