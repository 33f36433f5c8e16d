"""The register of processing activities as a document (RULES H1): XLSX and ODS laid out like the
CNIL's simplified template (registre-traitement-simplifie.ods), HTML, Markdown and PDF for a
reader, each with the live figures of licite.register.figures.

The content is built once, as parts (a heading with label/value rows, or a table), then laid
out as a `licite.lib.documents.Document` or as the workbook's sheets: a first sheet with the
organisation's contacts and the list of activities, then one sheet ("fiche") per activity.
Every label is in the language asked; the DPO's texts are quoted in that language, or in the
other one where only it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from licite.accounts.models import Organisation
from licite.audit.actions import record
from licite.core.transfers import in_eea
from licite.lib import documents as doc
from licite.register import figures as live
from licite.register.models import (
    CONTACT_FIELDS,
    DataCategory,
    PersonCategory,
    ProcessingActivity,
    RecipientCategory,
    RegisterBasis,
    Safeguard,
    SecurityMeasure,
    SensitiveCategory,
)
from licite.rights.models import SuppressionReason

FORMATS = ("xlsx", "ods", "html", "md", "pdf")
LANGUAGES = ("fr", "en")
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "html": "text/html",
    "md": "text/markdown",
    "pdf": "application/pdf",
}


FILE_NAMES = {"fr": "registre", "en": "register"}


def file_name(fmt: str, language: str, day: date) -> str:
    """The name a downloaded register takes: `registre-2026-03-01.xlsx` (web page and API alike)."""
    return f"{FILE_NAMES[language]}-{day:%Y-%m-%d}.{fmt}"


class RegisterExportError(ValueError):
    """A format or language licite cannot export the register in."""


@dataclass(frozen=True)
class Part:
    """One heading of a fiche: label/value rows, or a table when `headers` is given."""

    heading: str
    rows: tuple[tuple[Any, ...], ...]
    headers: tuple[str, ...] = ()
    # The columns a page has room for; the sheets keep them all (each fiche repeats the others).
    page_columns: tuple[int, ...] = ()


@dataclass(frozen=True)
class Fiche:
    name: str
    reference: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Register:
    title: str
    generated: str
    contacts: tuple[Part, ...]
    activities: Part  # the list of activities, a table
    totals: Part
    fiches: tuple[Fiche, ...]


def export_register(fmt: str, language: str, now: datetime) -> bytes:
    """The register in `fmt` (xlsx, ods, html, md, pdf) and `language` (fr, en), as of `now`."""
    if fmt not in FORMATS:
        raise RegisterExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if language not in LANGUAGES:
        raise RegisterExportError(f"unknown language {language!r}: use fr or en")
    activities = _activities()
    with translation.override(language):
        register = build_register(activities, live.live_figures(activities, now), language, now)
        if fmt in doc.WORKBOOK_FORMATS:
            return doc.write_workbook(as_sheets(register), fmt)
        return doc.render(as_document(register, language), fmt)


@transaction.atomic
def do_export_register(actor: Any, fmt: str, language: str, now: datetime | None = None) -> bytes:
    """`licite register export`: the register, and the audit entry saying who exported it."""
    now = now or timezone.now()
    content = export_register(fmt, language, now)
    record(actor, "register.exported", None, format=fmt, language=language,
           activities=ProcessingActivity.objects.count(), size=len(content))  # fmt: skip
    return content


def _activities() -> list[ProcessingActivity]:
    related = ["sources"]
    if apps.is_installed("licite.processors"):
        related.append("declared_processors")
    return list(ProcessingActivity.objects.prefetch_related(*related).order_by("pk"))


# --- Content ----------------------------------------------------------------------------------


def build_register(
    activities: list[ProcessingActivity], figures: live.RegisterFigures, language: str, now: datetime
) -> Register:
    organisation = Organisation.current()
    return Register(
        title=_("Register of processing activities"),
        generated=_("Generated on %(date)s from the live data of licite.") % {"date": _when(now)},
        contacts=_contacts(organisation),
        activities=Part(
            _("Processing activities"),
            tuple(_summary_row(activity, figures, language) for activity in activities),
            headers=(
                _("Name"),
                _("Reference"),
                _("Created"),
                _("Updated"),
                _("Purpose"),
                _("Legal basis"),
                _("Sensitive data"),
                _("Records held"),
            ),
            page_columns=(0, 1, 5, 6, 7),
        ),
        totals=_totals(figures),
        fiches=tuple(_fiche(activity, figures, language) for activity in activities),
    )


def _contacts(organisation: Organisation | None) -> tuple[Part, ...]:
    if organisation is None:
        return (Part(_("Controller"), ((_("Name"), _("Not set: run `licite init`.")),)),)
    org = organisation
    controller = [*_contact(org, ""), (_("SIREN"), org.siren)]
    dpo = [*_contact(org, "dpo_"), (_("Company (external DPO)"), org.dpo_company)]
    parts = [Part(_("Controller"), tuple(controller)), Part(_("Data protection officer"), tuple(dpo))]
    if org.representative_name:
        parts.append(Part(_("Representative in the EU"), tuple(_contact(org, "representative_"))))
    return tuple(parts)


_CONTROLLER_FIELDS = {"name": "legal_name", "email": "contact_email"}


def _contact(org: Organisation, prefix: str) -> list[tuple[str, str]]:
    """A contact block of the CNIL template: the controller's (no prefix), the DPO's, the representative's."""
    names = _CONTROLLER_FIELDS if not prefix else {}
    return [
        (label, str(getattr(org, names.get(field, f"{prefix}{field}")) or ""))
        for field, label in zip(CONTACT_FIELDS, _contact_labels(), strict=True)
    ]


