from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from licite.accounts.actions import do_set_organisation
from licite.register.models import ProcessingActivity
from tests.conftest import HEADER, free_port, import_file

PROSPECTS = HEADER + (
    "Jeanne;Dupont;jeanne.dupont@acme-industrie.example;Directrice des achats;Acme Industrie;;;France\n"
    "Paul;Martin;paul.martin@acme-industrie.example;Comptable;Acme Industrie;;;France\n"
    "Emily;Brown;emily.brown@northfield.example;Head of Procurement;Northfield;;;Royaume-Uni\n"
    "Léa;Petit;lea.petit@gmail.com;;;;;France\n"
)


@dataclass
class Inbox:
    """What a real SMTP server on loopback received, parsed."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: int = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.LICITE_BASE_URL = "https://licite.example"
    settings.LICITE_UNSUBSCRIBE_MAILTO = "unsubscribe@acme-conseil.example"
    yield inbox
    controller.stop()


@pytest.fixture
def organisation(db):
    do_set_organisation(
        None,
        legal_name="Acme Conseil SAS",
        address="1 rue de la Paix, 75002 Paris",
        siren="912345675",
        contact_email="contact@acme-conseil.example",
        dpo_name="Jeanne Martin",
        dpo_email="dpo@acme-conseil.example",
        privacy_policy_url="https://acme-conseil.example/privacy",
        default_language="fr",
    )
    for basis in ("legitimate_interest", "consent"):
        ProcessingActivity.objects.create(
            name=f"Prospection ({basis})",
            purpose_fr="Prospection commerciale par courriel",
            purpose_en="Commercial prospecting by email",
            legal_basis=basis,
            interest_pursued_fr="Développer notre activité auprès des entreprises"
            if basis == "legitimate_interest"
            else "",
            interest_pursued_en="Developing our business with companies"
            if basis == "legitimate_interest"
            else "",
            data_subjects="Prospects",
            data_categories=["identity", "professional life"],
            recipients_internal_fr="Équipe commerciale",
            recipients_internal_en="Sales team",
            security_measures=["access control"],
        )


@pytest.fixture
def prospects(organisation, source, write_csv):
    return import_file(write_csv(PROSPECTS))
