"""A refusal said in the reader's language, at display time.

The actions raise their refusals with Django's gettext, so a page shows them in the reader's
language and the command line, which runs in English, prints them unchanged. Two families are
raised where Django is not: licite.core (pure Python, RULES in a lawyer's words) and licite.ingest
(which also runs in the gate's worker processes). Their errors carry an English template and its
values (IngestError) or a stable code (ExtensionRefused), and this module, the one table, says them
in the reader's language. The gate's per-row rejection reasons stay plain English strings in the
report (no gettext for each of a million rows): `rejection_reason` translates the few shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, gettext_noop, pgettext
from django.utils.translation import gettext_lazy as _

from licite.core.deadlines import ExtensionRefused
from licite.core.emails import InvalidEmail
from licite.core.notice import NoticeInvalid, NoticeUntranslated
from licite.core.sources import KNOWN_PLATFORMS, PlatformRefusal, SourceDecision
from licite.ingest.columns import MOBILE_WARNING, NO_EMAIL_COLUMN
from licite.ingest.errors import IngestError

# RULES G1: the code of each ExtensionRefused and what it says.
EXTENSION_REFUSALS: Mapping[str, Promise] = {
    "months": _("an extension is of 1 or 2 months, not %(months)s"),
    "too_late": _(
        "the first month ended on %(first)s: an extension must be decided and told to the person "
        "within it (GDPR art. 12.3)"
    ),
    "too_long": _(
        "already extended by %(already)s month(s): two more months in all at most (GDPR art. 12.3)"
    ),
}

# RULES B4, C4: the code of each reason licite.core.sources.may_collect_from refuses a source for.
SOURCE_REFUSALS: Mapping[str, Promise] = {
    "forbids_automated": _(
        "source %(source)s forbids automated extraction (%(clause)s); an automated collection from it "
        "is unlawful (%(decision)s)"
    ),
    "restricted": _(
        "source %(source)s holds data the persons restricted to their own network; it may not be "
        "collected at all (%(decision)s)"
    ),
    "no_balancing_test": _("no balancing test is recorded for source %(source)s (RULES C4)"),
    "balancing_unfavourable": _(
        "the latest balancing test of source %(source)s concludes that the persons' rights prevail: "
        "legitimate interest cannot be relied on (RULES C4)"
    ),
    # licite.core.sources.PlatformRefusal: a known platform's terms, or a tool that copies it.
    "copying_tool": _(
        "source %(source)s is %(tool)s, a tool that copies %(platform)s (%(by)s): its data was extracted "
        "from %(platform)s against its terms and may not be collected by any method (%(clause)s; "
        "%(decision)s)"
    ),
    "manual_only": _(
        "source %(source)s is %(platform)s (%(by)s): its terms allow no collection by method %(method)s, "
        "only a person reading a page and typing what it shows (method %(manual)s) (%(clause)s; "
        "%(decision)s)"
    ),
    "methods_only": _(
        "source %(source)s is %(platform)s (%(by)s): its terms allow no collection by method %(method)s, "
        "only %(allowed)s (%(clause)s)"
    ),
}
# How licite.core.sources recognised a platform (Recognised.by).
RECOGNISED_BY: Mapping[str, Promise] = {
    "name": _("recognised by its name"),
    "URL": _("recognised by its URL"),
    "notes": _("recognised by its notes"),
}

# The values that come from licite's own English tables ("a folder", "semicolon", a sanction's
# name, a platform's terms): said in the reader's words too. The others (names, counts, the
# file's text) stay as they are.
_WORDS = frozenset({"what", "delimiter", "clause", "decision"})
# A column as licite.ingest names it in a reason: 'Société' (column E), or column F.
_COLUMN_LABEL = re.compile(r"'(?P<header>.*)' \(column (?P<letter>[A-Z]+)\)|column (?P<alone>[A-Z]+)")
_COLUMN_LABELS = frozenset({"first", "second", "label", "column_label"})


def refusal(exc: Exception) -> str:
    """What a page shows for an action's refusal, in the active language."""
    if isinstance(exc, IngestError):
        return describe(exc)
    if isinstance(exc, ExtensionRefused):
        return extension_refusal(exc)
    decision = getattr(exc, "decision", None)  # licite.prospects.importing.ImportRefused
    if isinstance(decision, SourceDecision) and decision.codes:
        return "; ".join(source_reasons(decision))
    if isinstance(exc, NoticeInvalid):
        return notice_refusal(exc)
    if isinstance(exc, InvalidEmail):
        return gettext("invalid address: %(reason)s") % {"reason": _address_reason(exc.reason)}
    return str(exc)