def _contact_labels() -> tuple[str, ...]:
    return (_("Name"), _("Address"), _("Postcode"), _("City"), _("Country"), _("Phone"), _("Email"))


def _summary_row(
    activity: ProcessingActivity, figures: live.RegisterFigures, language: str
) -> tuple[Any, ...]:
    found = figures.for_activity(activity)
    held = found.records if isinstance(found, live.ProspectFigures) else None
    return (
        activity.name, activity.reference, _day(activity.created_at), _day(activity.updated_at),
        _text(activity, "purpose", language), _basis(activity.legal_basis),
        _("Yes") if activity.sensitive_data else _("No"), held,
    )  # fmt: skip


def _totals(figures: live.RegisterFigures) -> Part:
    rows: list[tuple[Any, ...]] = [(_("Records held"), figures.records)]
    rows += [
        (_("Records held under %(basis)s") % {"basis": _basis(basis)}, n) for basis, n in figures.by_basis
    ]
    rows += [
        (_("Suppression list entries"), figures.suppression.entries),
        (_("Rights requests received"), figures.requests.received),
        (_("Rights requests answered in time"), figures.requests.answered_in_time),
        (_("Last purge"), _when(figures.purge.last_at) if figures.purge.last_at else _("never")),
        (_("Records erased by the purge over the last 12 months"), figures.purge.erased_last_year),
    ]
    return Part(_("Live figures of the whole register"), tuple(rows))


def _fiche(activity: ProcessingActivity, figures: live.RegisterFigures, language: str) -> Fiche:

    def text(name: str) -> str:
        return _text(activity, name, language)

    subs = _in_language(activity.sub_purposes_fr, activity.sub_purposes_en, language)
    parts = [
        Part(_("Activity"), (
            (_("Name"), activity.name), (_("Reference"), activity.reference),
            (_("Created"), _day(activity.created_at)), (_("Updated"), _day(activity.updated_at)),
            (_("Software used"), software_used(activity)),
        )),
        Part(_("Purposes"), (
            (_("Main purpose"), text("purpose")),
            *((_("Sub-purpose %(number)s") % {"number": n}, sub) for n, sub in enumerate(subs, 1)),
        )),
        Part(_("Legal basis"), (
            (_("Legal basis"), _basis(activity.legal_basis)),
            (_("Justification"), text("legal_basis_justification")),
            *(((_("Legitimate interest pursued"), text("interest_pursued")),)
              if activity.legal_basis == RegisterBasis.LEGITIMATE_INTEREST else ()),
        )),
        Part(_("Categories of persons concerned"), (
            *((str(PersonCategory(key).label), _("Yes")) for key in activity.person_categories
              if key in PersonCategory.values),
            *(((_("Details"), activity.data_subjects),) if activity.data_subjects else ()),
        )),
        _category_table(activity, "data_categories", DataCategory, _("Categories of personal data"),
                        language),
        _category_table(activity, "sensitive_data", SensitiveCategory, _("Sensitive data"), language),
        _detail_table(activity, "recipients", RecipientCategory, _("Recipients"), language),
        _transfers(activity, language),
        _detail_table(activity, "security_measures", SecurityMeasure, _("Security measures"), language),
        Part(_("Joint controllers"), tuple(tuple(row.get(f, "") for f in CONTACT_FIELDS)
                                           for row in activity.joint_controllers or []),
             headers=_contact_labels()),
        Part(_("Data sources"), tuple((source.name, str(source.get_kind_display()), source.url)
                                      for source in activity.sources.all()),
             headers=(_("Source"), _("Kind"), _("Address"))),
        *_processors(activity),
        _figures(figures.for_activity(activity)),
    ]  # fmt: skip
    return Fiche(activity.name, activity.reference, tuple(parts))


