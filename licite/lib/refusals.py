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
from licite.core.sources import SourceDecision
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
}

# The values that come from licite's own English tables ("a folder", "semicolon", a sanction's
# name): said in the reader's words too. The others (names, counts, the file's text) stay as they are.
_WORDS = frozenset({"what", "delimiter", "clause", "decision"})


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


def _fill(template: str, params: Mapping[str, object]) -> str:
    """A translated template with its values, those from licite's own English tables translated."""
    if not params:
        return template
    return template % {key: _say(value) if key in _WORDS and isinstance(value, str) else value
                       for key, value in params.items()}  # fmt: skip


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
    return _fill(_say(exc.template), exc.params)


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


_VALUED_PATTERNS = tuple((_pattern(template), template) for template in _VALUED_REASONS)
_INVALID = "invalid address: "


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