def extension_refusal(exc: ExtensionRefused) -> str:
    """RULES G1: why an extension is refused, from its code."""
    template = EXTENSION_REFUSALS.get(exc.code)
    return _fill(str(template), exc.params) if template is not None else str(exc)


def notice_refusal(exc: NoticeInvalid) -> str:
    """RULES D1, D3: the items a notice lacks, each with its article; RULES D4: the register's
    fields to write in the notice's language."""
    if isinstance(exc, NoticeUntranslated) and not (get_language() or "en").startswith("en"):
        language = (
            pgettext("in a sentence", "French")
            if exc.language == "fr"
            else pgettext("in a sentence", "English")
        )
        return gettext(
            "the processing activity %(activity)s has no %(language)s text for %(fields)s: write it in "
            "the register before a notice in that language can be sent (RULES D4)"
        ) % {"activity": exc.activity, "language": language, "fields": ", ".join(exc.fields)}
    if isinstance(exc, NoticeUntranslated):
        return str(exc)  # English: the fields named with their labels, as the CLI says it
    listed = ", ".join(gettext("%(item)s (GDPR %(article)s)") % {"item": item, "article": article}
                       for item, article in exc.articles)  # fmt: skip
    return gettext("the notice lacks: %(items)s (RULES D1, D3)") % {"items": listed}


def source_reasons(decision: SourceDecision) -> list[str]:
    """RULES B4, C4: why a source may not be collected from, each reason in the active language."""
    return [_fill(str(SOURCE_REFUSALS[code]), params) if code in SOURCE_REFUSALS else reason
            for (code, params), reason in zip(decision.codes, decision.reasons, strict=True)]  # fmt: skip


def platform_refusal_text(refusal: PlatformRefusal) -> str:
    """RULES B4: a known platform's refusal of a collection method, in the active language, the
    source's name quoted as a form quotes what was typed in it."""
    return _fill(str(SOURCE_REFUSALS[refusal.code]), {**refusal.params, "source": quoted(refusal.source)})


def terms_text(reference: str) -> str:
    """A source's terms reference: a known platform's, as licite wrote it, in the active language;
    one a person typed, as they typed it."""
    return gettext(reference) if reference in _PLATFORM_TERMS else reference


_PLATFORM_TERMS = frozenset(platform.terms_reference for platform in KNOWN_PLATFORMS)


def _fill(template: str, params: Mapping[str, object]) -> str:
    """A translated template with its values, those from licite's own English tables translated."""
    if not params:
        return template
    return template % {key: _value(key, value) if isinstance(value, str) else value
                       for key, value in params.items()}  # fmt: skip


def _value(key: str, value: str) -> str:
    """A value of a refusal in the reader's words where it comes from licite's own tables."""
    if key == "by":
        return str(RECOGNISED_BY.get(value, value))
    if key in ("method", "manual"):
        return _method(value)
    if key == "allowed":
        return ", ".join(_method(method) for method in value.split(", ")) if value else value
    if key in _COLUMN_LABELS:
        return column_label(value)
    return _say(value) if key in _WORDS else value