def _category_table(
    activity: ProcessingActivity, name: str, choices: Any, heading: str, language: str
) -> Part:
    rows = [
        (
            str(choices(row["category"]).label),
            _pick(row, "description", language),
            _pick(row, "retention", language),
        )
        for row in activity.rows(name)
        if row["category"] in choices.values
    ]
    return Part(heading, tuple(rows), headers=(_("Category"), _("Description"), _("Retention period")))


def _detail_table(activity: ProcessingActivity, name: str, choices: Any, heading: str, language: str) -> Part:
    rows = [
        (str(choices(row["category"]).label), _pick(row, "details", language))
        for row in activity.rows(name)
        if row["category"] in choices.values
    ]
    return Part(heading, tuple(rows), headers=(_("Category"), _("Details")))


def _transfers(activity: ProcessingActivity, language: str) -> Part:
    """RULES B7: the transfers the DPO wrote, and those the activity's processors outside the EEA
    make, with their mechanism, or the flag saying none is valid."""
    rows = [
        (str(row.get("recipient", "")), str(row.get("country", "")),
         str(Safeguard(row["safeguard"]).label) if row.get("safeguard") in Safeguard.values else "",
         str(row.get("link", "")))
        for row in activity.transfers or []
        if isinstance(row, dict)
    ]  # fmt: skip
    rows += [
        (p.name, str(p.country), str(p.transfer_flag or p.get_transfer_mechanism_display()),
         p.contract_reference)
        for p in _declared_processors(activity)
        if not in_eea(p.country)
    ]  # fmt: skip
    return Part(
        _("Transfers outside the EU"), tuple(rows),
        headers=(_("Recipient"), _("Country"), _("Safeguard"), _("Documentation")),
    )  # fmt: skip


def _declared_processors(activity: ProcessingActivity) -> list[Any]:
    """The processors licite.processors declares for this activity (RULES B7), if installed."""
    if not apps.is_installed("licite.processors"):
        return []
    return list(activity.declared_processors.all())


def _processors(activity: ProcessingActivity) -> list[Part]:
    """The activity's processors, each transfer flagged where it has no valid mechanism (RULES B7)."""
    if not apps.is_installed("licite.processors"):
        return []
    rows = [
        (
            p.name,
            p.service,
            str(p.country),
            str(p.get_transfer_mechanism_display()),
            str(p.transfer_flag or ""),
        )
        for p in _declared_processors(activity)
    ]
    headers = (_("Processor"), _("Service"), _("Country"), _("Transfer mechanism"), _("Transfer problem"))
    return [Part(_("Processors"), tuple(rows), headers=headers)]


def software_used(activity: ProcessingActivity) -> str:
    """The software of the activity as of the export: what the DPO wrote (a text licite wrote at
    `licite init`, "licite; email: ...", counts as "licite"), and the email service of each
    processor that runs licite's sending (Processor.email_backend), so that a change of provider
    shows without editing the register."""
    written = activity.software.strip()
    names = ["licite" if not written or written.startswith("licite; email:") else written]
    if apps.is_installed("licite.processors"):
        from licite.processors.models import Processor

        for processor in Processor.objects.exclude(email_backend="").order_by("name"):
            names.append(_("email: %(processor)s (%(backend)s)")
                         % {"processor": processor.name, "backend": processor.email_backend})  # fmt: skip
    return "; ".join(names)


