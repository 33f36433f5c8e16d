"""The processors and transfers as a document (RULES B7), for the register and the inspection pack."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from licite.lib.documents import Document, Notice, Paragraph, Section, Table
from licite.processors.models import Processor


def processors_document(language: str) -> Document:
    """Every processor with its contract and transfer; a transfer without a ground is flagged."""
    with translation.override(language):
        processors = list(Processor.objects.prefetch_related("activities"))
        return Document(
            title=_("Processors and transfers outside the EU/EEA"),
            language=language,
            subtitle=_("GDPR art. 28 and 44 to 46 (RULES B7)"),
            generated_at=timezone.now(),
            sections=(_processors_section(processors), _transfers_section(processors)),
        )


def _processors_section(processors: list[Processor]) -> Section:
    if not processors:
        return Section(_("Processors"), (Paragraph(_("No processor is declared.")),))
    headers = (
        _("Name"),
        _("Service provided"),
        _("Country"),
        _("Art. 28 contract"),
        _("Activities served"),
        _("Transfer mechanism"),
        _("Transfer"),
    )
    rows = tuple(
        (
            processor.name,
            processor.service,
            processor.country,
            _contract(processor),
            ", ".join(activity.name for activity in processor.activities.all()) or "-",
            str(processor.get_transfer_mechanism_display()),
            _transfer(processor),
        )
        for processor in processors
    )
    return Section(_("Processors"), (Table(headers, rows),))


def _transfers_section(processors: list[Processor]) -> Section:
    flagged = [processor for processor in processors if processor.transfer_flag is not None]
    cautions = [processor for processor in processors if processor.transfer_caution is not None]
    if not flagged and not cautions:
        return Section(
            _("Transfers"),
            (Notice(_("Every transfer outside the EU/EEA has a ground."), level="ok"),),
        )
    notices = tuple(
        Notice(f"{processor.name} ({processor.country}): {processor.transfer_flag}", level="failure")
        for processor in flagged
    ) + tuple(
        Notice(f"{processor.name} ({processor.country}): {processor.transfer_caution}", level="warning")
        for processor in cautions
    )
    return Section(_("Transfers"), notices)


def _transfer(processor: Processor) -> str:
    if processor.transfer_flag is not None:
        return str(processor.transfer_flag)
    return str(processor.transfer_caution) if processor.transfer_caution is not None else _("ok")


def _contract(processor: Processor) -> str:
    parts = [
        processor.contract_date.isoformat() if processor.contract_date else "",
        processor.contract_reference,
    ]
    return " ".join(filter(None, parts)) or _("missing")