def _method(code: str) -> str:
    """A collection method: its code, quoted, as `--method` takes it on the command line, which
    runs in English; its label elsewhere, as the source form shows it."""
    if (get_language() or "en").startswith("en"):
        return repr(code)
    from licite.prospects.models import CollectionMethod  # a model's labels: read when said

    return quoted(dict(CollectionMethod.choices).get(code, code))


def quoted(name: object) -> str:
    """A name quoted in a sentence, with the active language's quotation marks."""
    return pgettext("a name quoted in a sentence", "“%(name)s”") % {"name": name}


def column_label(label: str) -> str:
    """A column as licite.ingest names it ("'Société' (column E)", "column F"), in the active
    language; the header stays as the file has it."""
    found = _COLUMN_LABEL.fullmatch(label)
    if found is None:
        return label
    if found["alone"]:
        return gettext("column %(letter)s") % {"letter": found["alone"]}
    return gettext("'%(header)s' (column %(letter)s)") % {
        "header": found["header"],
        "letter": found["letter"],
    }


def describe(exc: IngestError) -> str:
    """`str(exc)` in the active language: the file, line, column and value as they are, the
    words around them and the reason translated."""
    parts = [", ".join(_where(exc))] if _where(exc) else []
    if exc.value is not None:
        parts.append(gettext("value '%(value)s'") % {"value": exc.value})
    parts.append(_reason(exc))
    # French puts a space before the colon.
    return pgettext("between the parts of an import error", ": ").join(parts)


def _where(exc: IngestError) -> list[str]:
    parts = [exc.file] if exc.file else []
    if exc.line is not None:
        parts.append(gettext("line %(line)s") % {"line": exc.line})
    if exc.column is not None:
        parts.append(gettext("column '%(column)s'") % {"column": exc.column})
    return parts


def _reason(exc: IngestError) -> str:
    wizard = WIZARD_MAPPING.get(exc.template)
    if wizard is not None:
        return _fill(str(wizard), {**exc.params, **_field_labels(exc.params)})
    return _fill(_say(exc.template), exc.params)


# The mapping's reasons as the import wizard says them: a page has no `--map` option, its form
# gives each column a field, or "Dropped (not kept)". Keyed by the command line's English
# template (licite.ingest.columns), which `licite import` prints.
WIZARD_MAPPING: Mapping[str, Promise] = {
    "--map expects COLUMN=FIELD, got '%(item)s'": _("a column's field is missing: got '%(item)s'"),
    "--map names column '%(column)s' twice": _("the mapping names column '%(column)s' twice"),
    "--map %(column)s=%(target)s: unknown field '%(target)s'; valid fields: %(fields)s, or %(drop)s to "
    "drop the column": _("column '%(column)s': unknown field %(target)s; choose a field from the list"),
    "--map %(column)s=%(target)s: column %(label)s reads as a comment or free text; it is never stored "
    "under a kept field (RULES B6: minimization; free-text comments about people were a ground of the "
    'CNIL FUTURA INTERNATIONALE sanction, 2019): leave it unmapped, or --map "%(column)s=%(drop)s"': _(
        "column %(label)s reads as a comment or free text; it is never stored under a kept field (RULES "
        "B6: minimization; free-text comments about people were a ground of the CNIL FUTURA "
        "INTERNATIONALE sanction, 2019): choose %(drop)s for it"
    ),
    "--map gives field '%(field)s' to two columns: %(first)s and %(second)s": _(
        "the field %(field)s is chosen for two columns, %(first)s and %(second)s: choose it for one only"
    ),
    "--map: no column '%(column)s' in the file; its columns are %(listed)s": _(
        "no column '%(column)s' in the file; its columns are %(listed)s"
    ),
    "columns %(first)s and %(second)s could both be the %(field)s: choose one with "
    '--map "COLUMN=%(field)s" (or --map "COLUMN=%(drop)s" for the other)': _(
        "columns %(first)s and %(second)s could both be the field %(field)s: in the Field list of the "
        "columns, choose %(field)s for one and %(drop)s for the other"
    ),
    NO_EMAIL_COLUMN: _(
        "no email column found; the headers are: %(headers)s. Choose %(email)s for the column that "
        "holds the addresses"
    ),
}
_FIELD_VALUES = ("field", "target", "drop")


