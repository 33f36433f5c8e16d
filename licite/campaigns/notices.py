"""The Art. 14 notice of one prospect, composed from the database (RULES D1-D5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from licite.accounts.models import Organisation
from licite.core import notice as core
from licite.prospects.models import Prospect, Visibility
from licite.register.models import ProcessingActivity

HELD_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "company",
    "company_domain",
    "phone",
    "country",
)


class NoticeUnavailable(Exception):
    """The organisation profile or the register lacks what every notice must say."""


def public_url(name: str, token: str) -> str:
    return f"{settings.LICITE_BASE_URL}{reverse(name, args=[token])}"


def notice_language(prospect: Prospect, organisation: Organisation, asked: str | None = None) -> str:
    """RULES D4: the person's language, else the organisation's."""
    return asked or prospect.language or organisation.default_language


@dataclass(frozen=True)
class Sender:
    """What every notice of a run says about the controller: loaded once, not once per message."""

    organisation: Organisation
    activities: dict[str, ProcessingActivity]
    # Rendered frames shared by the messages of a run (see licite.campaigns.rendering).
    frames: dict[Any, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls) -> Sender:
        organisation = Organisation.current()
        if organisation is None:
            raise NoticeUnavailable(gettext("no organisation profile: run `licite init`"))
        activities: dict[str, ProcessingActivity] = {}
        for activity in ProcessingActivity.objects.order_by("-pk"):
            activities[activity.legal_basis] = activity  # the oldest of each basis wins
        return cls(organisation, activities)

    def activity(self, legal_basis: str) -> ProcessingActivity:
        if legal_basis not in self.activities:
            raise NoticeUnavailable(
                gettext(
                    "no processing activity with the legal basis %(basis)s in the register: "
                    "declare the purpose first (admin, Register of processing)"
                )
                % {"basis": repr(legal_basis)}
            )
        return self.activities[legal_basis]

    def notice_activity(self, legal_basis: str) -> core.Activity:
        """What the notice quotes of the activity, built once per run."""
        key = ("activity", legal_basis)
        if key not in self.frames:
            self.frames[key] = self.activity(legal_basis).as_notice_activity()
        activity: core.Activity = self.frames[key]
        return activity


def compose_for(
    prospect: Prospect, token: str, language: str | None = None, sender: Sender | None = None
) -> core.Notice:
    """The notice this prospect receives, with the links of the message that carries it."""
    return core.compose_notice(notice_context(prospect, token, language, sender or Sender.load()))


def notice_context(
    prospect: Prospect, token: str, language: str | None, sender: Sender
) -> core.NoticeContext:
    """Everything the notice of this prospect says; equal for two prospects with equal notices."""
    organisation, activity = sender.organisation, sender.notice_activity(prospect.legal_basis)
    return core.NoticeContext(
        controller=core.Controller(
            legal_name=organisation.legal_name, address=organisation.address, siren=organisation.siren,
            contact_email=organisation.contact_email, dpo_name=organisation.dpo_name,
            dpo_email=organisation.dpo_email, privacy_policy_url=organisation.privacy_policy_url,
        ),
        activity=activity,
        provenance=tuple(
            core.Provenance(
                source_name=link.source.name, source_kind=link.source.kind,
                url=link.page_url or link.source.url,
                collected_at=timezone.localtime(link.collected_at),
                publicly_accessible=link.source.visibility == Visibility.PUBLIC,
            )
            for link in prospect.provenance.all()
        ),
        data_held=tuple(name for name in HELD_FIELDS if getattr(prospect, name)),
        language=notice_language(prospect, organisation, language),
        objection_url=public_url("unsubscribe", token),
        consent_withdrawal_url=public_url("unsubscribe", token) if prospect.legal_basis == "consent" else "",
    )  # fmt: skip
