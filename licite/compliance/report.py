"""The compliance check's result and the breach log as documents of the inspection pack (RULES H1, H1b)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from licite.compliance.checks import PRACTICE_TITLES, CheckResult
from licite.compliance.models import Breach
from licite.core import compliance
from licite.lib.documents import Bullets, Document, Fields, Notice, Section, Table

# The words of the document's notice levels (licite.lib.documents), which are these statuses.
STATUS_WORDS = {
    compliance.OK: pgettext_lazy("notice level", "OK"),
    compliance.WARNING: pgettext_lazy("notice level", "Warning"),
    compliance.FAILURE: pgettext_lazy("notice level", "Failure"),
}


def compliance_document(
    results: Sequence[CheckResult], language: str, now: datetime | None = None
) -> Document:
    """Every check by practice: its status, count, rule and what to do, in `language`."""
    now = now or timezone.now()
    with translation.override(language):
        overall = compliance.worst(result.status for result in results)
        summary = Notice(_summary(results), level=overall)
        sections = [Section(_("Summary"), (summary,))]
        for practice, title in PRACTICE_TITLES.items():
            rows = [_row(result) for result in results if result.practice == practice]
            if rows:
                headers = (_("Status"), _("Check"), _("Count"), _("Rule"), _("What to do"))
                sections.append(Section(str(title), (Table(headers, tuple(rows)),)))
        return Document(_("Compliance check"), language, tuple(sections),
                        subtitle=_("Checked against the live database"), generated_at=now)  # fmt: skip


def _summary(results: Sequence[CheckResult]) -> str:
    counts = {status: sum(1 for r in results if r.status == status) for status in compliance.STATUSES}
    return _("%(ok)s checks pass, %(warning)s warnings, %(failure)s failures.") % counts


def _row(result: CheckResult) -> tuple[str, ...]:
    return (str(STATUS_WORDS[result.status]), str(result.title), str(result.count), result.rule,
            "" if result.status == compliance.OK else str(result.what_to_do))  # fmt: skip


def breaches_document(language: str, now: datetime | None = None) -> Document:
    """The breach log (GDPR art. 33.5): each breach's facts, effects, measures and notifications."""
    now = now or timezone.now()
    with translation.override(language):
        breaches = list(Breach.objects.order_by("-found_at"))
        body: tuple[Section, ...]
        if not breaches:
            body = (Section(_("Breaches"), (Notice(_("No personal data breach is recorded."), level="ok"),)),)
        else:
            body = tuple(_breach_section(breach, now) for breach in breaches)
        intro = Section(_("About this log"), (Bullets((
            _("Every personal data breach is documented: facts, effects and measures (GDPR art. 33.5)."),
            _(
                "The CNIL is notified within 72 hours of awareness, unless the breach is unlikely to "
                "result in a risk (art. 33.1)."
            ),
            _("The persons are told without undue delay when the risk is high (art. 34)."),
        )),))  # fmt: skip
        return Document(_("Breach log"), language, (intro, *body), generated_at=now)


def _breach_section(breach: Breach, now: datetime) -> Section:
    fields = (
        (_("Found at"), _moment(breach.found_at)),
        (_("Nature"), ", ".join(_nature_label(nature) for nature in breach.nature)),
        (_("Data concerned"), breach.data_concerned),
        (_("Persons concerned"), str(breach.persons_count)),
        (_("Records concerned"), str(breach.records_count)),
        (_("Likely consequences"), breach.consequences),
        (_("Measures taken"), breach.measures),
        (_("Risk"), str(breach.get_risk_display())),
        (_("Deadline to notify the CNIL"), _moment(breach.deadline)),
        (_("CNIL notified"), notification_text(breach, now)),
        (_("Persons told"), persons_text(breach)),
    )
    blocks: list[Fields | Notice] = [Fields(fields)]
    if breach.notification_overdue(now):
        blocks.append(Notice(_("Not notified to the CNIL within 72 hours (RULES H1b)."), level="failure"))
    if breach.persons_untold():
        blocks.append(Notice(_("High risk, and the persons were not told (GDPR art. 34)."), level="failure"))
    return Section(_("Breach #%(id)s") % {"id": breach.pk}, tuple(blocks))


def notification_text(breach: Breach, now: datetime) -> str:
    """When the CNIL was notified, why not, or the 72-hour clock, in the active language."""
    if breach.cnil_notified_at is not None:
        late = breach.cnil_notified_at > breach.deadline
        text = _("on %(at)s") % {"at": _moment(breach.cnil_notified_at)}
        if not late:
            return text
        if breach.notification_delay_reason:
            return _("%(when)s (late: %(reason)s)") % {
                "when": text,
                "reason": breach.notification_delay_reason,
            }
        return _("%(when)s (late)") % {"when": text}
    if breach.risk == "none":
        return _("not notified: %(reason)s") % {
            "reason": breach.no_notification_reason or _("no reason written")
        }
    left = compliance.hours_left(breach.found_at, now)
    if left >= 0:
        return _("not yet: %(hours)s hours left") % {"hours": left}
    return _("not yet: %(hours)s hours overdue") % {"hours": -left}


def persons_text(breach: Breach) -> str:
    if breach.persons_told_at is not None:
        return _("on %(at)s") % {"at": _moment(breach.persons_told_at)}
    if breach.persons_not_told_reason:
        return _("not told: %(reason)s") % {"reason": breach.persons_not_told_reason}
    return _("not told")


def _nature_label(nature: str) -> str:
    from licite.compliance.models import BreachNature

    return str(BreachNature(nature).label) if nature in BreachNature.values else nature


def _moment(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