def _field_labels(params: Mapping[str, object]) -> dict[str, str]:
    """The fields a mapping reason names, as the wizard's list of fields shows them, quoted."""
    from licite.prospects.forms import mapping_choices  # the form's labels: read when said

    labels = dict(mapping_choices())
    values = {key: str(params[key]) for key in _FIELD_VALUES if isinstance(params.get(key), str)}
    values["email"] = "email"
    return {key: quoted(labels.get(value, value)) for key, value in values.items()}


# The gate's reasons that carry a value (the scripts or letters of a look-alike domain,
# licite.core.emails): each English template is also the pattern that finds the value.
_VALUED_REASONS = (
    gettext_noop("domain mixes scripts (%(scripts)s): a look-alike domain (RULES A4)"),
    gettext_noop(
        "domain with letters made to look like others (%(letters)s): a look-alike domain (RULES A4)"
    ),
    gettext_noop(
        "domain written in %(script)s letters that all look like Latin ones: a look-alike domain (RULES A4)"
    ),
)


def _pattern(template: str) -> re.Pattern[str]:
    """The English template as a regular expression, each %(name)s a named group."""
    parts = re.split(r"%\((\w+)\)s", template)
    return re.compile(
        "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    )


_INVALID = "invalid address: "


# The warnings of an import's report, written in English by licite.prospects.importing and kept
# with its batch: each template is also the pattern that finds its values when a page shows it.
IMPORT_WARNINGS: Mapping[str, str] = {
    "phone_dropped": gettext_noop(
        "phone numbers dropped: no processing activity declares a professional phone (RULES B6)"
    ),
    "mobile": MOBILE_WARNING,
    "truncated": gettext_noop("%(count)s values were longer than their field and were cut"),
    "unknown_countries": gettext_noop("%(count)s countries were not recognised and were left empty"),
    "invalid_phones": gettext_noop("%(count)s phone numbers were not valid and were left empty"),
    "unknown_languages": gettext_noop(
        "%(count)s languages were neither French nor English and were left to the country or the "
        "company's domain to decide (RULES D4)"
    ),
    "rejections_listed": gettext_noop("only the first %(count)s rejected rows are listed"),
    "expired": gettext_noop(
        "these records were collected on %(collected)s: their retention ended on %(ended)s (RULES F1), "
        "so none was kept"
    ),
    "notice_overdue": gettext_noop(
        "these records were collected more than a month ago: their Art. 14 notice is overdue (RULES D2)"
    ),
    "already_imported": gettext_noop(
        "this file was already imported from this source on %(when)s (batch %(batch)s): nothing to do"
    ),
}


_VALUED_PATTERNS = tuple((_pattern(template), template) for template in _VALUED_REASONS)
_WARNING_PATTERNS = tuple((_pattern(template), template) for template in IMPORT_WARNINGS.values())


def report_warning(text: str) -> str:
    """A warning of an import's report, in the active language; one licite does not know, as kept."""
    for pattern, template in _WARNING_PATTERNS:
        if found := pattern.fullmatch(text):
            return gettext(template) % found.groupdict()
    return text


def rejection_reason(reason: str) -> str:
    """A rejected row's reason from an import report (licite.core.gate), in the active language."""
    if reason.startswith(_INVALID):
        return gettext("invalid address: %(reason)s") % {"reason": _address_reason(reason[len(_INVALID) :])}
    return _say(reason)


def _say(text: str) -> str:
    # gettext("") is the catalogue's header, not an empty text.
    return gettext(text) if text else text


def _address_reason(reason: str) -> str:
    for pattern, template in _VALUED_PATTERNS:
        if found := pattern.fullmatch(reason):
            return gettext(template) % found.groupdict()
    return _say(reason)