def _figures(found: Any) -> Part:
    heading = _("Live figures")
    if isinstance(found, live.ProspectFigures):
        rows: list[tuple[Any, ...]] = [
            (_("Records held"), found.records),
            *((_("Records from %(source)s") % {"source": name}, n) for name, n in found.by_source),
            (_("Oldest record collected on"), _day(found.oldest) if found.oldest else "-"),
            (_("Notices to send, within their deadline"), found.notices_due),
            (_("Notices overdue (RULES D2)"), found.notices_overdue),
        ]
    elif isinstance(found, live.SuppressionFigures):
        rows = [
            (_("Suppressed addresses (keyed hashes)"), found.entries),
            *(
                (str(SuppressionReason(r).label) if r in SuppressionReason.values else r, n)
                for r, n in found.by_reason
            ),
        ]
    elif isinstance(found, live.RequestFigures):
        rows = [
            (_("Rights requests received"), found.received),
            (_("Answered in time"), found.answered_in_time),
            (_("Answered late"), found.answered_late),
            (_("Open past their deadline"), found.open_overdue),
        ]
    else:
        rows = [(_("Live figures"), _("None: licite does not hold this activity's data."))]
    return Part(heading, tuple(rows))


def _text(activity: ProcessingActivity, name: str, language: str) -> str:
    return str(_in_language(getattr(activity, f"{name}_fr"), getattr(activity, f"{name}_en"), language))


def _in_language(fr: Any, en: Any, language: str) -> Any:
    """The text in `language`, else in the other one (a register is read whole, never half-empty)."""
    first, other = (fr, en) if language == "fr" else (en, fr)
    return first or other


def _pick(row: dict[str, str], name: str, language: str) -> str:
    return str(_in_language(row.get(f"{name}_fr", ""), row.get(f"{name}_en", ""), language))


def _basis(value: str) -> str:
    return str(RegisterBasis(value).label) if value in RegisterBasis.values else value


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment else None


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


# --- Layouts ----------------------------------------------------------------------------------


def _cell(value: Any, short: bool = False) -> str:
    """Text for a document; a date in full, or as 2026-12-04 in a table's narrow column."""
    if isinstance(value, date):
        return value.isoformat() if short else formats.date_format(value, "j F Y")
    return "" if value is None else str(value)


def as_document(register: Register, language: str) -> doc.Document:
    """HTML, Markdown, PDF: contacts, the list of activities, then one section per activity."""
    empty = doc.Paragraph(_("Nothing declared."))

    def blocks(part: Part) -> tuple[doc.Block, ...]:
        if not part.rows:
            return (empty,)
        if part.headers:
            keep = part.page_columns or tuple(range(len(part.headers)))
            headers = tuple(part.headers[i] for i in keep)
            return (
                doc.Table(
                    headers, tuple(tuple(_cell(row[i], short=True) for i in keep) for row in part.rows)
                ),
            )
        return (doc.Fields(tuple((_cell(label), _cell(value)) for label, value in part.rows)),)

    def section(part: Part) -> doc.Section:
        return doc.Section(part.heading, blocks(part))

    organisation = doc.Section(_("Organisation"), sections=tuple(section(p) for p in register.contacts))
    fiches = tuple(
        doc.Section(fiche.name, sections=tuple(section(p) for p in fiche.parts)) for fiche in register.fiches
    )
    return doc.Document(
        title=register.title, language=language, subtitle=register.generated,
        sections=(organisation, section(register.activities), section(register.totals), *fiches),
    )  # fmt: skip


def as_sheets(register: Register) -> list[doc.Sheet]:
    """The CNIL template's layout: the organisation and the list of activities, then a fiche each."""
    rows: list[tuple[Any, ...]] = [(register.title,), (register.generated,), ()]
    for part in (*register.contacts, register.activities, register.totals):
        rows += _sheet_part(part)
    sheets = [
        doc.Sheet(_("Register"), tuple(rows), header_rows=1, column_widths=(42, 36, 14, 14, 60, 30, 12, 12))
    ]
    for fiche in register.fiches:
        fiche_rows: list[tuple[Any, ...]] = [(fiche.name,), ()]
        for part in fiche.parts:
            fiche_rows += _sheet_part(part)
        title = f"{fiche.reference} {fiche.name}".strip()
        sheets.append(doc.Sheet(title, tuple(fiche_rows), header_rows=1, column_widths=(40, 60, 50, 40)))
    return sheets


def _sheet_part(part: Part) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [(part.heading.upper(),)]
    if part.headers:
        rows.append(part.headers)
    rows += [tuple(_sheet_cell(c) for c in row) for row in part.rows] or [(_("Nothing declared."),)]
    return [*rows, ()]


def _sheet_cell(value: Any) -> Any:
    return value if isinstance(value, str | int | date) or value is None else str(value)
