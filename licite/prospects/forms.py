"""The forms of the prospect pages: the list's search and filters, and the actions on one prospect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licite.campaigns.models import ContactKind
from licite.core.emails import InvalidEmail
from licite.prospects.models import (
    Audience,
    LegalBasis,
    Prospect,
    ProspectStatus,
    Provenance,
    Source,
    notice_overdue,
)
from licite.rights.actions import key_hash
from licite.rights.models import RequestChannel, SuppressionReason

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
    after = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    before = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

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
    an address through a range of the address index (`email >= 'jea' AND email < 'jea\\uffff'`,
    which both SQLite and PostgreSQL answer from the index, where LIKE would scan); a last name or
    a company by its beginning, ignoring case."""
    query = data.get("q", "")
    if not query:
        return Q()
    field = data.get("field") or SearchIn.ADDRESS
    if field == SearchIn.NAME:
        return Q(last_name__istartswith=query)
    if field == SearchIn.COMPANY:
        return Q(company__istartswith=query)
    if "key_hash" in data:
        return Q(key_hash=data["key_hash"])
    start = query.lower()
    return Q(email__gte=start, email__lt=start + "\U0010ffff")


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
    return Prospect.objects.filter(condition).values("pk")[: FEW + 1].count() <= FEW


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
