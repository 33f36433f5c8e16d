"""The forms of the prospect pages: the list's search and filters, and the actions on one prospect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThanOrEqual, LessThan
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
    Provenance,
    Source,
    SourceKind,
    Visibility,
    notice_overdue,
)
from licite.register.models import ProcessingActivity
from licite.rights.actions import key_hash
from licite.rights.models import RequestChannel, SuppressionReason
from licite.web.forms import PageKeyField

ANY = [("", _("All"))]


class SearchIn:
    ADDRESS = "address"
    NAME = "name"
    COMPANY = "company"
    CHOICES = ((ADDRESS, _("Address")), (NAME, _("Last name")), (COMPANY, _("Company")))


class NoticeState:
    SENT = "sent"
    DUE = "due"
    OVERDUE = "overdue"
    CHOICES = ((SENT, _("Sent")), (DUE, _("Not sent, not yet due")), (OVERDUE, _("Overdue")))


class ProspectFilterForm(forms.Form):
    """The list's search and filters. Every one of them keeps the list's query an index walk of
    the primary key that stops after one page of matches: no condition starts with a wildcard."""

    q = forms.CharField(label=_("Search"), max_length=254, required=False)
    field = forms.ChoiceField(label=_("in"), choices=SearchIn.CHOICES, required=False)
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.order_by("name"), required=False, empty_label=_("All")
    )
    basis = forms.ChoiceField(label=_("Legal basis"), choices=ANY + LegalBasis.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + ProspectStatus.choices, required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=ANY + Audience.choices, required=False)
    notice = forms.ChoiceField(
        label=_("Art. 14 notice"), choices=ANY + list(NoticeState.CHOICES), required=False
    )
    after = PageKeyField()
    before = PageKeyField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        query = (data.get("q") or "").strip()
        data["q"] = query
        if query and data.get("field", SearchIn.ADDRESS) in ("", SearchIn.ADDRESS) and "@" in query:
            try:
                data["key_hash"] = key_hash(query)
            except InvalidEmail:
                self.add_error("q", _("Enter a whole valid address, or its beginning without the “@”."))
        return data

    def filtered(self) -> QuerySet[Prospect]:
        """The prospects that match; the caller pages them (licite.web.paging)."""
        data = self.cleaned_data
        prospects = Prospect.objects.all()
        prospects = prospects.filter(_search(data))
        for name, column in (("basis", "legal_basis"), ("status", "status"), ("audience", "audience")):
            if data.get(name):
                prospects = prospects.filter(**{column: data[name]})
        if data.get("source"):
            # One index lookup per prospect read, through the unique (prospect, batch) constraint.
            # `source_id + 0` keeps SQLite from taking the source's index instead, which made
            # it read all of a source's provenance for every prospect (100k rows: 546 ms to 2 ms).
            links = Provenance.objects.alias(source_key=F("source_id") + 0).filter(
                prospect=OuterRef("pk"), source_key=data["source"].pk
            )
            prospects = prospects.filter(Exists(links))
        if data.get("notice"):
            prospects = prospects.filter(_notice_state(data["notice"]))
        return prospects


def _search(data: dict[str, Any]) -> Q:
    """A whole address is found through its keyed hash (an exact index lookup); the beginning of
    an address, a last name or a company by its beginning (ignoring case for the names), through
    `_starts_with`."""
    query = data.get("q", "")
    if not query:
        return Q()
    field = data.get("field") or SearchIn.ADDRESS
    if field in (SearchIn.NAME, SearchIn.COMPANY):
        column = "last_name" if field == SearchIn.NAME else "company"
        lowered, start = Lower(column), Lower(Value(query))
        end = Lower(Value(query + "\U0010ffff"))
        indexed = Q(GreaterThanOrEqual(lowered, start)) & Q(LessThan(lowered, end))
        return _starts_with(indexed, Q(**{f"{column}__istartswith": query}))
    if "key_hash" in data:
        return Q(key_hash=data["key_hash"])
    start = query.lower()
    return _starts_with(Q(email__gte=start, email__lt=start + "\U0010ffff"), Q(email__startswith=start))


def _starts_with(indexed: Q, walked: Q) -> Q:
    """The rows whose column starts with the query, two ways (issue 22: 150 ms p95 at 1M rows).
    `indexed` is a range of an index (the address index; prospect_last_name_lower and
    prospect_company_lower, on the lowered column, which both SQLite and PostgreSQL answer from
    the index where LIKE would scan); `walked` is the same test as LIKE, which no index serves.
    A rare beginning (a company's whole name) is taken from the index, then sorted (10,000 rows
    at most: 1M prospects, 1 ms against 800 ms for the walk); a common one (a frequent last name)
    by the walk down the primary key, which stops at the first page of matches, where sorting
    all of them would read every one."""
    if _is_few(indexed):
        return Q(pk__in=Prospect.objects.filter(indexed).values("pk"))
    return walked


def _notice_state(state: str) -> Q:
    """RULES D2: a notice not sent by its deadline is overdue."""
    now = timezone.now()
    if state == NoticeState.SENT:
        return Q(notice_sent_at__isnull=False)
    if state == NoticeState.OVERDUE:
        overdue = notice_overdue(now)
        return Q(pk__in=Prospect.objects.filter(overdue).values("pk")) if _is_few(overdue) else overdue
    return Q(notice_sent_at__isnull=True, notice_due_at__gte=now)


# Overdue notices are a breach, so usually few, and the oldest rows: a walk down the primary key
# would read nearly the whole table to find them (1M rows, none overdue: 400 ms). Up to this
# many, they are taken from the partial index prospect_notice_due and then sorted (1 ms); past
# it, sorting them all costs more than the walk, which stops at the first page of them.
FEW = 10_000


def _is_few(condition: Q) -> bool:
    """Counted through the partial index, and no further than FEW + 1."""
    return Prospect.objects.filter(condition).order_by().values("pk")[: FEW + 1].count() <= FEW


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
